#!/usr/bin/env python3
"""Render the Parla icon (icons/parla.svg) into every format the app and the bundles need.

Outputs, all under the output folder (``icons/`` by default):

* ``hicolor/<N>x<N>/apps/parla.png`` for N in 16, 24, 32, 48, 64, 128, 256, 512 —
  the freedesktop icon-theme layout, so ``make install-desktop`` can copy the
  ``hicolor`` tree as is into ``~/.local/share/icons``;
* ``parla.ico`` — Windows, every size up to 256 px;
* ``parla.icns`` — macOS, 16 to 512 px @1x and @2x (a 1024 px rendering is made
  in memory for 512@2x and not kept as a PNG).

Each size is rendered straight from the SVG by Qt's QSvgRenderer (no down-scaling
of a big bitmap), then written by Pillow, which stores no timestamps: running the
script again gives byte-identical files, and files whose bytes would not change
are not rewritten.

Usage::

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py [--svg FILE] [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SVG = ROOT / "icons" / "parla.svg"
DEFAULT_OUT = ROOT / "icons"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = tuple(s for s in PNG_SIZES if s <= 256)
ICNS_EXTRA = (1024,)  # 512@2x


def png_path(out: Path, size: int) -> Path:
    """Where the PNG of one size lives (freedesktop hicolor layout)."""
    return out / "hicolor" / f"{size}x{size}" / "apps" / "parla.png"


def render(svg: Path, sizes: tuple[int, ...]) -> dict[int, Image.Image]:
    """Render the SVG at each size into RGBA Pillow images (transparent background)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {svg} as SVG")
    images: dict[int, Image.Image] = {}
    for size in sizes:
        qimg = QImage(size, size, QImage.Format.Format_RGBA8888)
        qimg.fill(0)
        painter = QPainter(qimg)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        data = bytes(qimg.constBits())[: qimg.sizeInBytes()]
        images[size] = Image.frombuffer("RGBA", (size, size), data, "raw", "RGBA", qimg.bytesPerLine(), 1).copy()
    del app  # keep the application alive until here; never quit one we did not create
    return images


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def _write(path: Path, data: bytes) -> bool:
    """Write only when the bytes differ; return whether the file changed."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return True


def build(svg: Path = DEFAULT_SVG, out: Path = DEFAULT_OUT) -> dict[Path, bool]:
    """Make every icon file from ``svg`` into ``out``; map each file to whether it changed."""
    images = render(svg, PNG_SIZES + ICNS_EXTRA)
    results: dict[Path, bool] = {}
    for size in PNG_SIZES:
        path = png_path(out, size)
        results[path] = _write(path, _encode(images[size], "PNG", optimize=True))

    largest_ico = images[max(ICO_SIZES)]
    ico = _encode(
        largest_ico,
        "ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    results[out / "parla.ico"] = _write(out / "parla.ico", ico)

    icns = _encode(
        images[1024],
        "ICNS",
        append_images=[images[s] for s in (32, 64, 128, 256, 512)],
    )
    results[out / "parla.icns"] = _write(out / "parla.icns", icns)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=DEFAULT_SVG, help="source SVG (default: icons/parla.svg)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: icons/)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    results = build(args.svg, args.out)
    if not args.quiet:
        for path, changed in results.items():
            print(f"{'wrote' if changed else 'same '} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
