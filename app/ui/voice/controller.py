"""What the Voice tab does, apart from showing it: record, transcribe, answer, speak, store.

One turn, push to talk::

    press ──► Recorder.start(sink=StreamingEncoder)   (the stream is already armed: no stall)
              Player.open() in the background          (warm for the answer's first sentence)
    release ► Recorder.stop() → guards (too short / silent) → encoder.finish() (only the tail left)
              → client.audio.transcribe → the transcript is the user's turn (stored)
              → client.chat.stream → text deltas → transcript view + SpeakWhileStreaming
              → sentence by sentence: /audio/speech (pcm, ≤ 2 in flight) → Player, in order

**One history.** Turns are stored exactly like the Chat tab's: the user message and an empty
*streaming* assistant message are written in one transaction before anything is sent, the answer's
text is saved every :data:`SAVE_INTERVAL` while it streams, and ``finish_message`` records how it
ended (complete, stopped by barge-in, error) with model and usage. The conversation has
``kind="voice"``; the Chat tab can list and continue it, and this tab can continue a chat.

**Barge-in.** Pressing Talk while Parla answers cancels the spoken answer at once (the player goes
silent within one device buffer, every speech request is cancelled), stops the text stream (what
arrived is kept, as *stopped*), then records.

**Hands-free.** An :class:`~app.audio.EnergyVAD` fed from the armed recorder starts and ends turns.
It only listens while nothing else happens: from the end of the user's speech until Parla has
finished speaking (and :data:`ECHO_TAIL` after), the microphone is ignored, so Parla does not
answer itself.

**Failures** never leave the tab stuck: no microphone, a busy or vanished device, no PortAudio, a
transcription or speech error — each becomes a sentence from ``app.ui.errors`` in the status line,
and a recording that could not be transcribed is kept for Retry (or Send, when the microphone was
lost mid-recording).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from app.api.errors import APIError
from app.api.types import ContentDelta, Finished, ReasoningDelta, Usage, UsageUpdate
from app.audio import (
    PCM_SAMPLERATE,
    AudioError,
    Clip,
    DeviceLostError,
    EncodedAudio,
    EnergyVAD,
    Player,
    Recorder,
    SpeakWhileStreaming,
    StreamingEncoder,
    check_speech,
    decode_audio_async,
    open_input_stream,
    open_output_stream,
    resample,
    speech_source,
)
from app.audio.speech_pipeline import SpeakFn
from app.credentials import CredentialError
from app.profiles import Capability
from app.store import Conversation, ConversationKind, Message, MessageState, Role, Store
from app.turns import request_parameters, usage_dict
from app.ui.context import AppContext
from app.ui.errors import NoTokenError, user_message
from app.ui.voice.backend import AudioBackend, StreamGuard
from app.ui.voice.transcript import TranscriptModel, Turn

__all__ = ["ECHO_TAIL", "MAX_SPEECH_IN_FLIGHT", "SAVE_INTERVAL", "Phase", "VoiceController"]

log = logging.getLogger(__name__)

#: Seconds between saves of a streaming answer's text (the Chat tab uses the same rhythm).
SAVE_INTERVAL = 0.25
#: Speech requests at once: enough to stay ahead of playback without hammering the server.
MAX_SPEECH_IN_FLIGHT = 2
#: After Parla stops speaking, hands-free mode ignores this much more audio (seconds of the room's echo).
ECHO_TAIL = 0.35
#: A take started without a key to release (tray, Ctrl+Enter) ends after this long without speech.
LATCHED_SILENCE_TIMEOUT = 8.0
_EXPECTED_ERRORS: tuple[type[BaseException], ...] = (APIError, NoTokenError, CredentialError)


class Phase(StrEnum):
    IDLE = "idle"
    RECORDING = "recording"
    TRANSCRIBING = "transcribing"
    ANSWERING = "answering"  # the answer's text streams (and may already be spoken)
    SPEAKING = "speaking"  # the text is complete; its audio is still playing


class Mode(StrEnum):
    HOLD = "hold"  # Talk held (button or key): the take ends on release
    LATCHED = "latched"  # started without a key to release (tray, Ctrl+Enter): ends on Talk, silence or max length
    VAD = "vad"  # hands-free: started and ended by voice activity


class Action(StrEnum):
    """What the status line's button does."""

    NONE = ""
    RETRY = "retry"  # send the kept recording again
    SEND = "send"  # send what was recorded before the microphone was lost
    RETRY_ANSWER = "retry_answer"  # ask for the failed answer again


class VoiceController(QObject):
    """Owns the recorder, the player, the open voice conversation and its transcript model."""

    #: The phase changed (a :class:`Phase` value).
    phase_changed = Signal(str)
    #: The status line: (kind "info"/"error"/"", text, :class:`Action` value).
    status_changed = Signal(str, str, str)
    #: The open conversation (or its title) changed.
    conversation_changed = Signal()
    #: The list of recent conversations was reloaded.
    recent_changed = Signal()
    #: The microphone was armed or disarmed, or failed (see :attr:`mic_error`).
    mic_changed = Signal()
    #: Talk was pressed (or Stop): whatever else plays through the shared player stops too.
    interrupted = Signal()

    def __init__(self, context: AppContext, backend: AudioBackend | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.backend = backend or AudioBackend()
        self.preferences = context.preferences
        self.session = context.session
        self.store = context.store
        self.model = TranscriptModel(self)
        self._inputs = StreamGuard(self.backend.input_factory or open_input_stream)
        self._outputs = StreamGuard(self.backend.output_factory or open_output_stream)
        self.recorder = Recorder(stream_factory=self._inputs, max_seconds=float(self.preferences.voice_max_seconds))
        self.player = Player(stream_factory=self._outputs)
        self.conversation: Conversation | None = None
        self.recent: list[Conversation] = []
        self.mic_error: BaseException | None = None
        self.output_error: BaseException | None = None
        self.hands_free = False
        #: ``time.monotonic()`` of the last turn's milestones (pressed, released, encoded, transcribe_sent,
        #: transcribed, first_token, first_sentence, first_sentence_played, answered): benchmarks, tests.
        self.timings: dict[str, float] = {}
        #: The last spoken answer and the sentences handed to the player, in order (tests, benchmarks).
        self.last_speaker: SpeakWhileStreaming | None = None
        self.sentences_played: list[str] = []
        self._phase = Phase.IDLE
        self._mode = Mode.HOLD
        self._status: tuple[str, str, str] = ("", "", "")
        self._turn = context.tasks.holder("voice.turn")
        self._arming = context.tasks.holder("voice.arm")
        self._output = context.tasks.holder("voice.output")
        self._loading = context.tasks.holder("voice.load")
        self._released: asyncio.Event | None = None
        self._speaker: SpeakWhileStreaming | None = None
        self._kept: EncodedAudio | None = None
        self._failed_reply: Turn | None = None
        self._visible = False
        self._arm_failed = False
        self._arm_error_text = ""
        self._device_changed = False
        self._armed_device: str | None = None
        self._output_choice: str | None | bool = False  # False: not resolved yet
        self._vad: EnergyVAD | None = None
        self._vad_stale = True
        self._quiet_frames = 0  # audio without speech since a latched take began
        self._echo_frames = 0  # audio still to ignore after Parla spoke (counted in samples, not wall time)
        self._memory_ids = -1  # message ids while there is no store (negative, never stored)
        self._store_note_shown = False
        self.recorder.add_listener(self._on_block)
        self.player.on_error = self._on_player_error
        self.preferences.changed.connect(self._on_preference_changed)
        self.session.client_changed.connect(self._on_client_changed)

    # -- state ---------------------------------------------------------------------------------
    @property
    def phase(self) -> Phase:
        return self._phase

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def status(self) -> tuple[str, str, str]:
        """(kind, text, action) of the status line."""
        return self._status

    @property
    def kept_recording(self) -> EncodedAudio | None:
        """The recording kept for Retry / Send, if any."""
        return self._kept

    @property
    def speaker(self) -> SpeakWhileStreaming | None:
        """The answer being spoken, if any."""
        return self._speaker

    @property
    def busy(self) -> bool:
        return self._phase is not Phase.IDLE

    def _set_phase(self, phase: Phase) -> None:
        if phase is self._phase:
            return
        if self._phase is Phase.SPEAKING or (self._phase is Phase.ANSWERING and phase is Phase.IDLE):
            self._echo_frames = int(ECHO_TAIL * (self.recorder.samplerate or 16000))
        self._phase = phase
        self._vad_stale = True
        self.phase_changed.emit(phase.value)
        if phase is Phase.IDLE and (self._device_changed or self.wants_microphone != self.recorder.is_armed):
            self._update_arming()  # a wish that had to wait for the take to end

    def _set_status(self, kind: str, text: str, action: Action = Action.NONE) -> None:
        self._status = (kind, text, action.value)
        self.status_changed.emit(kind, text, action.value)

    def clear_status(self) -> None:
        self._set_status("", "")

    # -- the microphone ------------------------------------------------------------------------
    def set_visible(self, visible: bool) -> None:
        """The tab was shown or hidden: the microphone is armed while it is visible (or hands-free)."""
        self._visible = visible
        if not visible and self._phase is Phase.RECORDING and self._mode is Mode.HOLD:
            self.release()  # the key's release will go elsewhere
        self._update_arming(retry=visible)

    def set_hands_free(self, on: bool) -> None:
        if on == self.hands_free:
            return
        self.hands_free = on
        self._vad_stale = True
        if not on and self._phase is Phase.RECORDING and self._mode is Mode.VAD:
            self._cancel_turn()  # a half-heard turn is dropped rather than sent
        self._update_arming(retry=on)

    def rearm(self) -> None:
        """Open the microphone again (after a failure, or when another device was chosen)."""
        self._device_changed = True
        self._update_arming(retry=True)

    @property
    def wants_microphone(self) -> bool:
        return self._visible or self.hands_free

    def _update_arming(self, *, retry: bool = False) -> None:
        if retry:
            self._arm_failed = False
        if not self._arming.is_running():
            self._arming.start(self._reconcile_microphone())

    async def _reconcile_microphone(self) -> None:
        """Bring the microphone to the wanted state, re-checking after every step.

        One worker that is never cancelled by a newer wish (cancelling ``Recorder.open`` mid-open
        would leave a stream opened in its worker thread behind); wishes that change while it
        opens or closes are picked up by the next round.
        """
        while True:
            want = self.wants_microphone
            idle = self._phase is not Phase.RECORDING
            if want and idle and (not self.recorder.is_armed or self._device_changed) and not self._arm_failed:
                self._device_changed = False
                if not await self._arm():
                    self._arm_failed = True
            elif not want and idle and self.recorder.is_open:
                await self.recorder.close()
                self.mic_changed.emit()
            else:
                return

    def _input_choice(self) -> str | None:
        return self.preferences.voice_input_device or None

    async def _arm(self) -> bool:
        choice = self._input_choice()
        device: str | None = None
        try:
            resolved = await asyncio.to_thread(self.backend.resolve_input, choice)
            device = None if resolved.fell_back or choice is None else choice
            if resolved.fell_back:
                self._set_status("info", self.tr(
                    "The microphone “{wanted}” is not connected — using the system default, “{used}”, instead."
                ).format(wanted=choice, used=resolved.device.name))
            await self.recorder.open(device)
        except AudioError as exc:
            log.info("the microphone could not be armed: %s", exc)
            self.mic_error = exc
            if self._phase is Phase.IDLE:
                self._set_status("error", user_message(exc))
                self._arm_error_text = self._status[1]
            self.mic_changed.emit()
            return False
        if self._arm_error_text and self._status[1] == self._arm_error_text:
            self.clear_status()  # the microphone works again: its error no longer applies
        self._arm_error_text = ""
        self.mic_error = None
        self._armed_device = device
        self._vad = None
        self._vad_stale = True
        self.mic_changed.emit()
        return True

    def _on_block(self, block: np.ndarray) -> None:
        """Every block from the armed microphone (loop thread): the hands-free detector."""
        if not self.hands_free and self._mode is not Mode.LATCHED:
            return
        listening = self.hands_free and self._phase is Phase.IDLE and not self.player.is_playing
        ending = self._phase is Phase.RECORDING and self._mode in (Mode.VAD, Mode.LATCHED)
        if listening and self._echo_frames > 0:
            self._echo_frames -= len(block)
            listening = False
        if not (listening or ending):
            self._vad_stale = True  # Parla is busy or speaking: the microphone is ignored
            return
        rate = self.recorder.samplerate or 16000
        if self._vad is None or self._vad.samplerate != rate:
            self._vad = EnergyVAD(rate)
        elif self._vad_stale:
            self._vad.reset()
        self._vad_stale = False
        events = self._vad.process(block)
        if ending and self._mode is Mode.LATCHED and not self._vad.in_speech and not events:
            self._quiet_frames += len(block)
            if self._quiet_frames >= LATCHED_SILENCE_TIMEOUT * rate:
                self.finish()  # nobody spoke: the guard will say so
                return
        for event in events:
            if event.kind == "start" and listening and self._phase is Phase.IDLE:
                self.press(Mode.VAD)
                listening = False
                ending = True
            elif event.kind == "end" and ending and self._phase is Phase.RECORDING:
                self.finish()
                return

    # -- push to talk --------------------------------------------------------------------------
    def press(self, mode: Mode = Mode.HOLD) -> None:
        """Talk pressed (button, key, tray, hands-free start). Barges in if Parla is answering."""
        if self._phase is Phase.RECORDING:
            if self._mode is not Mode.HOLD:
                self.finish()  # a latched or hands-free take: pressing Talk ends it
            return
        self.timings = {"pressed": time.monotonic()}
        self._quiet_frames = 0
        self.barge_in()
        self._mode = mode
        self._released = asyncio.Event()
        self.clear_status()
        self._set_phase(Phase.RECORDING)
        self._turn.start(self._run_take(self._released))

    def release(self) -> None:
        """Talk released: a held take ends and is sent."""
        if self._phase is Phase.RECORDING and self._mode is Mode.HOLD:
            self.finish()

    def finish(self) -> None:
        """End the take being recorded, whatever started it, and send it."""
        if self._released is not None and not self._released.is_set():
            self.timings["released"] = time.monotonic()
            self._released.set()

    def toggle(self) -> None:
        """Start a take that ends by itself (silence) or on the next toggle: tray and Ctrl+Enter."""
        if self._phase is Phase.RECORDING:
            self.finish()
        else:
            self.press(Mode.LATCHED)

    def barge_in(self) -> bool:
        """Silence Parla now and cancel what it was doing (answer text, speech requests)."""
        speaker, self._speaker = self._speaker, None
        interrupted = False
        self.interrupted.emit()
        if speaker is not None and not speaker.done:
            speaker.cancel()
            interrupted = True
        if self.player.is_playing:
            self.player.stop()
            interrupted = True
        if self._phase in (Phase.TRANSCRIBING, Phase.ANSWERING, Phase.SPEAKING):
            self._cancel_turn()
            interrupted = True
        return interrupted

    def stop(self) -> None:
        """Stop everything: a recording is dropped, an answer stops (its text so far is kept)."""
        self.barge_in()
        if self._phase is Phase.RECORDING:
            self._cancel_turn()

    def _cancel_turn(self) -> None:
        """Cancel the turn's task and go idle now. The cancelled task records what it must (a
        stopped answer) as it unwinds, but never changes the phase: by then a new take may run."""
        self._turn.cancel()
        self._set_phase(Phase.IDLE)

    async def _run_take(self, released: asyncio.Event) -> None:
        encoder = StreamingEncoder(self.preferences.voice_upload_format)
        encoder_used = False
        proceed = False
        try:
            try:
                device = self._armed_device if self.recorder.is_armed else self._input_choice()
                take = await self.recorder.start(device, sink=encoder)
            except AudioError as exc:
                self.mic_error = exc
                self.mic_changed.emit()
                self._set_status("error", user_message(exc))
                return
            if self.mic_error is not None:
                self.mic_error = None
                self.mic_changed.emit()
            self._warm_output()
            waiter = asyncio.ensure_future(released.wait())
            try:
                await asyncio.wait({take.ended, waiter}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
            if take.ended.done():
                if take.ended.cancelled():
                    return
                clip = take.ended.result()
            else:
                clip = await self.recorder.stop()
            self.timings.setdefault("released", time.monotonic())
            if clip.end_reason == "device_lost":
                await self._keep_lost_take(clip, encoder)
                encoder_used = True
                return
            verdict = check_speech(clip)
            if verdict != "ok":
                self._set_status("info", self._not_heard(verdict, clip))
                return
            encoder_used = True
            encoded = await encoder.finish()
            self.timings["encoded"] = time.monotonic()
            if clip.end_reason == "max_length":
                self._set_status("info", self.tr("The recording reached its maximum length and was sent."))
            proceed = True
        except asyncio.CancelledError:
            self.recorder.cancel()
            raise
        except AudioError as exc:  # encoding failed, or the recording is over the upload limit
            self._set_status("error", user_message(exc))
            return
        finally:
            if not encoder_used:
                encoder.abort()
            if not proceed and self._phase is Phase.RECORDING and not _cancelling():
                self._set_phase(Phase.IDLE)
        await self._transcribe_and_answer(encoded)

    def _not_heard(self, verdict: str, clip: Clip) -> str:
        if verdict == "too_short" and self._mode is Mode.HOLD:
            return self.tr("I didn't hear anything — hold Talk (or the push-to-talk key) while you speak.")
        return self.tr("I didn't hear anything — nothing was sent.")

    async def _keep_lost_take(self, clip: Clip, encoder: StreamingEncoder) -> None:
        lost = user_message(DeviceLostError(clip.error or "", device=self._input_choice()))
        self.mic_error = DeviceLostError(clip.error or "")
        self.mic_changed.emit()
        if clip.duration < 0.3:
            encoder.abort()
            self._set_status("error", lost)
        else:
            self._kept = await encoder.finish()
            self._set_status("error", self.tr(
                "{problem} What was recorded so far ({seconds} s) is kept — send it, or talk again."
            ).format(problem=lost, seconds=f"{clip.duration:.1f}"), Action.SEND)
        self._update_arming(retry=True)  # the system default may still be there

    def _warm_output(self) -> None:
        """Open the output while the user speaks, so the answer's first sentence plays without the stall."""
        if self.preferences.voice_speak_answers and not self._output.is_running():
            self._output.start(self._open_output())

    async def prepare_output(self) -> None:
        """Resolve the chosen output device (saying so when it fell back) and open the player.

        Raises :class:`~app.audio.AudioError` when there is no usable output."""
        choice = self.preferences.voice_output_device or None
        if choice != self._output_choice:
            resolved = await asyncio.to_thread(self.backend.resolve_output, choice)
            if resolved.fell_back:
                self._set_status("info", self.tr(
                    "The speakers “{wanted}” are not connected — using the system default, “{used}”, instead."
                ).format(wanted=choice, used=resolved.device.name))
            await self.player.set_device(None if resolved.fell_back else choice)
            self._output_choice = choice
        await self.player.open()
        self.output_error = None

    async def _open_output(self) -> None:
        try:
            await self.prepare_output()
        except AudioError as exc:
            log.info("the output could not be opened: %s", exc)
            self.output_error = exc
            self._set_status("error", self.tr("{problem} Answers are shown but not spoken.").format(
                problem=user_message(exc)))

    def _on_player_error(self, exc: BaseException) -> None:
        self.output_error = exc
        self._set_status("error", user_message(exc))

    # -- transcription and answer --------------------------------------------------------------
    def retry(self) -> None:
        """The status line's button: send the kept recording again, or ask for the answer again."""
        if self.busy:
            return
        if self._kept is not None:
            self.clear_status()
            self._set_phase(Phase.TRANSCRIBING)
            self._turn.start(self._transcribe_and_answer(self._kept))
        elif self._failed_reply is not None:
            self.clear_status()
            self._set_phase(Phase.ANSWERING)
            self._turn.start(self._retry_answer(self._failed_reply))

    def transcription_model(self) -> str:
        return self.preferences.voice_transcription_model.strip() or self.session.profile.model_for(
            Capability.TRANSCRIPTION)

    def speech_model(self) -> str:
        return self.preferences.voice_speech_model.strip() or self.session.profile.model_for(Capability.SPEECH)

    async def _transcribe_and_answer(self, encoded: EncodedAudio) -> None:
        self._set_phase(Phase.TRANSCRIBING)
        model = self.transcription_model()
        try:
            client = self.session.require_client()
            self.timings["transcribe_sent"] = time.monotonic()
            result = await client.audio.transcribe(
                encoded.file_input, model=model, language=self.preferences.voice_language or None,
                prompt=self.preferences.voice_prompt.strip() or None)
        except _EXPECTED_ERRORS as exc:
            log.info("transcription failed: %s", type(exc).__name__)
            self._kept = encoded
            self._set_status("error", self.tr("{problem} The recording is kept for Retry.").format(
                problem=user_message(exc, model=model)), Action.RETRY)
            self._set_phase(Phase.IDLE)
            return
        self.timings["transcribed"] = time.monotonic()
        self._kept = None
        text = result.text.strip()
        if not text:
            self._set_status("info", self.tr("I didn't hear anything — no words were recognised."))
            self._set_phase(Phase.IDLE)
            return
        await self._ask(text)

    async def _ask(self, text: str) -> None:
        """The transcript becomes the user's turn; the answer streams in and is spoken."""
        try:
            conversation = await self._ensure_conversation()
            model = self._chat_model(conversation)
            parameters = request_parameters(conversation.settings if conversation else {})
            user, reply = await self._store_exchange(conversation, text, model, parameters)
        except Exception as exc:  # the store failed: say so, the transcript is not lost from view
            log.exception("storing the voice turn failed")
            self._set_status("error", user_message(exc))
            self.model.append(Turn(Role.USER, text))
            self._set_phase(Phase.IDLE)
            return
        self.model.append(user)
        self.model.append(reply)
        await self._answer(reply, model, parameters)

    async def _retry_answer(self, failed: Turn) -> None:
        conversation = self.conversation
        model = self._chat_model(conversation)
        parameters = request_parameters(conversation.settings if conversation else {})
        turns = self.model.turns
        row = self.model.row_of(failed)
        if row < 1 or turns[row - 1].role is not Role.USER:
            self._set_phase(Phase.IDLE)
            return
        user = turns[row - 1]
        user_id = user.id
        self._failed_reply = None
        if self.store is not None and user_id is not None and user_id > 0:
            try:
                message = await self.store.run(lambda s: _replace_after(s, user_id, model, parameters))
            except Exception as exc:
                log.exception("replacing a failed voice answer failed")
                self._set_status("error", user_message(exc))
                self._set_phase(Phase.IDLE)
                return
            reply = Turn.from_message(message)
        else:
            reply = self._memory_turn(Role.ASSISTANT, "", MessageState.STREAMING)
        self.model.remove(failed)
        self.model.append(reply)
        await self._answer(reply, model, parameters)

    def _chat_model(self, conversation: Conversation | None) -> str:
        if conversation is not None and conversation.model:
            return conversation.model
        return self.session.profile.model_for(Capability.CHAT)

    def _history(self, upto: Turn) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        settings = self.conversation.settings if self.conversation is not None else {}
        system = str(settings.get("system_prompt") or "").strip()
        if system:
            messages.append({"role": "system", "content": system})
        for turn in self.model.turns:
            if turn is upto:
                break
            if turn.text.strip() and turn.role in (Role.USER, Role.ASSISTANT, Role.SYSTEM):
                messages.append({"role": turn.role.value, "content": turn.text})
        return messages

    def _speech_fn(self, client: Any) -> SpeakFn:
        fmt = self.preferences.voice_speech_format
        model, voice = self.speech_model(), self.preferences.voice_voice or "alloy"
        speed = self.preferences.voice_speed
        speed_arg = None if abs(speed - 1.0) < 1e-6 else speed
        if fmt == "pcm":
            return speech_source(client.audio, model=model, voice=voice, speed=speed_arg)

        async def speak(sentence: str) -> AsyncIterator[bytes]:
            # A compressed format cannot be fed to the player as it arrives: each sentence's clip is
            # fetched whole, decoded off the UI thread, and handed over as 24 kHz PCM.
            async with client.audio.speech(sentence, model=model, voice=voice, response_format=fmt,
                                           speed=speed_arg) as stream:
                data = await stream.read()
            clip = await decode_audio_async(data)
            samples = clip.samples if clip.samplerate == PCM_SAMPLERATE else await asyncio.to_thread(
                resample, clip.samples, clip.samplerate, PCM_SAMPLERATE)
            yield (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()

        return speak

    async def _answer(self, reply: Turn, model: str, parameters: dict[str, Any]) -> None:
        self._set_phase(Phase.ANSWERING)
        speaker: SpeakWhileStreaming | None = None
        usage: Usage | None = None
        finish_reason: str | None = None
        server_model: str | None = None
        speech_failed = False
        last_save = time.monotonic()
        saved_length = 0

        def on_speech_error(_index: int, _sentence: str, exc: BaseException) -> None:
            nonlocal speech_failed
            if not speech_failed:  # one sentence per answer is enough
                speech_failed = True
                self._set_status("error", self.tr("Speaking the answer failed: {problem}").format(
                    problem=user_message(exc, model=self.speech_model())))

        def on_sentence(index: int, sentence: str) -> None:
            self.sentences_played.append(sentence)
            if index == 0:
                self.timings.setdefault("first_sentence_played", time.monotonic())

        history = self._history(reply)
        try:
            client = self.session.require_client()
            if self.preferences.voice_speak_answers:
                speaker = SpeakWhileStreaming(self._speech_fn(client), self.player, max_in_flight=MAX_SPEECH_IN_FLIGHT,
                                              on_error=on_speech_error, on_sentence=on_sentence)
                self._speaker = self.last_speaker = speaker
                self.sentences_played = []
            async with client.chat.stream(history, model=model, **parameters) as stream:
                async for event in stream:
                    if isinstance(event, ContentDelta):
                        if event.choice:
                            continue
                        if "first_token" not in self.timings:
                            self.timings["first_token"] = time.monotonic()
                        self.model.append_text(reply, event.text)
                        if speaker is not None and speaker.feed(event.text):
                            self.timings.setdefault("first_sentence", time.monotonic())
                        now = time.monotonic()
                        if self.store is not None and reply.id and reply.id > 0 and now - last_save >= SAVE_INTERVAL \
                                and len(reply.text) != saved_length:
                            last_save, saved_length = now, len(reply.text)
                            _log_failure(self.store.update_streaming(reply.id, reply.text, reasoning=reply.reasoning))
                    elif isinstance(event, ReasoningDelta):
                        reply.reasoning += event.text
                    elif isinstance(event, UsageUpdate):
                        usage = event.usage
                    elif isinstance(event, Finished) and not event.choice:
                        finish_reason = event.finish_reason
                server_model = stream.result.model
        except asyncio.CancelledError:
            if speaker is not None:
                speaker.cancel()
            await self._finish_reply(reply, MessageState.STOPPED, model=server_model or model, usage=usage,
                                     finish_reason=finish_reason)
            raise
        except _EXPECTED_ERRORS as exc:
            if speaker is not None:
                speaker.cancel()
            error = user_message(exc, model=model)
            await self._finish_reply(reply, MessageState.ERROR, model=server_model or model, usage=usage,
                                     finish_reason=finish_reason, error=error)
            self._failed_reply = reply
            self._set_status("error", error, Action.RETRY_ANSWER)
            self._set_phase(Phase.IDLE)
            return
        except Exception:
            if speaker is not None:
                speaker.cancel()
            self._set_phase(Phase.IDLE)
            raise
        self.timings["answered"] = time.monotonic()
        await self._finish_reply(reply, MessageState.COMPLETE, model=server_model or model, usage=usage,
                                 finish_reason=finish_reason)
        try:
            if speaker is not None:
                speaker.end()
                if not speaker.done:
                    self._set_phase(Phase.SPEAKING)
                try:
                    await speaker.wait()
                except AudioError as exc:
                    self._set_status("error", self.tr("{problem} The answer is shown but was not spoken.").format(
                        problem=user_message(exc)))
        finally:
            if speaker is not None and not speaker.done:
                speaker.cancel()
            if self._speaker is speaker:
                self._speaker = None
        self._set_phase(Phase.IDLE)

    async def _finish_reply(self, reply: Turn, state: MessageState, *, model: str, usage: Usage | None,
                            finish_reason: str | None, error: str | None = None) -> None:
        """Record how the answer ended: in the view at once, in the store (awaited) after."""
        reply.state = state
        reply.error = error
        self.model.changed(reply)
        if self.store is None or reply.id is None or reply.id < 0:
            return
        try:
            await self.store.finish_message(
                reply.id, state, content=reply.text, reasoning=reply.reasoning, model=model,
                finish_reason=finish_reason if state is MessageState.COMPLETE else (finish_reason or None),
                usage=usage_dict(usage), error=error)
        except Exception:
            log.exception("recording the end of a voice answer failed")
        self._refresh_conversation_later()

    # -- conversations -------------------------------------------------------------------------
    async def _ensure_conversation(self) -> Conversation | None:
        if self.conversation is not None:
            return self.conversation
        if self.store is None:
            if not self._store_note_shown:
                self._store_note_shown = True
                self.context.notifier.info(self.tr("The conversation history is unavailable, so this voice "
                                                   "conversation will not be saved."), 10000)
            return None
        self.conversation = await self.store.create_conversation(
            kind=ConversationKind.VOICE, profile_id=self.session.active_id)
        self.conversation_changed.emit()
        return self.conversation

    async def _store_exchange(self, conversation: Conversation | None, text: str, model: str,
                              parameters: dict[str, Any]) -> tuple[Turn, Turn]:
        if self.store is None or conversation is None:
            return (self._memory_turn(Role.USER, text, MessageState.COMPLETE),
                    self._memory_turn(Role.ASSISTANT, "", MessageState.STREAMING))
        cid = conversation.id
        user, reply = await self.store.run(lambda s: _append_exchange(s, cid, text, model, parameters))
        return Turn.from_message(user), Turn.from_message(reply)

    def _memory_turn(self, role: Role, text: str, state: MessageState) -> Turn:
        self._memory_ids -= 1
        return Turn(role, text, self._memory_ids, state)

    def _refresh_conversation_later(self) -> None:
        if self.store is None or self.conversation is None:
            return
        cid = self.conversation.id
        future = self.store.get_conversation(cid)

        def done(f: asyncio.Future[Conversation | None]) -> None:
            if f.cancelled() or f.exception() is not None:
                return
            fresh = f.result()
            if fresh is not None and self.conversation is not None and self.conversation.id == cid:
                self.conversation = fresh
                self.conversation_changed.emit()
                self.load_recent()

        future.add_done_callback(done)

    def new_conversation(self) -> None:
        """Start afresh: the next turn creates a new voice conversation."""
        self.stop()
        self._kept = None
        self._failed_reply = None
        self.conversation = None
        self.model.clear()
        self.clear_status()
        self.conversation_changed.emit()

    def continue_conversation(self, conversation_id: int | None = None) -> None:
        """Open a stored conversation (the latest voice one when no id is given) and go on from it."""
        if self.store is None:
            return
        self._loading.start(self._load(conversation_id))

    async def _load(self, conversation_id: int | None) -> None:
        assert self.store is not None
        if conversation_id is None:
            latest = await self.store.list_conversations(kind=ConversationKind.VOICE, limit=1)
            if not latest:
                self._set_status("info", self.tr("There is no earlier voice conversation yet."))
                return
            conversation_id = latest[0].id
        cid = conversation_id
        try:
            conversation, messages = await self.store.run(lambda s: _load(s, cid))
        except Exception as exc:
            self._set_status("error", user_message(exc))
            return
        if conversation is None:
            self._set_status("error", self.tr("That conversation no longer exists."))
            return
        self.stop()
        self._kept = None
        self._failed_reply = None
        self.conversation = conversation
        self.model.set_turns([Turn.from_message(m) for m in messages
                              if m.role in (Role.USER, Role.ASSISTANT) and (m.text.strip() or m.error)])
        self.clear_status()
        self.conversation_changed.emit()

    def load_recent(self) -> None:
        """Reload the recent conversations (voice and chat) for the Continue menu."""
        if self.store is None:
            return
        future = self.store.list_conversations(limit=15)

        def done(f: asyncio.Future[list[Conversation]]) -> None:
            if f.cancelled() or f.exception() is not None:
                return
            self.recent = f.result()
            self.recent_changed.emit()

        future.add_done_callback(done)

    def latest_voice(self) -> Conversation | None:
        return next((c for c in self.recent if c.kind is ConversationKind.VOICE), None)

    # -- reactions -----------------------------------------------------------------------------
    @Slot(str)
    def _on_preference_changed(self, name: str) -> None:
        if name == "voice_max_seconds":
            self.recorder.max_seconds = float(self.preferences.voice_max_seconds)
        elif name == "voice_input_device":
            self.rearm()
        elif name == "voice_output_device":
            self._output_choice = False  # resolved again before the next answer
        elif name == "voice_speak_answers" and not self.preferences.voice_speak_answers:
            speaker = self._speaker
            if speaker is not None:
                speaker.cancel()

    @Slot()
    def _on_client_changed(self) -> None:
        # Work started on the old client stops (its connections are closing).
        if self._phase in (Phase.TRANSCRIBING, Phase.ANSWERING, Phase.SPEAKING):
            self.barge_in()

    def shutdown_now(self) -> None:
        """The tab is gone: stop, and close every sound stream now (blocking briefly), even one
        still being opened by a worker thread. Nothing is opened afterwards."""
        speaker, self._speaker = self._speaker, None
        if speaker is not None:
            speaker.cancel()
        self._turn.cancel()
        self._arming.cancel()
        self._output.cancel()
        self.recorder.cancel()
        self._inputs.close_all()
        self._outputs.close_all()

    async def aclose(self) -> None:
        """Stop everything and close the devices (the tab goes away)."""
        self.stop()
        await self._turn.cancel_and_wait()
        await self._arming.cancel_and_wait()
        await self._output.cancel_and_wait()
        await self.recorder.close()
        await self.player.close()


def _cancelling() -> bool:
    """True inside a task that is being cancelled (its ``finally`` blocks must not act)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _log_failure(future: asyncio.Future[Any]) -> None:
    def done(f: asyncio.Future[Any]) -> None:
        if not f.cancelled() and f.exception() is not None:
            log.error("saving a streaming voice answer failed", exc_info=f.exception())

    future.add_done_callback(done)


# -- store-thread helpers (run inside AsyncStore.run: several calls, one hop) -----------------


def _append_exchange(store: Store, conversation_id: int, text: str, model: str,
                     parameters: dict[str, Any]) -> tuple[Message, Message]:
    with store.batch():
        user = store.append_message(conversation_id, Role.USER, text)
        reply = store.append_message(conversation_id, Role.ASSISTANT, "", state=MessageState.STREAMING, model=model,
                                     parameters=parameters)
    return user, reply


def _replace_after(store: Store, message_id: int, model: str, parameters: dict[str, Any]) -> Message:
    message = store.get_message(message_id)
    if message is None:
        raise LookupError(f"no message {message_id}")
    with store.batch():
        store.truncate_after(message_id)
        return store.append_message(message.conversation_id, Role.ASSISTANT, "", state=MessageState.STREAMING,
                                    model=model, parameters=parameters)


def _load(store: Store, conversation_id: int) -> tuple[Conversation | None, list[Message]]:
    conversation = store.get_conversation(conversation_id)
    if conversation is None or conversation.deleted:
        return None, []
    return conversation, store.messages(conversation_id)

