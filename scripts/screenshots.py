#!/usr/bin/env python3
"""Make the README's screenshots: docs/screenshots/{chat,images,voice}-{en,zh}.png.

Usage: ``.venv/bin/python scripts/screenshots.py [--out DIR] [--lang en zh]`` (or ``make screenshots``).

Nothing of yours is touched: the script starts its own X server (Xvfb, on a free display between
:50 and :99) and the test suite's fake OpenAI server (tests/loopback, on 127.0.0.1), and runs Parla
with a throw-away ``PARLA_HOME`` whose profile points at that server (``OPENAI_BASE_URL`` /
``OPENAI_API_KEY``). Each language runs in its own process:

1. the demo content is written with Parla's own store (``app.store.Store``): a chat conversation
   whose answer has code, a table and a formula, a few shorter ones for the sidebar, and a voice
   conversation (``kind="voice"``);
2. Parla starts the way ``app.main`` starts it (``amain``; the language comes from the
   preferences, as if chosen in Settings), a chat message is sent from the composer and the Images
   tab generates pictures — both against the loopback server;
3. the main window, 1200×800, is grabbed on each tab and saved as an optimized 8-bit PNG.

Needs the translations built (``make translations``) and Xvfb installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTH, HEIGHT = 1200, 800
LANGUAGES = {"en": "en", "zh": "zh_CN"}
RICH_TITLE = {"en": "Moving average in pandas", "zh": "pandas 移动平均"}

# -- the parent: X server, loopback server, one child per language ---------------------------------


def _free_display() -> int:
    for number in range(50, 100):
        if not Path(f"/tmp/.X{number}-lock").exists() and not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise SystemExit("screenshots: no free X display between :50 and :99")


def _start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    if shutil.which("Xvfb") is None:
        raise SystemExit("screenshots: Xvfb is not installed (Debian/Ubuntu: apt install xvfb)")
    number = _free_display()
    process = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1400x1000x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("screenshots: Xvfb did not start")
        time.sleep(0.05)
    return process, f":{number}"


def _start_pulseaudio(runtime: Path) -> tuple[subprocess.Popen[bytes] | None, dict[str, str]]:
    """A private PulseAudio server with a null sink, so the Voice tab finds a microphone (optional)."""
    if shutil.which("pulseaudio") is None or shutil.which("pactl") is None:
        return None, {}
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(runtime))
    env.pop("PULSE_SERVER", None)
    process = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--disallow-exit",
         "--load=module-native-protocol-unix", "--load=module-null-sink sink_name=shots_sink rate=48000"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    server = f"unix:{runtime}/pulse/native"
    pactl_env = dict(env, PULSE_SERVER=server)
    deadline = time.monotonic() + 5
    while subprocess.run(["pactl", "info"], env=pactl_env, capture_output=True, check=False).returncode != 0:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            return None, {}
        time.sleep(0.05)
    subprocess.run(["pactl", "set-default-sink", "shots_sink"], env=pactl_env, capture_output=True, check=False)
    subprocess.run(["pactl", "set-default-source", "shots_sink.monitor"], env=pactl_env, capture_output=True, check=False)
    return process, {"XDG_RUNTIME_DIR": str(runtime), "PULSE_SERVER": server}


def parent(out: Path, languages: list[str]) -> int:
    if not list((ROOT / "resources" / "i18n").glob("*.qm")) and "zh" in languages:
        raise SystemExit("screenshots: the translations are not built: run `make translations` first")
    sys.path.insert(0, str(ROOT))
    from tests.loopback.server import LoopbackServer

    out.mkdir(parents=True, exist_ok=True)
    xvfb, display = _start_xvfb()
    services = Path(tempfile.mkdtemp(prefix="parla-shots-"))
    pulse, pulse_env = _start_pulseaudio(services / "run")
    server = LoopbackServer().start()
    server.stream_delay = 0.01
    code = 0
    try:
        for lang in languages:
            with tempfile.TemporaryDirectory(prefix=f"parla-shots-{lang}-") as home:
                env = dict(os.environ)
                env.update(
                    DISPLAY=display,
                    QT_QPA_PLATFORM="xcb",
                    PARLA_HOME=home,
                    OPENAI_BASE_URL=server.base_url,
                    OPENAI_API_KEY=server.token,
                    LANG="zh_CN.UTF-8" if lang == "zh" else "en_US.UTF-8",
                    LANGUAGE="",
                    LC_ALL="",
                    # No desktop keychain under Xvfb: the token comes from the environment.
                    PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                    QT_SCALE_FACTOR="1",
                )
                env.update(pulse_env)
                env.pop("WAYLAND_DISPLAY", None)
                result = subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), "--child", lang, "--out", str(out)],
                    env=env, cwd=ROOT, timeout=180, check=False,
                )
                if result.returncode != 0:
                    print(f"screenshots: the {lang} run failed ({result.returncode})", file=sys.stderr)
                    code = 1
    finally:
        server.stop()
        if pulse is not None:
            pulse.terminate()
            pulse.wait(5)
        shutil.rmtree(services, ignore_errors=True)
        xvfb.terminate()
        try:
            xvfb.wait(5)
        except subprocess.TimeoutExpired:
            xvfb.kill()
    if code == 0:
        for path in sorted(out.glob("*.png")):
            print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size // 1024} KB")
    return code


# -- the child: seed, start Parla, drive it, grab ----------------------------------------------------

_RICH_QUESTION = "How do I compute a moving average of a time series in pandas? Show a short example."

_RICH_ANSWER = r"""Use `Series.rolling(window).mean()`: each value becomes the mean of the last *window* values.

```python
import pandas as pd

prices = pd.Series([10.0, 11.5, 12.0, 11.0, 13.5, 14.0],
                   index=pd.date_range("2024-01-01", periods=6))
prices.rolling(window=3).mean()
```

| date | price | 3-day mean |
| --- | ---: | ---: |
| 2024-01-03 | 12.0 | 11.17 |
| 2024-01-04 | 11.0 | 11.50 |
| 2024-01-05 | 13.5 | 12.17 |

The simple moving average over a window of $n$ values is

$$\mathrm{SMA}_t = \frac{1}{n}\sum_{i=0}^{n-1} x_{t-i}$$

For an exponentially weighted mean, use `prices.ewm(span=3).mean()` instead."""

_RICH_QUESTION_ZH = "在 pandas 里怎么计算时间序列的移动平均？给一个简短的例子。"

_RICH_ANSWER_ZH = r"""用 `Series.rolling(window).mean()`：每个值变成最近 *window* 个值的平均数。

```python
import pandas as pd

prices = pd.Series([10.0, 11.5, 12.0, 11.0, 13.5, 14.0],
                   index=pd.date_range("2024-01-01", periods=6))
prices.rolling(window=3).mean()
```

| 日期 | 价格 | 3 日均值 |
| --- | ---: | ---: |
| 2024-01-03 | 12.0 | 11.17 |
| 2024-01-04 | 11.0 | 11.50 |
| 2024-01-05 | 13.5 | 12.17 |

窗口为 $n$ 的简单移动平均是

$$\mathrm{SMA}_t = \frac{1}{n}\sum_{i=0}^{n-1} x_{t-i}$$

如果要指数加权平均，改用 `prices.ewm(span=3).mean()`。"""

_VOICE_TURNS_ZH = [
    ("怎样记住八大行星的顺序？", "按离太阳由近到远：水、金、地、火、木、土、天、海——念成“水金地火木土天海”就好记了。"),
    ("哪颗行星的卫星最多？", "土星。已确认的卫星超过一百颗，比太阳系里任何其他行星都多。"),
    ("太阳光到土星要多久？", "大约 80 分钟：土星离太阳的距离约是地球的 9.5 倍，而阳光到地球只要 8 分多钟。"),
]

_OTHER_CHATS_ZH = [
    ("四月京都三日游", "帮我安排四月在京都轻松玩三天。",
     "**第一天**：东山一带——清水寺、二年坂，傍晚去祇园。\n\n**第二天**：岚山竹林，然后沿哲学之道赏樱。"),
    ("Translate meeting notes", "Translate into Chinese: the new version ships next Monday.", "新版本将于下周一发布。"),
    ("ISO 日期正则", "匹配 2024-05-31 这种 ISO 8601 日期的正则？",
     "`^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$`"),
]

_OTHER_CHATS = [
    ("Trip to Kyoto in April", "Plan three relaxed days in Kyoto in April.",
     "**Day 1** — Higashiyama: Kiyomizu-dera, Ninenzaka, Gion at dusk.\n\n**Day 2** — Arashiyama bamboo grove and the Philosopher's Path for the cherry blossoms."),
    ("翻译：会议纪要", "把这段会议纪要翻译成英文：下周一发布新版本。",
     "The new version will be released next Monday."),
    ("Regex for ISO dates", "A regex that matches ISO 8601 dates like 2024-05-31?",
     "`^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$`"),
]

_VOICE_TURNS = [
    ("What's a good way to remember the order of the planets?",
     ("Try the sentence \"My Very Educated Mother Just Served Us Noodles\": Mercury, Venus, Earth, Mars, "
      "Jupiter, Saturn, Uranus, Neptune.")),
    ("And which one has the most moons?",
     "Saturn, with well over a hundred confirmed moons — more than any other planet in the solar system."),
    ("How long does light from the Sun take to reach Saturn?",
     ("About 80 minutes: Saturn is roughly 9.5 times as far from the Sun as the Earth, and sunlight "
      "needs a little over 8 minutes to reach us.")),
]

_IMAGE_PROMPTS = [
    ("A lighthouse on a cliff at dawn, oil painting", 2),
    ("Isometric tiny city block, soft pastel colours", 3),
    ("一只在屋顶上睡觉的橘猫", 2),
]


def _seed(locations: object, lang: str) -> None:
    from app.profiles import Profile, ProfileStore
    from app.settings import Preferences
    from app.store import ConversationKind, Role, Store, database_path

    preferences = Preferences.in_folder(locations.config)  # type: ignore[attr-defined]
    preferences.language = LANGUAGES[lang]
    preferences.theme = "light"
    store = ProfileStore(locations.config)  # type: ignore[attr-defined]
    store.profiles = [Profile(id="default", name="OpenAI", base_url=os.environ["OPENAI_BASE_URL"], timeout=30)]
    store.active_id = "default"
    store.save()

    zh = lang == "zh"
    other_chats = _OTHER_CHATS_ZH if zh else _OTHER_CHATS
    voice_turns = _VOICE_TURNS_ZH if zh else _VOICE_TURNS
    rich_title = RICH_TITLE[lang]
    now = time.time()
    db = Store(database_path(locations.data))  # type: ignore[attr-defined]
    try:
        with db.batch():
            for age, (title, question, answer) in enumerate(other_chats, start=1):
                when = now - age * 86400 * (2 if age > 1 else 1)
                conversation = db.create_conversation(title=title, model="gpt-4o-mini", created_at=when, updated_at=when)
                db.append_message(conversation.id, Role.USER, question, created_at=when)
                db.append_message(conversation.id, Role.ASSISTANT, answer, model="gpt-4o-mini", created_at=when)
            voice = db.create_conversation(title="行星" if zh else "Planets", kind=ConversationKind.VOICE, model="gpt-4o-mini",
                                           created_at=now - 3600, updated_at=now - 3600)
            for question, answer in voice_turns:
                db.append_message(voice.id, Role.USER, question, created_at=now - 3600)
                db.append_message(voice.id, Role.ASSISTANT, answer, model="gpt-4o-mini", created_at=now - 3600)
            rich = db.create_conversation(title=rich_title, model="gpt-4o",
                                          created_at=now - 600, updated_at=now - 600)
            db.append_message(rich.id, Role.USER, _RICH_QUESTION_ZH if zh else _RICH_QUESTION, created_at=now - 600)
            db.append_message(rich.id, Role.ASSISTANT, _RICH_ANSWER_ZH if zh else _RICH_ANSWER, model="gpt-4o", created_at=now - 590,
                              usage={"prompt_tokens": 31, "completion_tokens": 212, "total_tokens": 243},
                              finish_reason="stop")
    finally:
        db.close()


def _save_png(image: object, path: Path) -> None:
    """An optimized palette PNG (UI screenshots have few colours): a fraction of Qt's RGB file."""
    from io import BytesIO

    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[attr-defined]
    picture = Image.open(BytesIO(bytes(buffer.data()))).convert("RGB")
    quantized = picture.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    quantized.save(path, "PNG", optimize=True)


def child(lang: str, out: Path) -> int:
    import asyncio

    sys.path.insert(0, str(ROOT))
    import qasync
    from PySide6.QtWidgets import QApplication

    from app import __version__, paths
    from app.main import APP_ID, amain, install_translators
    from app.settings import Preferences
    from app.ui.theme import ThemeManager

    locations = paths.locations().ensure()
    _seed(locations, lang)

    QApplication.setApplicationName("Parla")
    QApplication.setOrganizationName("Parla")
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)
    app = QApplication([sys.argv[0]])
    from app.main import _app_icon

    icon = _app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    preferences = Preferences.in_folder(locations.config)
    translators = install_translators(app, preferences.language)
    theme = ThemeManager(app, preferences)
    theme.apply()

    failure: list[BaseException] = []

    async def until(condition, timeout: float = 15.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(0.05)

    async def settle(seconds: float = 0.6) -> None:
        await asyncio.sleep(seconds)
        app.processEvents()

    async def drive() -> None:
        from app.ui.main_window import MainWindow

        try:
            await until(lambda: any(isinstance(w, MainWindow) for w in app.topLevelWidgets()), what="the window")
            window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
            session = window._context.session
            window.resize(WIDTH, HEIGHT)
            await until(lambda: window.built_page(0) is not None, what="the Chat tab")
            await until(lambda: session.client is not None, what="the connection")
            await settle(1.0)

            def shot(name: str) -> None:
                app.processEvents()
                window.resize(WIDTH, HEIGHT)
                app.processEvents()
                _save_png(window.grab().toImage(), out / f"{name}-{lang}.png")

            # Images: generate a few pictures through the tab, against the loopback server.
            window.show_tab(1)
            await until(lambda: window.built_page(1) is not None, what="the Images tab")
            images = window.built_page(1)
            await until(lambda: images.controller.loaded, what="the gallery")
            generate = images.generate_panel
            from app.store.gallery import Operation

            for prompt, count in _IMAGE_PROMPTS:
                generate.model_box.set_model("dall-e-2")
                await settle(0.2)
                generate.prompt.set_text(prompt)
                generate.options.count_spin.setValue(count)
                images.run(Operation.GENERATE)
                await until(lambda: not generate.running, 30, "a generation")
            generate.model_box.set_model("gpt-image-1")
            await settle(0.2)
            generate.prompt.set_text(_IMAGE_PROMPTS[0][0] if lang == "en" else "黄昏时分海边的灯塔，水彩画")
            await settle(1.0)
            shot("images")

            # Chat: send a message from the composer (the loopback echoes it, rendered as Markdown),
            # then show the stored conversation with code, a table and a formula.
            window.show_tab(0)
            chat = window.built_page(0)
            await settle()
            chat.new_chat()
            await settle(0.3)
            message = ("Markdown check\n\n**Bold**, `code` and a list:\n\n- one\n- two"
                       if lang == "en" else "Markdown 测试\n\n**粗体**、`代码` 和列表：\n\n- 一\n- 二")
            chat.composer.editor.setPlainText(message)
            chat.send()
            await until(lambda: not chat.controller.is_streaming() and chat.composer.text() == "", 20, "the reply")
            await settle(1.0)
            conversations = await chat.controller.store.list_conversations()
            rich_id = next(c.id for c in conversations if c.title == RICH_TITLE[lang])
            chat.sidebar.conversation_activated.emit(rich_id)
            await settle(1.5)
            chat.composer.editor.setPlainText(
                "Can you also plot it with matplotlib?" if lang == "en" else "能再用 matplotlib 画出来吗？")
            await settle(0.5)
            shot("chat")

            # Voice: the stored voice conversation, continued.
            window.show_tab(2)
            await until(lambda: window.built_page(2) is not None, what="the Voice tab")
            voice = window.built_page(2)
            await settle()
            voice.controller.continue_conversation()
            await settle(1.5)
            shot("voice")

        except BaseException as exc:  # noqa: BLE001 - reported after the app has shut down cleanly
            failure.append(exc)
        finally:
            for widget in app.topLevelWidgets():
                if isinstance(widget, MainWindow):
                    widget.request_quit()

    async def run() -> int:
        driver = asyncio.get_running_loop().create_task(drive())
        code = await amain(app, locations, preferences)
        await driver
        return code

    try:
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            code = runner.run(run())
    finally:
        for translator in translators:
            app.removeTranslator(translator)
    if failure:
        import traceback

        traceback.print_exception(failure[0])
        return 1
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", nargs="+", choices=sorted(LANGUAGES), default=["en", "zh"])
    parser.add_argument("--child", choices=sorted(LANGUAGES), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        return child(options.child, options.out.resolve())
    return parent(options.out.resolve(), options.lang)


if __name__ == "__main__":
    sys.exit(main())
