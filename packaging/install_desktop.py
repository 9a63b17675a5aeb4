"""Install Parla's launcher, icons and AppStream file for the current user (``make install-desktop``).

Everything goes under ``$XDG_DATA_HOME`` (``~/.local/share`` when unset), where desktops look for
per-user applications, so no root is needed and Parla appears in the application menu at once:

    applications/io.github.parla_app.Parla.desktop   the launcher, its Exec= pointing at PROGRAM
    icons/hicolor/<N>x<N>/apps/io.github.parla_app.Parla.png, icons/hicolor/scalable/apps/….svg
    metainfo/io.github.parla_app.Parla.metainfo.xml  what software centres show

PROGRAM is ``--exec`` if given, else the bundle ``dist/parla/parla`` if it was built, else the
virtual environment's ``parla`` launcher. ``--uninstall`` removes the same files. The caches of the
menu and icon theme are refreshed when their tools exist (desktops also notice on their own).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.parla_app.Parla"
DESKTOP_SOURCE = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO_SOURCE = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "")
    # The spec: a relative or empty value is to be ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    return Path.home() / ".local" / "share"


def default_program() -> Path | None:
    for candidate in (ROOT / "dist" / "parla" / "parla", ROOT / ".venv" / "bin" / "parla"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def exec_value(program: Path) -> str:
    """``program`` as a Desktop Entry Exec= value (quoted and escaped as the spec requires)."""
    text = str(program).replace("%", "%%")  # a lone % would start a field code
    if not any(c in text for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return text
    for char in ("\\", '"', "`", "$"):
        text = text.replace(char, "\\" + char)
    # Inside a desktop file string value, a backslash itself is escaped once more.
    return '"' + text.replace("\\", "\\\\") + '"'


def targets(base: Path) -> dict[str, Path]:
    found = {
        "desktop": base / "applications" / f"{APP_ID}.desktop",
        "metainfo": base / "metainfo" / f"{APP_ID}.metainfo.xml",
        "svg": base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
    }
    for size in ICON_SIZES:
        found[f"png{size}"] = base / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    return found


def install(base: Path, program: Path) -> list[Path]:
    paths = targets(base)
    written: list[Path] = []
    lines = []
    for line in DESKTOP_SOURCE.read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_value(program)}"
        elif line.startswith("TryExec="):
            continue
        lines.append(line)
    # TryExec is a plain path (no Exec= quoting); the menu hides the entry if the program goes away.
    try_exec = str(program).replace("\\", "\\\\")
    lines.insert(lines.index("[Desktop Entry]") + 1, f"TryExec={try_exec}")
    paths["desktop"].parent.mkdir(parents=True, exist_ok=True)
    paths["desktop"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    written.append(paths["desktop"])

    paths["metainfo"].parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(METAINFO_SOURCE, paths["metainfo"])
    written.append(paths["metainfo"])

    paths["svg"].parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "icons" / "parla.svg", paths["svg"])
    written.append(paths["svg"])
    for size in ICON_SIZES:
        source = ROOT / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "parla.png"
        if source.is_file():
            target = paths[f"png{size}"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written.append(target)
    _refresh_caches(base)
    return written


def uninstall(base: Path) -> list[Path]:
    removed = []
    for path in targets(base).values():
        if path.exists():
            path.unlink()
            removed.append(path)
    _refresh_caches(base)
    return removed


def _refresh_caches(base: Path) -> None:
    """Best effort: desktops watch these folders anyway; the tools only make it immediate."""
    commands = (
        ["update-desktop-database", "-q", str(base / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(base / "icons" / "hicolor")],
    )
    for command in commands:
        if shutil.which(command[0]) and Path(command[-1]).is_dir():
            subprocess.run(command, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exec", dest="program", type=Path, help="the program the launcher starts")
    parser.add_argument("--uninstall", action="store_true", help="remove what an install put in place")
    args = parser.parse_args(argv)
    base = data_home()
    if args.uninstall:
        for path in uninstall(base):
            print(f"removed {path}")
        return 0
    program = args.program or default_program()
    if program is None:
        print("install-desktop: nothing to launch yet: run `make bundle` or `make run` first, or pass --exec",
              file=sys.stderr)
        return 2
    program = program.expanduser().resolve()
    if not (program.is_file() and os.access(program, os.X_OK)):
        print(f"install-desktop: {program} is not an executable file", file=sys.stderr)
        return 2
    for path in install(base, program):
        print(f"installed {path}")
    print(f"Parla is in the application menu; the launcher starts {program}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
