"""Where Parla's non-code files live: translations, styles and icons.

They sit next to the ``app`` package (``resources/`` and ``icons/`` in the source tree, which is what
an editable install and ``python -m app`` from a checkout see). A PyInstaller bundle unpacks them
under ``sys._MEIPASS`` instead, so that root is tried first when it exists.
"""

from __future__ import annotations

import sys
from pathlib import Path

import app

__all__ = ["app_icon_files", "i18n_dir", "icons_dir", "qm_file", "resources_dir", "root_dir"]

_ICON_SUFFIXES = (".svg", ".png")


def root_dir() -> Path:
    """The folder holding ``resources/`` and ``icons/``."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / "resources").is_dir():
        return Path(bundle)
    return Path(app.__file__).resolve().parent.parent


def resources_dir() -> Path:
    return root_dir() / "resources"


def i18n_dir() -> Path:
    """Translation sources (``.ts``) and their compiled ``.qm`` files."""
    return resources_dir() / "i18n"


def qm_file(language: str) -> Path:
    """The compiled translation of Parla's own strings for ``language`` (e.g. ``"zh_CN"``)."""
    return i18n_dir() / f"parla_{language}.qm"


def icons_dir() -> Path:
    return root_dir() / "icons"


def app_icon_files() -> list[Path]:
    """Every file of the app icon, SVG first, then PNGs by name; empty when none exists yet.

    The icon may come as ``parla.svg`` and/or ``parla-<size>.png`` (or ``<size>x<size>/parla.png``);
    all of them go into one ``QIcon`` so each platform picks the size it needs.
    """
    folder = icons_dir()
    if not folder.is_dir():
        return []
    found = [
        path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix.lower() in _ICON_SUFFIXES and path.stem.lower().startswith("parla")
    ]
    return sorted(found, key=lambda p: (p.suffix.lower() != ".svg", str(p)))
