"""Parla's audio core: devices, push-to-talk recording, encoding, sentence splitting, gapless
playback, speak-while-streaming and voice-activity detection.

No Qt here (an import-linter contract enforces it): everything is asyncio, and the sounddevice
callbacks hand data to the loop with ``loop.call_soon_threadsafe``. sounddevice itself is imported
lazily (see :mod:`app.audio.devices`), so a machine without PortAudio still starts the app and
gets :class:`AudioUnavailableError` from the first sound call.

Modules: :mod:`~app.audio.devices`, :mod:`~app.audio.recorder`, :mod:`~app.audio.encode`,
:mod:`~app.audio.sentences`, :mod:`~app.audio.player`, :mod:`~app.audio.speech_pipeline`,
:mod:`~app.audio.vad`, :mod:`~app.audio.resample`, and :mod:`~app.audio.fakes` (streams for tests).
"""

from app.audio.clip import SILENCE_DBFS, Clip, EndReason, Level, as_mono_float32, to_dbfs
from app.audio.devices import (
    DeviceInfo,
    ResolvedDevice,
    default_device,
    list_input_devices,
    list_output_devices,
    load_sounddevice,
    open_input_stream,
    open_output_stream,
    pick_capture_samplerate,
    pick_playback_samplerate,
    refresh_devices,
    resolve_input_device,
    resolve_output_device,
)
from app.audio.encode import (
    MAX_UPLOAD_BYTES,
    TARGET_SAMPLERATE,
    EncodedAudio,
    SpeechCheck,
    StreamingEncoder,
    check_speech,
    check_upload_bytes,
    check_upload_size,
    encode,
    encode_async,
    is_speech,
)
from app.audio.errors import (
    AudioError,
    AudioUnavailableError,
    DeviceError,
    DeviceLostError,
    FileTooLargeError,
    NoDeviceError,
    UnsupportedFormatError,
)
from app.audio.player import (
    PCM_SAMPLERATE,
    SAVE_FORMATS,
    Player,
    decode_audio,
    decode_audio_async,
    pcm_to_clip,
    save_audio,
    save_audio_async,
    save_speech,
    save_speech_async,
)
from app.audio.recorder import Recorder, Take
from app.audio.resample import Resampler, resample
from app.audio.sentences import MarkdownSpeechFilter, SentenceSplitter
from app.audio.speech_pipeline import SpeakWhileStreaming, speech_source
from app.audio.vad import EnergyVAD, VadEvent

__all__ = [
    "MAX_UPLOAD_BYTES",
    "PCM_SAMPLERATE",
    "SAVE_FORMATS",
    "SILENCE_DBFS",
    "TARGET_SAMPLERATE",
    "AudioError",
    "AudioUnavailableError",
    "Clip",
    "DeviceError",
    "DeviceInfo",
    "DeviceLostError",
    "EncodedAudio",
    "EndReason",
    "EnergyVAD",
    "FileTooLargeError",
    "Level",
    "MarkdownSpeechFilter",
    "NoDeviceError",
    "Player",
    "Recorder",
    "Resampler",
    "ResolvedDevice",
    "SentenceSplitter",
    "SpeakWhileStreaming",
    "SpeechCheck",
    "StreamingEncoder",
    "Take",
    "UnsupportedFormatError",
    "VadEvent",
    "as_mono_float32",
    "check_speech",
    "check_upload_bytes",
    "check_upload_size",
    "decode_audio",
    "decode_audio_async",
    "default_device",
    "encode",
    "encode_async",
    "is_speech",
    "list_input_devices",
    "list_output_devices",
    "load_sounddevice",
    "open_input_stream",
    "open_output_stream",
    "pcm_to_clip",
    "pick_capture_samplerate",
    "pick_playback_samplerate",
    "refresh_devices",
    "resample",
    "resolve_input_device",
    "resolve_output_device",
    "save_audio",
    "save_audio_async",
    "save_speech",
    "save_speech_async",
    "speech_source",
    "to_dbfs",
]
