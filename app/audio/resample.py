"""Sample-rate conversion in plain numpy (no scipy: it would add ~40 MB for one function).

Band-limited (windowed-sinc, Kaiser window) polyphase interpolation. Linear interpolation alone
aliases badly when going down (48 kHz → 16 kHz folds 8–24 kHz hiss into the speech band), and
speech recognisers are sensitive to that; a 12-zero-crossing kernel is transparent for speech and
costs a few ms per second of audio. The kernel table has one row per output phase (``dst/gcd``
rows), so common ratios (48k→16k: 1 row, 44.1k→16k: 160 rows, 24k→48k: 2 rows) are cheap.

:class:`Resampler` is streaming (the player converts 24 kHz speech to the device rate chunk by
chunk as it arrives); :func:`resample` is the one-shot form.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Resampler", "resample"]

_MAX_TABLE_PHASES = 4096
_CHUNK = 8192


class Resampler:
    """Streaming mono resampler: ``process(block)`` as input arrives, ``flush()`` at the end.

    The output is delayed by half the kernel (a few ms): :meth:`process` only returns samples whose
    whole kernel support has arrived; :meth:`flush` returns the tail, padding with silence, so
    ``len(all output) == ceil(len(all input) * dst / src)``.
    """

    def __init__(self, src_rate: int, dst_rate: int, *, zeros: int = 12, rolloff: float = 0.92,
                 beta: float = 8.0) -> None:
        if src_rate <= 0 or dst_rate <= 0:
            raise ValueError("Sample rates must be positive.")
        g = math.gcd(int(src_rate), int(dst_rate))
        self.src_rate = int(src_rate)
        self.dst_rate = int(dst_rate)
        self._up = self.dst_rate // g
        self._down = self.src_rate // g
        self._passthrough = self._up == self._down
        self._fc = rolloff * min(1.0, self.dst_rate / self.src_rate)
        self._half = math.ceil(zeros / self._fc)
        self._beta = beta
        self._offsets = np.arange(-self._half + 1, self._half + 1, dtype=np.int64)
        self._table: np.ndarray | None = None
        if not self._passthrough and self._up <= _MAX_TABLE_PHASES:
            self._table = self._weights(np.arange(self._up, dtype=np.float64) / self._up)
        # Virtual silence before the first sample, so the first outputs have a full kernel.
        self._buf = np.zeros(self._half, dtype=np.float32)
        self._buf_start = -self._half  # absolute input index of _buf[0]
        self._received = 0
        self._next = 0  # index of the next output sample
        self._flushed = False

    def _weights(self, frac: np.ndarray) -> np.ndarray:
        d = self._offsets[None, :] - frac[:, None]
        x = np.clip(d / self._half, -1.0, 1.0)
        window = np.i0(self._beta * np.sqrt(1.0 - x * x)) / np.i0(self._beta)
        w = self._fc * np.sinc(self._fc * d) * window
        w /= w.sum(axis=1, keepdims=True)  # exact unity gain at DC for every phase
        return w.astype(np.float32)

    def process(self, block: np.ndarray) -> np.ndarray:
        """Feed mono float32 input; return the output samples that are now complete."""
        data = np.asarray(block, dtype=np.float32).reshape(-1)
        if self._passthrough:
            return data.copy()
        if self._flushed:
            raise RuntimeError("Resampler already flushed.")
        if data.size:
            self._buf = np.concatenate([self._buf, data])
            self._received += data.size
        return self._produce(self._received - self._half)

    def flush(self) -> np.ndarray:
        """Return the remaining output (the last half kernel), padding the input with silence."""
        if self._passthrough:
            return np.zeros(0, dtype=np.float32)
        if self._flushed:
            return np.zeros(0, dtype=np.float32)
        self._flushed = True
        total = -((-self._received * self._up) // self._down)  # ceil
        self._buf = np.concatenate([self._buf, np.zeros(self._half + 1, dtype=np.float32)])
        out = self._produce(self._received + 1, limit=total)
        return out

    def _produce(self, available_end: int, *, limit: int | None = None) -> np.ndarray:
        """Outputs n with ``floor(n*down/up) + half <= available_end - 1 + half``, i.e. whose
        kernel reaches only input indices below ``available_end + half``."""
        if available_end <= 0:
            return np.zeros(0, dtype=np.float32)
        end = -((-available_end * self._up) // self._down)  # first n whose base >= available_end
        if limit is not None:
            end = min(end, limit)
        if end <= self._next:
            return np.zeros(0, dtype=np.float32)
        pieces = []
        for start in range(self._next, end, _CHUNK):
            n = np.arange(start, min(end, start + _CHUNK), dtype=np.int64)
            base = (n * self._down) // self._up
            phase = (n * self._down) % self._up
            idx = base[:, None] + self._offsets[None, :] - self._buf_start
            w = self._table[phase] if self._table is not None else self._weights(phase / self._up)
            pieces.append(np.einsum("ij,ij->i", self._buf[idx], w).astype(np.float32))
        self._next = end
        # Drop input no later output can reach.
        keep_from = (self._next * self._down) // self._up - self._half + 1
        drop = keep_from - self._buf_start
        if drop > 0:
            self._buf = self._buf[drop:]
            self._buf_start += drop
        return np.concatenate(pieces) if len(pieces) > 1 else pieces[0]


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """One-shot mono resampling; output length is ``ceil(len * dst / src)``."""
    data = np.asarray(samples, dtype=np.float32).reshape(-1)
    if src_rate == dst_rate:
        return data.copy()
    r = Resampler(src_rate, dst_rate)
    head = r.process(data)
    tail = r.flush()
    return np.concatenate([head, tail])
