"""Cold start time, idle memory and idle CPU of Parla against a bare PySide6 window.

Each program is started as a fresh process on a real X server (an Xvfb of its own unless DISPLAY is
set); the time is from launching the process to its top-level window being mapped on the screen
("Map State: IsViewable", polled with xwininfo). Memory is the resident set size 2 s after the window shows;
idle CPU is measured over the following 5 s. Prints one line per program and the ratio.

Both programs start as an installed app does: with its bytecode compiled. The ``app`` package is
byte-compiled first (``compileall``, into the git-ignored ``__pycache__`` folders) — the standard
library and PySide6 already are, and an installed wheel or a PyInstaller bundle carries its own —
so a ``PYTHONDONTWRITEBYTECODE=1`` environment does not make Parla compile ~60 modules from source
at every start while the bare window reads PySide6's bytecode. Each program is also started once,
untimed, before its measured runs, so both find the same files in the disk cache.

    .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.setWindowTitle("BareBenchWindow"); w.resize(900, 600); w.show()
sys.exit(app.exec())
"""


def start_xvfb() -> tuple[subprocess.Popen[bytes] | None, str]:
    if os.environ.get("DISPLAY"):
        return None, os.environ["DISPLAY"]
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,), stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        display = ":" + f.readline().strip()
    return proc, display


def window_mapped(title: str, env: dict[str, str]) -> bool:
    """True once a top-level window with this title is mapped (viewable), not merely created.

    (A window gets its title when it is created, before it is mapped: looking for the title alone
    in ``xwininfo -tree`` would stop the clock too early.)
    """
    out = subprocess.run(["xwininfo", "-name", title], env=env, capture_output=True, text=True).stdout
    return "Map State: IsViewable" in out


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def compile_app() -> None:
    import compileall

    if not compileall.compile_dir(ROOT / "app", quiet=1):
        raise RuntimeError("the app package does not byte-compile")


def time_to_window(argv: list[str], title: str, env: dict[str, str]) -> float:
    """Start the program, wait for its window, stop it: a warm-up run (disk cache)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not window_mapped(title, env):
            if proc.poll() is not None or time.perf_counter() - t0 > 60:
                raise RuntimeError(f"{argv} showed no window (exit code {proc.returncode})")
            time.sleep(0.005)
        return time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)


def measure(argv: list[str], title: str, env: dict[str, str]) -> tuple[float, float, float]:
    errors = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        while not window_mapped(title, env):
            if proc.poll() is not None:
                errors.seek(0)
                tail = errors.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"{argv} exited with {proc.returncode} before showing a window:\n{tail}")
            if time.perf_counter() - t0 > 60:
                raise RuntimeError(f"{argv} showed no window within 60 s")
            time.sleep(0.005)
        shown = time.perf_counter() - t0
        time.sleep(2)
        rss = rss_mb(proc.pid)
        c0 = cpu_seconds(proc.pid)
        time.sleep(5)
        cpu = (cpu_seconds(proc.pid) - c0) / 5 * 100
        return shown, rss, cpu
    finally:
        proc.terminate()
        proc.wait(10)
        errors.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    compile_app()
    xvfb, display = start_xvfb()
    try:
        with tempfile.TemporaryDirectory() as home:
            env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "PARLA_HOME": home}
            env.pop("OPENAI_API_KEY", None)
            results = {}
            for name, argv, title in (
                ("bare PySide6 window", [sys.executable, "-c", BARE], "BareBenchWindow"),
                ("Parla", [sys.executable, "-m", "app"], "Parla"),
            ):
                time_to_window(argv, title, env)
                runs = [measure(argv, title, env) for _ in range(args.runs)]
                shown = statistics.median(r[0] for r in runs)
                rss = statistics.median(r[1] for r in runs)
                cpu = statistics.median(r[2] for r in runs)
                results[name] = shown
                print(f"{name:22s} window shown after {shown * 1000:6.0f} ms (median of {args.runs}), "
                      f"idle RSS {rss:5.1f} MB, idle CPU {cpu:4.1f} %")
            ratio = results["Parla"] / results["bare PySide6 window"]
            print(f"Parla / bare start-up ratio: {ratio:.2f}x (target 1.3x)")
    finally:
        if xvfb:
            xvfb.terminate()
            xvfb.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
