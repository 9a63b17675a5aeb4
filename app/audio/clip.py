"""Plain value types shared by the recorder, the encoder and the player."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

#: Floor for dBFS readings: silence is reported as this rather than ``-inf``, so meters and
#: comparisons never meet infinities.
SILENCE_DBFS = -120.0

EndReason = Literal["stopped", "max_length", "device_lost"]


@dataclass(frozen=True, slots=True)
class Clip:
    """Mono float32 samples in [-1, 1] with their rate.

    ``end_reason`` says why a recording ended; ``error`` carries the message when the device was
    lost, so the UI can keep what was recorded and still say what happened.
    """

    samples: np.ndarray
    samplerate: int
    end_reason: EndReason = "stopped"
    error: str | None = field(default=None, compare=False)

    @property
    def duration(self) -> float:
        return len(self.samples) / self.samplerate if self.samplerate else 0.0

    @property
    def frames(self) -> int:
        return len(self.samples)

    def __repr__(self) -> str:  # the default repr would print every sample
        return (f"Clip({self.duration:.3f}s @ {self.samplerate} Hz, end_reason={self.end_reason!r}"
                f"{', error=' + repr(self.error) if self.error else ''})")


@dataclass(frozen=True, slots=True)
class Level:
    """A meter reading in dBFS (0 = full scale)."""

    rms_dbfs: float = SILENCE_DBFS
    peak_dbfs: float = SILENCE_DBFS

    @classmethod
    def of(cls, samples: np.ndarray) -> Level:
        if samples.size == 0:
            return cls()
        data = samples.astype(np.float32, copy=False)
        rms = float(np.sqrt(np.mean(np.square(data, dtype=np.float64))))
        peak = float(np.max(np.abs(data)))
        return cls(to_dbfs(rms), to_dbfs(peak))


def to_dbfs(amplitude: float) -> float:
    """Amplitude (1.0 = full scale) to dBFS, floored at :data:`SILENCE_DBFS`."""
    if amplitude <= 0.0 or not math.isfinite(amplitude):
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 20.0 * math.log10(amplitude))


def as_mono_float32(samples: np.ndarray) -> np.ndarray:
    """Any PCM array (int16/int32/float, mono or frames×channels) as 1-D float32 in [-1, 1].

    Multi-channel audio is averaged: speech recognisers want one channel and averaging keeps a
    voice that is only on one side.
    """
    data = np.asarray(samples)
    if data.dtype.kind == "i":
        scale = float(2 ** (8 * data.dtype.itemsize - 1))
        data = data.astype(np.float32) / scale
    elif data.dtype.kind == "u":
        half = float(2 ** (8 * data.dtype.itemsize - 1))
        data = (data.astype(np.float32) - half) / half
    else:
        data = data.astype(np.float32, copy=False)
    if data.ndim == 2:
        data = data.mean(axis=1, dtype=np.float32) if data.shape[1] > 1 else data[:, 0]
    elif data.ndim != 1:
        raise ValueError(f"Expected 1-D or 2-D audio, got shape {data.shape}.")
    return np.ascontiguousarray(data, dtype=np.float32)
