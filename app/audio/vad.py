"""Energy-based voice-activity detection for hands-free mode.

Why energy and not a neural VAD: it needs no model download, costs microseconds per block, and
for a person talking to their computer (close to the microphone, well above the room noise) a
level that rises clearly above the *adaptive* noise floor is a good enough cue. The two timers
make it robust: speech must last ``start_ms`` (a click or a cough is shorter) and a turn only ends
after ``end_ms`` of quiet (the pauses between words are shorter).

The noise floor follows the quietest recent level: it drops at once to a quieter frame and rises
slowly (``floor_rise_db_per_s``) otherwise, so a fan switched on becomes "silence" after a few
seconds instead of an endless turn, while speech (which dips between words) keeps it low.

The detector is plain synchronous code on blocks of samples: feed it from
``Recorder.add_listener`` (on the loop thread). While Parla is speaking, the UI should not feed
it (or call :meth:`EnergyVAD.reset` after), so it does not answer itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from app.audio.clip import SILENCE_DBFS, to_dbfs

__all__ = ["EnergyVAD", "VadEvent"]


@dataclass(frozen=True, slots=True)
class VadEvent:
    """``kind`` "start": speech began ``position`` seconds into the fed audio (the start of the
    first loud frame, so a pre-roll of at least ``start_ms`` keeps the first syllable);
    "end": the turn ended at ``position`` (the end of the last loud frame)."""

    kind: Literal["start", "end"]
    position: float


class EnergyVAD:
    """Feed blocks with :meth:`process`; get :class:`VadEvent`s. ``in_speech`` is the state."""

    def __init__(
        self,
        samplerate: int,
        *,
        frame_ms: float = 20.0,
        start_ms: float = 150.0,
        end_ms: float = 700.0,
        margin_db: float = 12.0,
        min_speech_dbfs: float = -55.0,
        floor_rise_db_per_s: float = 3.0,
        max_gap_ms: float = 60.0,
        initial_floor_dbfs: float | None = None,
    ) -> None:
        """``margin_db``: how far above the noise floor a frame must be to count as speech.
        ``min_speech_dbfs``: an absolute minimum, so a perfectly silent line (digital zero) does
        not make every faint sound "speech". ``max_gap_ms``: quiet gaps this short (between
        syllables) do not reset the ``start_ms`` count."""
        self.samplerate = samplerate
        self.frame = max(1, int(samplerate * frame_ms / 1000.0))
        self._frame_s = self.frame / samplerate
        self.start_frames = max(1, round(start_ms / 1000.0 / self._frame_s))
        self.end_frames = max(1, round(end_ms / 1000.0 / self._frame_s))
        self.max_gap_frames = round(max_gap_ms / 1000.0 / self._frame_s)
        self.margin_db = margin_db
        self.min_speech_dbfs = min_speech_dbfs
        self._rise_per_frame = floor_rise_db_per_s * self._frame_s
        self._initial_floor = initial_floor_dbfs
        self.reset()

    def reset(self) -> None:
        """Forget the state (not the learned noise floor): after Parla spoke, or a turn was sent."""
        if not hasattr(self, "_floor"):
            self._floor: float | None = self._initial_floor
        self._pending = np.zeros(0, dtype=np.float32)
        self._frames_seen = 0
        self.in_speech = False
        self._loud_run = 0
        self._quiet_run = 0
        self._run_start = 0
        self._last_loud_end = 0
        self.level_dbfs = SILENCE_DBFS

    @property
    def noise_floor_dbfs(self) -> float:
        return self._floor if self._floor is not None else SILENCE_DBFS

    @property
    def threshold_dbfs(self) -> float:
        return max(self.min_speech_dbfs, self.noise_floor_dbfs + self.margin_db)

    def process(self, block: np.ndarray) -> list[VadEvent]:
        data = np.asarray(block, dtype=np.float32).reshape(-1)
        if self._pending.size:
            data = np.concatenate([self._pending, data])
        count = len(data) // self.frame
        self._pending = data[count * self.frame:].copy()
        events: list[VadEvent] = []
        if count == 0:
            return events
        frames = data[:count * self.frame].astype(np.float64).reshape(count, self.frame)
        for rms in np.sqrt(np.mean(frames * frames, axis=1)):
            event = self._frame(to_dbfs(float(rms)))
            if event is not None:
                events.append(event)
        return events

    def _frame(self, db: float) -> VadEvent | None:
        index = self._frames_seen
        self._frames_seen += 1
        self.level_dbfs = db
        if self._floor is None:
            self._floor = db
        loud = db > self.threshold_dbfs
        # Floor: falls at once, rises slowly, during speech too. Speech keeps dipping to the
        # room's level between syllables and words, which pulls the floor straight back down; a
        # steady noise (a fan switched on) never dips, so the floor climbs to it and the "turn"
        # it started ends after a few seconds instead of never.
        if db < self._floor:
            self._floor = db
        else:
            self._floor = min(db, self._floor + self._rise_per_frame)
        event: VadEvent | None = None
        if loud:
            if self._loud_run == 0:
                self._run_start = index
            self._loud_run += 1
            self._quiet_run = 0
            self._last_loud_end = index + 1
            if not self.in_speech and self._loud_run >= self.start_frames:
                self.in_speech = True
                event = VadEvent("start", self._run_start * self._frame_s)
        else:
            self._quiet_run += 1
            if self._quiet_run > self.max_gap_frames:
                self._loud_run = 0  # the loud frames so far were a click, not speech
            if self.in_speech and self._quiet_run >= self.end_frames:
                self.in_speech = False
                event = VadEvent("end", self._last_loud_end * self._frame_s)
        return event
