"""The application icon: the SVG source, the PNG/ICO/ICNS files made from it by packaging/make_icons.py."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "icons"
SVG = ICONS / "parla.svg"
SCRIPT = ROOT / "packaging" / "make_icons.py"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_path(out: Path, size: int) -> Path:
    return out / "hicolor" / f"{size}x{size}" / "apps" / "parla.png"


def all_outputs(out: Path) -> list[Path]:
    return [png_path(out, s) for s in PNG_SIZES] + [out / "parla.ico", out / "parla.icns"]


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60, check=True
    )


def test_svg_is_self_contained_svg_tiny() -> None:
    root = ET.parse(SVG).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 512 512"
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    # No text (fonts), no raster images, no filters or masks Qt's SVG Tiny renderer would skip.
    assert not tags & {"text", "image", "filter", "mask", "clipPath", "pattern", "foreignObject", "style"}
    assert "href" not in SVG.read_text(encoding="utf-8")


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_has_its_exact_size_and_is_not_blank(size: int) -> None:
    path = png_path(ICONS, size)
    assert path.is_file(), f"missing {path}; run packaging/make_icons.py"
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size == (size, size)
        rgba = im.convert("RGBA")
    alphas = rgba.getchannel("A").getextrema()
    assert alphas == (0, 255), "needs both transparent corners and an opaque tile"
    colours = rgba.getcolors(maxcolors=size * size)
    assert colours is not None and len(colours) >= 8


def test_ico_holds_every_size_up_to_256() -> None:
    with Image.open(ICONS / "parla.ico") as ico:
        assert ico.format == "ICO"
        assert sorted(ico.info["sizes"]) == [(s, s) for s in ICO_SIZES]
        for s in ICO_SIZES:
            ico.size = (s, s)
            ico.load()
            assert ico.size == (s, s)
            assert ico.convert("RGBA").getchannel("A").getextrema() == (0, 255)


def test_icns_opens_with_pillow() -> None:
    with Image.open(ICONS / "parla.icns") as icns:
        assert icns.format == "ICNS"
        sizes = set(icns.info["sizes"])
        assert {(512, 512, 2), (512, 512, 1), (256, 256, 1), (128, 128, 1), (16, 16, 2)} <= sizes
        icns.load()
        assert icns.size == (1024, 1024)
        assert icns.convert("RGBA").getchannel("A").getextrema() == (0, 255)


def test_icons_follow_from_the_svg_and_the_script_is_idempotent(tmp_path: Path) -> None:
    first = run_script("--out", str(tmp_path))
    assert "qt.svg" not in first.stderr, first.stderr  # nothing in the SVG that Qt cannot draw
    made = all_outputs(tmp_path)
    assert all(p.is_file() for p in made)
    before = {p: p.read_bytes() for p in made}

    second = run_script("--out", str(tmp_path))
    assert all(line.startswith("same") for line in second.stdout.splitlines())
    assert {p: p.read_bytes() for p in made} == before

    # The committed PNGs match a fresh rendering: same sizes, same pixels (up to renderer rounding
    # should the Qt version differ from the one that made them).
    for size in PNG_SIZES:
        with Image.open(png_path(ICONS, size)) as committed, Image.open(png_path(tmp_path, size)) as fresh:
            assert committed.size == fresh.size
            diff = ImageChops.difference(committed.convert("RGBA"), fresh.convert("RGBA"))
            assert max(ImageStat.Stat(diff).mean) < 1.0, f"{size} px differs from the SVG; rerun make_icons.py"
    for name in ("parla.ico", "parla.icns"):
        with Image.open(ICONS / name) as committed, Image.open(tmp_path / name) as fresh:
            assert committed.info["sizes"] == fresh.info["sizes"]
