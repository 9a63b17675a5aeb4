"""Voice tab latency: releasing Talk → the transcription request on the wire, and the first complete
sentence of the answer → its first audible sample.

The real Voice tab controller runs on a qasync loop against the loopback OpenAI server (speech
answered at once: its own response time is ~1 ms), with either fake sound devices (default: the
injected streams the tests use, pulled at real time) or the real ones (``--real``: sounddevice over
PulseAudio, e.g. under ``scripts/with-services``; espeak-ng speech is played into the sink that the
microphone hears).

Per turn: hold Talk for ``--seconds`` (10) of speech fed in real time, release, then the answer
streams (20 ms between 4-character pieces) and is spoken. Printed per upload format:

* release → request sent: from the release to the client handing the upload to httpx;
* release → request received: to the loopback server having read the whole multipart body;
* upload size, and its ratio to the same clip as 16-bit WAV;
* first sentence → audible: from the moment the text stream completed the first sentence to the
  output callback writing its first non-silent sample, plus the output buffer's latency (when the
  DAC plays it); and the part of it spent before the PCM reached the player.

    .venv/bin/python benchmarks/voice_latency.py [--runs 3] [--seconds 10] [--real]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import qasync
from PySide6.QtWidgets import QApplication

SENTENCE = "Here is the first sentence of the answer. And a second one follows it. The third one ends it."


class FirstSound:
    """Wraps an output stream factory: notes when the callback first writes a non-silent sample."""

    def __init__(self, factory: Callable[..., Any]) -> None:
        self._factory = factory
        self.at: float | None = None

    def reset(self) -> None:
        self.at = None

    def __call__(self, **kwargs: Any) -> Any:
        callback = kwargs["callback"]

        def timed(outdata: Any, frames: int, time_info: Any, status: Any) -> None:
            callback(outdata, frames, time_info, status)
            if self.at is None and np.any(np.abs(np.nan_to_num(outdata)) > 1e-4):
                latency = 0.0
                try:
                    latency = max(0.0, float(time_info.outputBufferDacTime) - float(time_info.currentTime))
                except (AttributeError, TypeError, ValueError):
                    pass
                self.at = time.monotonic() + (latency if latency < 1.0 else 0.0)

        kwargs["callback"] = timed
        return self._factory(**kwargs)


def arrival_watcher(server: Any, path: str) -> tuple[dict[int, float], threading.Event]:
    """A thread noting (to ~0.5 ms) when each request to ``path`` has been read by the server."""
    seen: dict[int, float] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            count = len(server.requests_to(path))
            if count not in seen:
                seen[count] = time.monotonic()
            time.sleep(0.0005)

    threading.Thread(target=watch, daemon=True).start()
    return seen, stop


async def run(args: argparse.Namespace) -> int:
    from app import paths
    from app.audio import open_output_stream
    from app.audio.fakes import FakeInputFactory, FakeOutputFactory
    from app.credentials import Vault
    from app.profiles import EnvironmentOverride, Profile, ProfileStore
    from app.settings import Preferences, WindowState
    from app.store import AsyncStore, database_path
    from app.ui.context import AppContext
    from app.ui.notify import Notifier
    from app.ui.session import Session
    from app.ui.tasks import TaskRegistry
    from app.ui.voice.backend import AudioBackend
    from app.ui.voice.controller import Phase, VoiceController
    from tests.loopback.server import LoopbackServer
    from tests.ui.voice.voice_fixtures import FakeAudio, speechlike

    server = LoopbackServer().start()
    server.transcription_text = SENTENCE
    server.stream_delay = 0.02
    server.speech_chunk_delay = 0.0  # the speech server answers at once
    locations = paths.locations().ensure()
    store = ProfileStore(locations.config)
    store.profiles = [Profile(id="default", name="Loopback", base_url=server.base_url)]
    store.active_id = "default"
    store.save()
    tasks = TaskRegistry()
    session = Session(store, Vault(), tasks, environment=EnvironmentOverride(server.base_url, server.token))
    history = await AsyncStore.open(database_path(locations.data))
    preferences = Preferences.in_folder(locations.config)
    context = AppContext(locations=locations, preferences=preferences, window_state=WindowState.in_folder(locations.config),
                         tasks=tasks, notifier=Notifier(), session=session, store=history)
    await session.start()

    speech_file: Path | None = None
    if args.real:
        sound = FirstSound(open_output_stream)
        backend = AudioBackend(output_factory=sound)
        speech_file = Path(tempfile.mkdtemp()) / "said.wav"
        words = " ".join(["This is a test of the voice tab, spoken for the latency benchmark."] * 3)
        await asyncio.to_thread(subprocess.run, ["espeak-ng", "-s", "150", "-w", str(speech_file), words], check=True)
        fake = None
    else:
        fake = FakeAudio(speed=1.0)
        sound = FirstSound(fake.outputs)
        backend = AudioBackend(input_factory=fake.inputs, output_factory=sound, list_inputs=fake.backend.list_inputs,
                               list_outputs=fake.backend.list_outputs, resolve_input=fake.backend.resolve_input,
                               resolve_output=fake.backend.resolve_output)
        _ = FakeInputFactory, FakeOutputFactory

    controller = VoiceController(context, backend)
    controller.set_visible(True)
    while not controller.recorder.is_armed:
        await asyncio.sleep(0.01)
    if args.real:
        await controller.recorder.wait_flowing(10)
    arrivals, stop_watching = arrival_watcher(server, "/audio/transcriptions")
    clips = "espeak-ng speech played into the sink" if args.real else f"{args.seconds:g} s clips"
    print(f"Voice latency ({'real PulseAudio devices' if args.real else 'fake devices'}, loopback server, "
          f"{clips}, {args.runs} runs per format)")
    try:
        for fmt in ("opus", "flac"):
            preferences.voice_upload_format = fmt
            sent, received, sizes, ratios, audible, handed, lengths = [], [], [], [], [], [], []
            for _ in range(args.runs):
                sound.reset()
                before = len(server.requests_to("/audio/transcriptions"))
                controller.press()
                while not controller.recorder.is_recording:
                    await asyncio.sleep(0.001)
                if fake is not None:
                    clip = speechlike(args.seconds)
                    block = 320
                    started = time.monotonic()
                    for i in range(0, len(clip), block):
                        fake.mic.emit(clip[i:i + block])
                        delay = started + (i + block) / 16000 - time.monotonic()
                        if delay > 0:
                            await asyncio.sleep(delay)
                else:
                    assert speech_file is not None
                    player = await asyncio.create_subprocess_exec("paplay", "--device=ci_sink", str(speech_file))
                    await player.wait()
                    await asyncio.sleep(0.2)
                controller.finish()
                while len(server.requests_to("/audio/transcriptions")) == before:
                    await asyncio.sleep(0.001)
                await asyncio.sleep(0.01)
                while controller.phase is not Phase.IDLE or controller.player.is_playing:
                    await asyncio.sleep(0.01)
                t = controller.timings
                upload = server.requests_to("/audio/transcriptions")[-1].files["file"][0]
                sent.append((t["transcribe_sent"] - t["released"]) * 1000)
                received.append((arrivals[before + 1] - t["released"]) * 1000)
                duration = controller.recorder.last_take.clip.duration if controller.recorder.last_take else args.seconds
                wav_bytes = 44 + duration * 16000 * 2
                lengths.append(duration)
                sizes.append(len(upload.data) / 1024)
                ratios.append(len(upload.data) / wav_bytes)
                if sound.at is not None and "first_sentence" in t:
                    audible.append((sound.at - t["first_sentence"]) * 1000)
                    handed.append((t["first_sentence_played"] - t["first_sentence"]) * 1000)
                await asyncio.sleep(0.3)
            print(f"  {fmt:4}: release → request sent      median {statistics.median(sent):6.1f} ms  "
                  f"(max {max(sent):.1f})")
            print(f"        release → request received  median {statistics.median(received):6.1f} ms  "
                  f"(max {max(received):.1f})")
            print(f"        upload {statistics.median(sizes):.0f} KB for {statistics.median(lengths):.1f} s "
                  f"= {statistics.median(ratios):.2f} × 16-bit WAV")
            if audible:
                print(f"        first sentence → audible    median {statistics.median(audible):6.1f} ms  "
                      f"(max {max(audible):.1f}; to the player {statistics.median(handed):.1f} ms)")
    finally:
        stop_watching.set()
        await controller.aclose()
        await tasks.cancel_all()
        await session.aclose()
        await history.close()
        server.stop()
        if fake is not None:
            fake.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--real", action="store_true", help="use the real sound devices (PulseAudio)")
    args = parser.parse_args()
    if args.real and not (os.environ.get("PULSE_SERVER") and shutil.which("paplay") and shutil.which("espeak-ng")):
        print("--real needs PulseAudio (PULSE_SERVER; run under scripts/with-services), paplay and espeak-ng")
        return 2
    home = tempfile.mkdtemp(prefix="parla-bench-")
    os.environ["PARLA_HOME"] = home
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with loop:
            return loop.run_until_complete(run(args))
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
