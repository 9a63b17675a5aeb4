"""Sound devices through sounddevice (PortAudio): listing, choosing by name, opening streams.

Why by name: PortAudio numbers devices in enumeration order, which changes when a headset is
plugged in or the machine restarts; the name is what the user picked and what we store in
settings. A stored name that no longer exists falls back to the system default (and says so),
so a missing USB microphone never blocks the Voice tab.

sounddevice is imported lazily: ``import sounddevice`` raises ``OSError`` when the PortAudio
library is missing, and that must become :class:`AudioUnavailableError` at the first call that
needs sound rather than crash the app at start-up.

PortAudio is not safe to call from several threads at once, and our calls run in
``asyncio.to_thread`` workers, so every call that opens, starts, stops or closes a stream, or
queries devices, holds :data:`PA_LOCK`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal, Protocol

from app.audio.errors import AudioUnavailableError, DeviceError, NoDeviceError

__all__ = [
    "CAPTURE_RATES",
    "PA_LOCK",
    "DeviceInfo",
    "ResolvedDevice",
    "StreamLike",
    "default_device",
    "list_input_devices",
    "list_output_devices",
    "load_sounddevice",
    "open_input_stream",
    "open_output_stream",
    "pick_capture_samplerate",
    "pick_playback_samplerate",
    "refresh_devices",
    "resolve_input_device",
    "resolve_output_device",
]

Kind = Literal["input", "output"]

#: Rates tried for capture, in order, before the device's own default: 16 kHz is what speech
#: recognisers use, so asking the device for it saves resampling.
CAPTURE_RATES: tuple[int, ...] = (16000,)

PA_LOCK = threading.RLock()

_sd: ModuleType | None = None
_open_streams = 0


class StreamLike(Protocol):
    """What the recorder and player need from a stream: sounddevice's streams and the fakes."""

    samplerate: float

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def abort(self) -> None: ...
    def close(self) -> None: ...


def load_sounddevice() -> ModuleType:
    """Import sounddevice once; raise :class:`AudioUnavailableError` if PortAudio is missing."""
    global _sd
    if _sd is None:
        try:
            import sounddevice
        except OSError as exc:  # "PortAudio library not found"
            raise AudioUnavailableError(f"PortAudio is not available: {exc}") from exc
        except ImportError as exc:
            raise AudioUnavailableError(f"sounddevice is not installed: {exc}") from exc
        _sd = sounddevice
    return _sd



@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """One device as sounddevice lists it, seen from one direction (``kind``)."""

    name: str
    index: int
    hostapi: str
    channels: int
    default_samplerate: float
    is_default: bool
    kind: Kind

    @property
    def label(self) -> str:
        """Name with host API, for menus where the same name appears under several host APIs."""
        return f"{self.name} ({self.hostapi})" if self.hostapi else self.name


@dataclass(frozen=True, slots=True)
class ResolvedDevice:
    """The device to use for a stored choice; ``fell_back`` is True when the choice was not found
    (the UI can say "Using the default microphone: <name> was not found")."""

    device: DeviceInfo
    requested: str | None
    fell_back: bool


def _devices(kind: Kind) -> list[DeviceInfo]:
    sd = load_sounddevice()
    channels_key = "max_input_channels" if kind == "input" else "max_output_channels"
    with PA_LOCK:
        try:
            raw = list(sd.query_devices())
            hostapis = list(sd.query_hostapis())
            default_pair = sd.default.device
        except sd.PortAudioError as exc:
            raise AudioUnavailableError(f"PortAudio could not list devices: {exc}") from exc
    default_index = _default_index(default_pair, kind, hostapis)
    result = []
    for index, dev in enumerate(raw):
        channels = int(dev.get(channels_key, 0) or 0)
        if channels <= 0:
            continue
        hostapi_index = dev.get("hostapi", -1)
        hostapi = str(hostapis[hostapi_index]["name"]) if 0 <= hostapi_index < len(hostapis) else ""
        result.append(DeviceInfo(
            name=str(dev.get("name", f"Device {index}")), index=int(dev.get("index", index)), hostapi=hostapi,
            channels=channels, default_samplerate=float(dev.get("default_samplerate") or 0.0),
            is_default=index == default_index, kind=kind,
        ))
    return result


def _default_index(default_pair: Any, kind: Kind, hostapis: Sequence[Any]) -> int:
    position = 0 if kind == "input" else 1
    try:
        value = default_pair[position]
    except (TypeError, IndexError, KeyError):
        value = default_pair
    try:
        index = int(value)
    except (TypeError, ValueError):
        index = -1
    if index < 0:  # no global default: take the first host API's default
        key = "default_input_device" if kind == "input" else "default_output_device"
        for api in hostapis:
            candidate = int(api.get(key, -1))
            if candidate >= 0:
                return candidate
    return index


def list_input_devices() -> list[DeviceInfo]:
    """Devices that can record, in PortAudio's order; the default one has ``is_default``."""
    return _devices("input")


def list_output_devices() -> list[DeviceInfo]:
    """Devices that can play, in PortAudio's order; the default one has ``is_default``."""
    return _devices("output")


def default_device(kind: Kind) -> DeviceInfo:
    """The system default input or output; the first usable device if there is no default."""
    devices = _devices(kind)
    if not devices:
        raise NoDeviceError(kind)
    for dev in devices:
        if dev.is_default:
            return dev
    return devices[0]


_HW_SUFFIX = re.compile(r"\s*\((hw:\d+,\d+|plughw:\d+,\d+)\)\s*$")


def _normalise(name: str) -> str:
    """ALSA puts card numbers in names ("USB Mic: Audio (hw:2,0)") and they change with the plug
    order; compare names without them, case-insensitively."""
    return _HW_SUFFIX.sub("", name).strip().casefold()


def _resolve(kind: Kind, choice: str | int | None) -> ResolvedDevice:
    devices = _devices(kind)
    if not devices:
        raise NoDeviceError(kind)
    default = next((d for d in devices if d.is_default), devices[0])
    if choice is None or choice == "":
        return ResolvedDevice(default, None, False)
    if isinstance(choice, int):  # an index: only meaningful within one run (tests, CLI)
        for dev in devices:
            if dev.index == choice:
                return ResolvedDevice(dev, str(choice), False)
        return ResolvedDevice(default, str(choice), True)
    exact = [d for d in devices if d.name == choice or d.label == choice]
    if not exact:
        wanted = _normalise(choice)
        exact = [d for d in devices if _normalise(d.name) == wanted or _normalise(d.label) == wanted]
    if exact:
        # The same name under several host APIs (Windows: MME, DirectSound, WASAPI): prefer the
        # default device's host API, which is what the rest of the system uses.
        exact.sort(key=lambda d: d.hostapi != default.hostapi)
        return ResolvedDevice(exact[0], choice, False)
    return ResolvedDevice(default, choice, True)


def resolve_input_device(choice: str | int | None) -> ResolvedDevice:
    """The input device for a stored choice (a name; ``None``/"" = follow the system default)."""
    return _resolve("input", choice)


def resolve_output_device(choice: str | int | None) -> ResolvedDevice:
    """The output device for a stored choice (a name; ``None``/"" = follow the system default)."""
    return _resolve("output", choice)


def _supported(check: Callable[..., None], device: int, rate: float, dtype: str) -> bool:
    sd = load_sounddevice()
    try:
        with PA_LOCK:
            check(device=device, channels=1, dtype=dtype, samplerate=rate)
    except (sd.PortAudioError, ValueError):
        return False
    return True


def pick_capture_samplerate(device: DeviceInfo, preferred: Sequence[int] = CAPTURE_RATES) -> int:
    """A rate the device records mono float32 at: 16 kHz if it can, else its own default.

    Raises :class:`DeviceError` when the device refuses them all (busy or broken).
    """
    sd = load_sounddevice()
    candidates = [*preferred, int(device.default_samplerate), 48000, 44100]
    for rate in dict.fromkeys(r for r in candidates if r > 0):
        if _supported(sd.check_input_settings, device.index, rate, "float32"):
            return rate
    raise DeviceError(f"{device.name} accepts none of the sample rates tried.", device=device.name)


def pick_playback_samplerate(device: DeviceInfo, preferred: int) -> int:
    """``preferred`` (24 kHz for speech) if the device plays it, else the device default (the
    player then resamples)."""
    sd = load_sounddevice()
    candidates = [preferred, int(device.default_samplerate), 48000, 44100]
    for rate in dict.fromkeys(r for r in candidates if r > 0):
        if _supported(sd.check_output_settings, device.index, rate, "float32"):
            return rate
    raise DeviceError(f"{device.name} accepts none of the sample rates tried.", device=device.name)


class _CountedStream:
    """Wraps a sounddevice stream: serialises PortAudio calls and counts open streams (so
    :func:`refresh_devices` knows when re-initialising PortAudio is safe)."""

    def __init__(self, stream: Any, device: DeviceInfo) -> None:
        self._stream = stream
        self.device = device
        self.samplerate = float(stream.samplerate)
        self._closed = False

    @property
    def latency(self) -> float:
        return float(self._stream.latency)

    @property
    def active(self) -> bool:
        return bool(self._stream.active)

    def _call(self, name: str) -> None:
        sd = load_sounddevice()
        try:
            with PA_LOCK:
                getattr(self._stream, name)()
        except sd.PortAudioError as exc:
            raise DeviceError(f"{self.device.name}: {exc}", device=self.device.name) from exc

    def start(self) -> None:
        self._call("start")

    def stop(self) -> None:
        self._call("stop")

    def abort(self) -> None:
        self._call("abort")

    def close(self) -> None:
        global _open_streams
        if self._closed:
            return
        self._closed = True
        try:
            self._call("close")
        finally:
            with PA_LOCK:
                _open_streams -= 1


def _open(kind: Kind, device: DeviceInfo, samplerate: int, **kwargs: Any) -> _CountedStream:
    global _open_streams
    sd = load_sounddevice()
    cls = sd.InputStream if kind == "input" else sd.OutputStream
    try:
        with PA_LOCK:
            stream = cls(device=device.index, samplerate=samplerate, channels=1, dtype="float32", **kwargs)
            _open_streams += 1
    except sd.PortAudioError as exc:
        # Busy device, denied permission, unplugged since listing: all land here.
        raise DeviceError(f"Could not open {device.name}: {exc}", device=device.name) from exc
    return _CountedStream(stream, device)


def open_input_stream(
    *, device: str | int | None, callback: Callable[..., None], finished_callback: Callable[[], None],
    samplerate: int | None = None, blocksize: int | None = None,
) -> _CountedStream:
    """The real input stream factory used by :class:`~app.audio.recorder.Recorder` (not started).

    Blocks of ~20 ms: small enough for a smooth meter and quick VAD, large enough that handing
    each block to the event loop costs nothing.
    """
    resolved = resolve_input_device(device)
    rate = samplerate or pick_capture_samplerate(resolved.device)
    return _open("input", resolved.device, rate, callback=callback, finished_callback=finished_callback,
                 blocksize=blocksize if blocksize is not None else rate // 50, latency="high")


def open_output_stream(
    *, device: str | int | None, samplerate: int, callback: Callable[..., None],
    finished_callback: Callable[[], None], latency: float | str = 0.1,
) -> _CountedStream:
    """The real output stream factory used by :class:`~app.audio.player.Player` (not started).

    ``latency`` 0.1 s: low enough that barge-in is heard as immediate, high enough that the
    callback (which needs the GIL) survives a busy UI thread without crackles.
    """
    resolved = resolve_output_device(device)
    rate = pick_playback_samplerate(resolved.device, samplerate)
    return _open("output", resolved.device, rate, callback=callback, finished_callback=finished_callback,
                 latency=latency)


def refresh_devices() -> bool:
    """Re-scan devices (PortAudio only sees devices present when it started).

    Re-initialising PortAudio invalidates open streams, so this does nothing and returns False
    while any stream of ours is open.
    """
    sd = load_sounddevice()
    with PA_LOCK:
        if _open_streams > 0:
            return False
        sd._terminate()
        sd._initialize()
    return True
