"""Device listing and choice against a stand-in sounddevice module (no sound server needed), and
what happens when PortAudio is missing."""

from __future__ import annotations

import builtins
import sys
from types import SimpleNamespace
from typing import Any

import pytest

from app.audio import (
    AudioUnavailableError,
    DeviceError,
    NoDeviceError,
    Player,
    Recorder,
    devices,
    list_input_devices,
    list_output_devices,
    open_input_stream,
    open_output_stream,
    pick_capture_samplerate,
    refresh_devices,
    resolve_input_device,
    resolve_output_device,
)


class PortAudioError(Exception):
    pass


class FakeStream:
    def __init__(self, **kw: Any) -> None:
        self.kw = kw
        self.samplerate = kw["samplerate"]
        self.latency = 0.05
        self.active = False
        self.closed = False

    def start(self) -> None:
        self.active = True

    def stop(self) -> None:
        self.active = False

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        self.closed = True


def make_sd(devs: list[dict[str, Any]], *, default: tuple[int, int] = (1, 2),
            input_rates: set[int] | None = None, busy: set[int] | None = None) -> SimpleNamespace:
    hostapis = [
        {"name": "ALSA", "devices": [0, 1, 2, 3], "default_input_device": 1, "default_output_device": 2},
        {"name": "JACK Audio Connection Kit", "devices": [4], "default_input_device": 4,
         "default_output_device": 4},
    ]
    opened: list[FakeStream] = []

    def check_input_settings(*, device: int, channels: int, dtype: str, samplerate: float) -> None:
        if input_rates is not None and samplerate not in input_rates:
            raise PortAudioError("Invalid sample rate")

    def check_output_settings(**kw: Any) -> None:
        return None

    def stream(**kw: Any) -> FakeStream:
        if busy and kw["device"] in busy:
            raise PortAudioError("Device unavailable [PaErrorCode -9985]")
        s = FakeStream(**kw)
        opened.append(s)
        return s

    sd = SimpleNamespace(
        PortAudioError=PortAudioError,
        query_devices=lambda: [dict(d, index=i) for i, d in enumerate(devs)],
        query_hostapis=lambda: hostapis,
        default=SimpleNamespace(device=list(default)),
        check_input_settings=check_input_settings,
        check_output_settings=check_output_settings,
        InputStream=stream,
        OutputStream=stream,
        opened=opened,
        terminated=0,
    )
    sd._terminate = lambda: setattr(sd, "terminated", sd.terminated + 1)
    sd._initialize = lambda: None
    return sd


def dev(name: str, inputs: int, outputs: int, hostapi: int = 0, rate: float = 44100.0) -> dict[str, Any]:
    return {"name": name, "hostapi": hostapi, "max_input_channels": inputs, "max_output_channels": outputs,
            "default_samplerate": rate}


DEVICES = [
    dev("HDA Intel PCH: ALC892 Analog (hw:0,0)", 2, 8),
    dev("USB Mic: Audio (hw:2,0)", 1, 0, rate=48000.0),
    dev("HDMI 0 (hw:1,3)", 0, 2),
    dev("pulse", 32, 32),
    dev("USB Mic: Audio (hw:2,0)", 1, 0, hostapi=1),
]


@pytest.fixture
def sd(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    fake = make_sd(DEVICES)
    monkeypatch.setattr(devices, "_sd", fake)
    return fake


def test_lists_inputs_and_outputs(sd: SimpleNamespace) -> None:
    inputs = list_input_devices()
    assert [(d.index, d.name, d.hostapi, d.channels) for d in inputs] == [
        (0, "HDA Intel PCH: ALC892 Analog (hw:0,0)", "ALSA", 2),
        (1, "USB Mic: Audio (hw:2,0)", "ALSA", 1),
        (3, "pulse", "ALSA", 32),
        (4, "USB Mic: Audio (hw:2,0)", "JACK Audio Connection Kit", 1),
    ]
    assert [d.is_default for d in inputs] == [False, True, False, False]
    assert inputs[1].default_samplerate == 48000.0 and inputs[1].kind == "input"
    outputs = list_output_devices()
    assert [d.index for d in outputs] == [0, 2, 3]
    assert [d.name for d in outputs if d.is_default] == ["HDMI 0 (hw:1,3)"]
    assert outputs[1].label == "HDMI 0 (hw:1,3) (ALSA)"


def test_resolve_by_name_not_index(sd: SimpleNamespace) -> None:
    assert resolve_input_device(None).device.index == 1  # the system default
    assert resolve_input_device("").fell_back is False
    chosen = resolve_input_device("HDA Intel PCH: ALC892 Analog (hw:0,0)")
    assert chosen.device.index == 0 and not chosen.fell_back
    # The card number changed after a reboot / replug: still the same microphone.
    assert resolve_input_device("HDA Intel PCH: ALC892 Analog (hw:3,0)").device.index == 0
    assert resolve_input_device("usb mic: audio").device.index == 1
    # The same name under two host APIs: the default device's host API wins ...
    assert resolve_input_device("USB Mic: Audio (hw:2,0)").device.hostapi == "ALSA"
    # ... unless the label names the other one.
    assert resolve_input_device("USB Mic: Audio (hw:2,0) (JACK Audio Connection Kit)").device.index == 4
    gone = resolve_input_device("Bluetooth Headset")
    assert gone.fell_back and gone.device.index == 1 and gone.requested == "Bluetooth Headset"
    assert resolve_output_device("HDMI 0 (hw:1,3)").device.index == 2
    assert resolve_output_device("USB Mic: Audio (hw:2,0)").fell_back  # not an output


def test_no_devices_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices, "_sd", make_sd([dev("HDMI", 0, 2)], default=(-1, 0)))
    assert list_input_devices() == []
    with pytest.raises(NoDeviceError) as info:
        resolve_input_device(None)
    assert info.value.kind == "input"
    assert resolve_output_device(None).device.name == "HDMI"


def test_no_default_device_takes_the_host_apis_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices, "_sd", make_sd(DEVICES, default=(-1, -1)))
    assert resolve_input_device(None).device.index == 1
    assert resolve_output_device(None).device.index == 2


def test_capture_rate_prefers_16k_then_the_device_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices, "_sd", make_sd(DEVICES, input_rates={16000, 48000}))
    mic = resolve_input_device(None).device
    assert pick_capture_samplerate(mic) == 16000
    monkeypatch.setattr(devices, "_sd", make_sd(DEVICES, input_rates={48000}))
    assert pick_capture_samplerate(mic) == 48000
    monkeypatch.setattr(devices, "_sd", make_sd(DEVICES, input_rates=set()))
    with pytest.raises(DeviceError):
        pick_capture_samplerate(mic)


def test_real_factories_open_mono_float32_streams(sd: SimpleNamespace) -> None:
    stream = open_input_stream(device="USB Mic: Audio (hw:2,0)", callback=print, finished_callback=print)
    kw = sd.opened[-1].kw
    assert (kw["device"], kw["channels"], kw["dtype"], kw["samplerate"], kw["blocksize"]) == (1, 1, "float32",
                                                                                              16000, 320)
    assert stream.samplerate == 16000 and stream.device.index == 1
    stream.start()
    assert refresh_devices() is False  # a stream is open: re-initialising PortAudio would kill it
    stream.close()
    assert refresh_devices() is True and sd.terminated == 1
    out = open_output_stream(device=None, samplerate=24000, callback=print, finished_callback=print)
    assert sd.opened[-1].kw["samplerate"] == 24000 and out.latency == 0.05
    out.close()


def test_busy_device_is_a_device_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices, "_sd", make_sd(DEVICES, busy={1}))
    with pytest.raises(DeviceError, match="unavailable") as info:
        open_input_stream(device=None, callback=print, finished_callback=print)
    assert info.value.device == "USB Mic: Audio (hw:2,0)"


@pytest.mark.asyncio
async def test_portaudio_missing_is_a_clear_error_and_nothing_else_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kw: Any) -> Any:
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kw)

    monkeypatch.setattr(devices, "_sd", None)
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(AudioUnavailableError, match="PortAudio"):
        list_input_devices()
    with pytest.raises(AudioUnavailableError):
        await Recorder().start()
    player = Player(retry_after=10)
    with pytest.raises(AudioUnavailableError):
        await player.open()
    player.feed(b"\x00\x01" * 100)
    assert not player.is_playing  # dropped quietly; the error was already reported
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # not installed at all
    monkeypatch.setattr(builtins, "__import__", real_import)
    with pytest.raises(AudioUnavailableError, match="not installed"):
        list_output_devices()
