"""Pillow work for the Images tab: masks exact to the pixel, squares under 4 MB, EXIF, formats."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app import imaging
from app.imaging import DALLE2_MAX_BYTES, Fit, ImageFormatError, NoteKind


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def gradient(width: int, height: int) -> Image.Image:
    """Red changes across, green down: crops and pads can be told apart."""
    horizontal = Image.linear_gradient("L").rotate(90).transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    red = horizontal.resize((width, height))
    green = Image.linear_gradient("L").resize((width, height))
    return Image.merge("RGB", [red, green, Image.new("L", (width, height), 128)])


def painted_rect(size: tuple[int, int], box: tuple[int, int, int, int]) -> Image.Image:
    painted = Image.new("L", size, 0)
    ImageDraw.Draw(painted).rectangle(box, fill=255)
    return painted


def alpha_of(data: bytes) -> Image.Image:
    mask = decode(data)
    assert mask.mode == "RGBA"
    return mask.getchannel("A")


# -- masks -----------------------------------------------------------------------------------------


def test_mask_is_transparent_exactly_where_painted() -> None:
    painted = Image.new("L", (7, 5), 0)
    for xy in [(0, 0), (3, 2), (6, 4), (4, 2)]:
        painted.putpixel(xy, 255)
    mask = decode(imaging.mask_png(painted))
    assert mask.size == (7, 5)
    for y in range(5):
        for x in range(7):
            expected = 0 if (x, y) in {(0, 0), (3, 2), (6, 4), (4, 2)} else 255
            assert mask.getpixel((x, y))[3] == expected, (x, y)
    assert set(mask.getchannel("A").tobytes()) == {0, 255}  # nothing half-transparent


def test_painted_from_alpha8_honours_row_padding() -> None:
    # A QImage row of a 3-pixel-wide Alpha8 image is padded to 4 bytes.
    rows = [bytes([255, 0, 0, 99]), bytes([0, 0, 255, 99])]
    painted = imaging.painted_from_alpha8(3, 2, b"".join(rows), bytes_per_line=4)
    assert list(painted.tobytes()) == [255, 0, 0, 0, 0, 255]
    with pytest.raises(ValueError):
        imaging.painted_from_alpha8(3, 2, b"\0" * 5, bytes_per_line=4)


def test_edit_for_gpt_image_keeps_size_and_mask_pixels() -> None:
    source = encode(gradient(300, 200))
    painted = painted_rect((300, 200), (10, 20, 59, 79))
    upload = imaging.prepare_edit([source], painted, family="gpt-image-1")
    assert len(upload.images) == 1 and upload.notes == ()
    assert upload.images[0].png == source  # already a PNG gpt-image-1 takes: sent as it is
    image = decode(upload.images[0].png)
    assert image.size == (300, 200)
    assert upload.mask is not None
    alpha = alpha_of(upload.mask)
    assert alpha.size == image.size
    assert alpha.getbbox() is not None
    transparent = {(x, y) for y in range(200) for x in range(300) if alpha.getpixel((x, y)) == 0}
    assert transparent == {(x, y) for y in range(20, 80) for x in range(10, 60)}


def test_nothing_painted_sends_no_mask() -> None:
    upload = imaging.prepare_edit([encode(gradient(64, 64))], Image.new("L", (64, 64), 0), family="gpt-image-1")
    assert upload.mask is None


def test_mask_must_match_the_image() -> None:
    with pytest.raises(ValueError):
        imaging.prepare_edit([encode(gradient(64, 64))], painted_rect((32, 32), (0, 0, 3, 3)), family="gpt-image-1")


def test_dalle2_edit_gets_an_rgba_picture_even_when_square() -> None:
    source = encode(gradient(64, 64))  # RGB: DALL·E 2 edits refuse it ("format must be in RGBA, LA, L")
    upload = imaging.prepare_edit([source], painted_rect((64, 64), (0, 0, 9, 9)), family="dall-e-2")
    assert decode(upload.images[0].png).mode == "RGBA" and upload.notes == ()


def test_dalle2_edit_crops_image_and_mask_together() -> None:
    source = encode(gradient(400, 200))
    painted = painted_rect((400, 200), (100, 0, 109, 9))  # 10×10 at x=100: inside the centre crop
    upload = imaging.prepare_edit([source], painted, family="dall-e-2", fit=Fit.CROP)
    image = decode(upload.images[0].png)
    assert image.size == (200, 200)
    # The crop is the middle: x 100..299 of the original.
    assert image.getpixel((0, 0))[:3] == gradient(400, 200).getpixel((100, 0))
    alpha = alpha_of(upload.mask or b"")
    assert alpha.size == (200, 200)
    assert {(x, y) for y in range(200) for x in range(200) if alpha.getpixel((x, y)) == 0} == {
        (x, y) for y in range(10) for x in range(10)
    }
    assert [n.kind for n in upload.notes] == [NoteKind.CROPPED]
    assert upload.notes[0].before == (400, 200) and upload.notes[0].after == (200, 200)


def test_dalle2_edit_pads_with_opaque_borders_in_the_mask() -> None:
    source = encode(gradient(100, 50))
    painted = painted_rect((100, 50), (0, 0, 99, 49))  # everything painted
    upload = imaging.prepare_edit([source], painted, family="dall-e-2", fit=Fit.PAD)
    image = decode(upload.images[0].png)
    assert image.size == (100, 100)
    assert image.getpixel((50, 5)) == (255, 255, 255, 255)  # the white border above the picture
    alpha = alpha_of(upload.mask or b"")
    transparent = {(x, y) for y in range(100) for x in range(100) if alpha.getpixel((x, y)) == 0}
    assert transparent == {(x, y) for y in range(25, 75) for x in range(100)}
    assert [n.kind for n in upload.notes] == [NoteKind.PADDED]


def test_dalle2_edit_scales_large_images_and_the_mask_stays_binary() -> None:
    source = encode(gradient(2048, 2048), "JPEG")
    painted = painted_rect((2048, 2048), (0, 0, 1023, 2047))  # left half
    upload = imaging.prepare_edit([source], painted, family="dall-e-2")
    image = decode(upload.images[0].png)
    assert image.size == (1024, 1024) and image.format == "PNG" and image.mode == "RGBA"
    alpha = alpha_of(upload.mask or b"")
    assert alpha.size == (1024, 1024)
    assert set(alpha.tobytes()) == {0, 255}
    assert alpha.getpixel((511, 500)) == 0 and alpha.getpixel((512, 500)) == 255
    kinds = [n.kind for n in upload.notes]
    assert kinds == [NoteKind.CONVERTED, NoteKind.SCALED]
    assert upload.notes[0].detail == "JPEG"


def test_several_images_for_gpt_image() -> None:
    sources = [encode(gradient(64, 32)), encode(gradient(16, 16), "JPEG")]
    upload = imaging.prepare_edit(sources, None, family="gpt-image-1")
    assert [p.size for p in upload.images] == [(64, 32), (16, 16)]
    assert all(decode(p.png).format == "PNG" for p in upload.images)
    assert upload.mask is None
    with pytest.raises(ValueError):
        imaging.prepare_edit(sources, None, family="dall-e-2")


# -- variations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fit", "kind"), [(Fit.CROP, NoteKind.CROPPED), (Fit.PAD, NoteKind.PADDED)])
def test_variation_is_a_square_png(fit: Fit, kind: NoteKind) -> None:
    prepared = imaging.prepare_variation(encode(gradient(300, 120), "JPEG"), fit)
    image = decode(prepared.png)
    side = 120 if fit == Fit.CROP else 300
    assert image.format == "PNG" and image.size == (side, side) == prepared.size
    assert kind in [n.kind for n in prepared.notes]


def test_variation_of_noise_is_brought_under_4_mb() -> None:
    noise = Image.frombytes("RGBA", (1024, 1024), os.urandom(1024 * 1024 * 4))  # PNG cannot compress it
    source = encode(noise)
    assert len(source) > DALLE2_MAX_BYTES
    prepared = imaging.prepare_variation(source)
    assert len(prepared.png) < DALLE2_MAX_BYTES
    image = decode(prepared.png)
    assert image.width == image.height < 1024
    scaled = [n for n in prepared.notes if n.kind == NoteKind.SCALED]
    assert scaled and scaled[0].before == (1024, 1024) and scaled[0].after == image.size


# -- reading and normalising -----------------------------------------------------------------------


def exif_rotated_jpeg() -> bytes:
    """A 40×20 picture stored sideways (20×40) with EXIF orientation 6 (turn 90° clockwise)."""
    stored = gradient(20, 40)
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(stored, "JPEG", exif=exif.tobytes(), quality=95)


def test_exif_orientation_is_applied() -> None:
    data = exif_rotated_jpeg()
    info = imaging.image_info(data)
    assert (info.width, info.height, info.mime) == (40, 20, "image/jpeg")
    png, normal, notes = imaging.normalize_upload(data)
    assert decode(png).size == (40, 20) and normal.mime == "image/png"
    assert [n.kind for n in notes] == [NoteKind.ROTATED, NoteKind.CONVERTED]


def test_png_upload_is_kept_byte_for_byte() -> None:
    data = encode(gradient(10, 10))
    png, info, notes = imaging.normalize_upload(data)
    assert png == data and notes == () and (info.width, info.height) == (10, 10)


@pytest.mark.parametrize("data", [b"", b"<html>not an image</html>", encode(gradient(50, 50))[:60]])
def test_unreadable_bytes_raise_image_format_error(data: bytes) -> None:
    with pytest.raises(ImageFormatError):
        imaging.normalize_upload(data)
    with pytest.raises(ImageFormatError):
        imaging.prepare_variation(data)


def test_thumbnail_is_small_upright_and_keeps_transparency(tmp_path: Path) -> None:
    thumb, mime = imaging.thumbnail_bytes(exif_rotated_jpeg(), 16)
    image = decode(thumb)
    assert mime == "image/jpeg" and image.size == (16, 8)
    transparent = Image.new("RGBA", (100, 50), (255, 0, 0, 0))
    thumb, mime = imaging.thumbnail_bytes(encode(transparent), 20)
    assert mime == "image/png" and decode(thumb).getpixel((0, 0))[3] == 0
    source = tmp_path / "a.png"
    source.write_bytes(encode(gradient(64, 64)))
    dest = imaging.write_thumbnail(source, tmp_path / "thumbs" / "a", 32)
    assert decode(dest.read_bytes()).size == (32, 32)
    assert [p.name for p in dest.parent.iterdir()] == ["a"]  # no temporary file left


@pytest.mark.parametrize(("suffix", "fmt"), [(".jpg", "JPEG"), (".webp", "WEBP"), (".png", "PNG"), (".bmp", "BMP")])
def test_convert_for_save(suffix: str, fmt: str) -> None:
    data = encode(Image.new("RGBA", (8, 8), (10, 20, 30, 255)))
    converted = imaging.convert_for_save(data, suffix)
    assert decode(converted).format == fmt
    if fmt == "PNG":
        assert converted == data
    assert imaging.convert_for_save(data, ".unknown") == data


def test_the_same_thumbnail_made_twice_at_once(tmp_path: Path) -> None:
    """The grid and a new result can both make one thumbnail: neither may fail."""
    from concurrent.futures import ThreadPoolExecutor

    source = tmp_path / "a.png"
    source.write_bytes(encode(gradient(300, 300)))
    dest = tmp_path / "thumbs" / "same"
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: imaging.write_thumbnail(source, dest, 64), range(16)))
    assert results == [dest] * 16
    assert decode(dest.read_bytes()).size == (64, 64)
    assert [p.name for p in dest.parent.iterdir()] == ["same"]
