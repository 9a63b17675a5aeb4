"""Images in chat without Qt: stripped and upright payloads, typed bad input, returned images fetched."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from PIL import Image, ImageCms, PngImagePlugin

from app.api.client import Client
from app.api.errors import NotFoundError
from app.api.types import ChatImage
from app.chat_images import (
    MAX_FILE_BYTES,
    ChatImageError,
    ImageErrorKind,
    ReturnedImageError,
    extract_returned_images,
    fetch_returned_image,
    make_thumbnail,
    prepare_image,
)
from app.imaging import ImageFormatError, NoteKind
from tests.loopback.server import Fault, LoopbackServer


def encode(image: Image.Image, fmt: str = "PNG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def photo(width: int, height: int) -> Image.Image:
    """An opaque picture whose top-left quarter is red, so a rotation can be seen in the pixels."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height // 2))
    return image


def gps_jpeg(width: int = 400, height: int = 200, orientation: int = 6) -> bytes:
    """A JPEG carrying EXIF with GPS tags, a camera name, an orientation, XMP and a comment."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "ParlaTestCamera"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.5)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 1.0)
    gps[0x1B] = b"ASCII\x00\x00\x00GPS-FIX"  # GPSProcessingMethod: the letters GPS in the bytes
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/><secret>ParlaXMP</secret></x:xmpmeta>'
    return encode(photo(width, height), "JPEG", quality=95, exif=exif.tobytes(), xmp=xmp, comment=b"ParlaComment")


def assert_no_metadata(data: bytes) -> None:
    image = decode(data)
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "xmp" not in image.info and "icc_profile" not in image.info
    assert "comment" not in image.info
    for needle in (b"GPS", b"Exif", b"ParlaTestCamera", b"ParlaXMP", b"ParlaComment", b"xmpmeta", b"ICC_PROFILE"):
        assert needle not in data, needle


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` (no real pixel data)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


# ---- prepare_image: privacy, orientation, format, size -----------------------------------------------


def test_gps_exif_is_stripped_and_orientation_applied() -> None:
    source = gps_jpeg(400, 200, orientation=6)
    assert b"GPS" in source and b"Exif" in source and b"ParlaTestCamera" in source  # the test is meaningful
    prepared = prepare_image(source, name="holiday.jpg")
    assert prepared.mime == "image/jpeg" and prepared.data[:3] == b"\xff\xd8\xff"
    assert_no_metadata(prepared.data)
    # Orientation 6: the stored 400×200 is shown turned 90° clockwise, 200×400.
    assert (prepared.width, prepared.height) == (200, 400)
    image = decode(prepared.data)
    assert image.size == (200, 400)
    # The red top-left quarter of the stored pixels is now the top-right quarter.
    assert image.getpixel((150, 50))[0] > 200 and image.getpixel((50, 50))[2] > 200
    assert prepared.original_name == "holiday.jpg"
    assert NoteKind.ROTATED in [n.kind for n in prepared.notes]


@pytest.mark.parametrize("orientation,size", [(1, (400, 200)), (3, (400, 200)), (8, (200, 400))])
def test_other_orientations(orientation: int, size: tuple[int, int]) -> None:
    prepared = prepare_image(gps_jpeg(400, 200, orientation))
    assert (prepared.width, prepared.height) == size
    assert_no_metadata(prepared.data)


def test_path_input_keeps_the_name(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.JPG"
    path.write_bytes(gps_jpeg())
    prepared = prepare_image(path)
    assert prepared.original_name == "IMG_0001.JPG"
    assert_no_metadata(prepared.data)


def test_transparency_gives_png_without_text_chunks() -> None:
    image = Image.new("RGBA", (300, 100), (255, 0, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 50, 50))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "ParlaComment")
    info.add_itxt("XML:com.adobe.xmp", "ParlaXMP")
    prepared = prepare_image(encode(image, "PNG", pnginfo=info))
    assert prepared.mime == "image/png" and prepared.data.startswith(b"\x89PNG")
    out = decode(prepared.data)
    assert out.mode == "RGBA" and out.getpixel((10, 10))[3] == 0
    assert not getattr(out, "text", {}) and b"tEXt" not in prepared.data and b"iTXt" not in prepared.data
    assert_no_metadata(prepared.data)


def test_opaque_alpha_and_palette_give_jpeg() -> None:
    opaque_rgba = Image.new("RGBA", (64, 64), (10, 200, 30, 255))
    assert prepare_image(encode(opaque_rgba)).mime == "image/jpeg"
    palette = Image.new("RGB", (64, 64), (10, 200, 30)).convert("P")
    assert prepare_image(encode(palette, "GIF")).mime == "image/jpeg"


def test_palette_with_transparent_index_gives_png() -> None:
    image = Image.new("P", (32, 32), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(0, (0, 0, 8, 8))
    prepared = prepare_image(encode(image, "PNG", transparency=0))
    assert prepared.mime == "image/png"
    assert decode(prepared.data).convert("RGBA").getpixel((1, 1))[3] == 0


def test_downscale_to_max_side() -> None:
    prepared = prepare_image(encode(photo(3000, 1000), "JPEG"), max_side=1024)
    assert (prepared.width, prepared.height) == (1024, 341)
    assert decode(prepared.data).size == (1024, 341)
    scaled = [n for n in prepared.notes if n.kind == NoteKind.SCALED]
    assert scaled and scaled[0].before == (3000, 1000) and scaled[0].after == (1024, 341)
    small = prepare_image(encode(photo(300, 100), "PNG"))
    assert (small.width, small.height) == (300, 100)
    assert NoteKind.SCALED not in [n.kind for n in small.notes]
    assert [n.detail for n in small.notes if n.kind == NoteKind.CONVERTED] == ["PNG"]


def test_downscale_of_rotated_jpeg_uses_the_upright_sides() -> None:
    prepared = prepare_image(gps_jpeg(4000, 1000, orientation=6), max_side=1000)
    assert (prepared.width, prepared.height) == (250, 1000)
    assert_no_metadata(prepared.data)


def test_icc_profile_is_converted_and_dropped() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    prepared = prepare_image(encode(photo(64, 64), "JPEG", icc_profile=icc))
    assert "icc_profile" not in decode(prepared.data).info
    assert_no_metadata(prepared.data)


def test_gif_first_frame() -> None:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    prepared = prepare_image(data)
    assert (prepared.width, prepared.height) == (40, 30)
    r, g, b = decode(prepared.data).convert("RGB").getpixel((20, 15))
    assert r > 200 and g < 60 and b < 60


@pytest.mark.parametrize("fmt", ["WEBP", "BMP", "TIFF"])
def test_other_formats(fmt: str) -> None:
    prepared = prepare_image(encode(photo(50, 40), fmt))
    assert prepared.mime == "image/jpeg" and (prepared.width, prepared.height) == (50, 40)


def test_sixteen_bit_greyscale() -> None:
    image = Image.new("I;16", (40, 40), 40000)
    prepared = prepare_image(encode(image, "PNG"))
    assert prepared.mime == "image/jpeg"
    assert 140 < decode(prepared.data).convert("L").getpixel((5, 5)) < 175


def test_data_url() -> None:
    prepared = prepare_image(encode(photo(20, 20), "PNG"))
    url = prepared.to_data_url()
    assert url.startswith("data:image/jpeg;base64,")
    assert base64.b64decode(url.partition(",")[2]) == prepared.data


def test_noisy_picture_is_kept_under_the_byte_budget() -> None:
    noise = Image.frombytes("RGB", (1500, 1500), bytes((i * 7919) % 251 for i in range(1500 * 1500 * 3)))
    prepared = prepare_image(encode(noise, "PNG"), max_bytes=400_000)
    assert len(prepared.data) <= 400_000 and prepared.mime == "image/jpeg"


# ---- bad input ---------------------------------------------------------------------------------------


def kind_of(source: object) -> ImageErrorKind:
    with pytest.raises(ChatImageError) as info:
        prepare_image(source)  # type: ignore[arg-type]
    assert isinstance(info.value, ImageFormatError)  # what the Images tab's handling already knows
    return info.value.kind


def test_text_file_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("just some words, not a picture\n")
    assert kind_of(path) == ImageErrorKind.NOT_AN_IMAGE


def test_empty_is_corrupt(tmp_path: Path) -> None:
    assert kind_of(b"") == ImageErrorKind.CORRUPT
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    assert kind_of(path) == ImageErrorKind.CORRUPT


def test_truncated_jpeg_is_corrupt() -> None:
    data = encode(photo(600, 400), "JPEG", quality=90)
    assert kind_of(data[: len(data) // 2]) == ImageErrorKind.CORRUPT
    assert kind_of(data[:20]) == ImageErrorKind.CORRUPT


def test_missing_file_is_corrupt(tmp_path: Path) -> None:
    assert kind_of(tmp_path / "gone.png") == ImageErrorKind.CORRUPT


def test_huge_header_is_too_many_pixels() -> None:
    bomb = png_header(20000, 20000)
    assert len(bomb) < 200
    assert kind_of(bomb) == ImageErrorKind.TOO_MANY_PIXELS
    # Just over our 100 MP limit but under Pillow's own error threshold: our header check refuses it.
    assert kind_of(png_header(10001, 10000)) == ImageErrorKind.TOO_MANY_PIXELS
    with pytest.raises(ChatImageError) as info:
        make_thumbnail(bomb, 64)
    assert info.value.kind == ImageErrorKind.TOO_MANY_PIXELS


def test_file_over_50_mb_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.jpg"
    with path.open("wb") as handle:
        handle.write(encode(photo(10, 10), "JPEG"))
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no 50 MB written to disk
    opened: list[object] = []
    real_open = Path.open

    def spy(self: Path, *args: object, **kwargs: object) -> object:
        opened.append(self)
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", spy)
    assert kind_of(path) == ImageErrorKind.TOO_LARGE_FILE
    assert opened == []  # decided from stat(), the file was never opened


def test_unsupported_known_type() -> None:
    heic = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64
    assert kind_of(heic) == ImageErrorKind.UNSUPPORTED
    assert kind_of(b'<svg xmlns="http://www.w3.org/2000/svg"></svg>') == ImageErrorKind.UNSUPPORTED


# ---- thumbnails --------------------------------------------------------------------------------------


def test_thumbnail_is_an_upright_png() -> None:
    thumb = make_thumbnail(gps_jpeg(400, 200, orientation=6), 64)
    assert thumb.startswith(b"\x89PNG")
    assert decode(thumb).size == (32, 64)
    assert_no_metadata(thumb)


def test_thumbnail_of_a_large_jpeg_uses_draft() -> None:
    thumb = make_thumbnail(encode(photo(4000, 3000), "JPEG"), 256)
    assert decode(thumb).size == (256, 192)


# ---- extract_returned_images -------------------------------------------------------------------------


DATA_URL = "data:image/png;base64," + base64.b64encode(encode(Image.new("RGB", (4, 4), "red"))).decode()


def test_extract_markdown_url() -> None:
    content = "Here: ![a cat](https://cdn.example.com/cat.png) done"
    [found] = extract_returned_images(content, None)
    assert found.kind == "markdown_url" and found.url == "https://cdn.example.com/cat.png" and found.alt == "a cat"
    assert content[found.span[0]:found.span[1]] == "![a cat](https://cdn.example.com/cat.png)"  # type: ignore[index]


def test_extract_data_url() -> None:
    content = f"![edited]({DATA_URL})"
    [found] = extract_returned_images(content, [])
    assert found.kind == "data_url" and found.url == DATA_URL and found.span == (0, len(content))


def test_extract_images_array() -> None:
    [found] = extract_returned_images("Here is the image.", [ChatImage(url=DATA_URL)])
    assert found.kind == "images_array" and found.url == DATA_URL and found.span is None and found.alt == ""


def test_extract_mixed_in_order_without_duplicates_or_other_schemes() -> None:
    content = (
        "One ![x](http://127.0.0.1/files/a.png) two ![y](" + DATA_URL + ") "
        "three ![z](file:///etc/passwd) ![w](javascript:alert(1)) [link](https://e.com/a.png)"
    )
    images = [ChatImage(url=DATA_URL), ChatImage(url="https://cdn.example.com/b.png"), ChatImage(url="ftp://x/y.png")]
    found = extract_returned_images(content, images)
    assert [(f.kind, f.url) for f in found] == [
        ("markdown_url", "http://127.0.0.1/files/a.png"),
        ("data_url", DATA_URL),
        ("images_array", "https://cdn.example.com/b.png"),
    ]
    assert extract_returned_images("", None) == [] and extract_returned_images(None, None) == []


# ---- fetch_returned_image against the loopback server ------------------------------------------------


@pytest_asyncio.fixture
async def client(loopback: LoopbackServer) -> AsyncIterator[Client]:
    async with Client(loopback.base_url + "/", loopback.token, max_retries=0) as client:
        yield client


async def returned(client: Client, loopback: LoopbackServer, variant: str) -> list:
    loopback.inject("/chat/completions", Fault(quirk=9, variant=variant))
    reply = await client.chat.create([{"role": "user", "content": "draw"}], model="gpt-4o-image")
    return extract_returned_images(reply.content, reply.images)


@pytest.mark.asyncio
async def test_fetch_http_url_without_token(client: Client, loopback: LoopbackServer) -> None:
    [image] = await returned(client, loopback, "url")
    assert image.kind == "markdown_url" and image.url.startswith(loopback.origin + "/files/")
    data, mime = await fetch_returned_image(client, image.url)
    assert mime == "image/png" and decode(data).size == (64, 64)
    assert loopback.last(image.url.rsplit("/", 1)[1]).token is None  # no token to the file URL


@pytest.mark.asyncio
@pytest.mark.parametrize("variant,kind", [("data", "data_url"), ("images", "images_array")])
async def test_fetch_data_url_shapes(client: Client, loopback: LoopbackServer, variant: str, kind: str) -> None:
    [image] = await returned(client, loopback, variant)
    assert image.kind == kind
    data, mime = await fetch_returned_image(client, image.url)
    assert mime == "image/png" and data.startswith(b"\x89PNG")


@pytest.mark.asyncio
async def test_fetch_all_three_shapes(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=9))
    reply = await client.chat.create([{"role": "user", "content": "draw"}], model="gpt-4o-image")
    assert reply.images  # the array repeats the markdown's data URL: listed once, not twice
    images = extract_returned_images(reply.content, reply.images)
    assert [i.kind for i in images] == ["markdown_url", "data_url"]
    assert images[1].url == reply.images[0].url
    for image in images:
        _, mime = await fetch_returned_image(client, image.url)
        assert mime == "image/png"


@pytest.mark.asyncio
async def test_fetch_cap(client: Client, loopback: LoopbackServer) -> None:
    [image] = await returned(client, loopback, "url")
    with pytest.raises(ReturnedImageError) as info:
        await fetch_returned_image(client, image.url, max_bytes=100)
    assert info.value.kind == ImageErrorKind.TOO_LARGE
    with pytest.raises(ReturnedImageError) as info:
        await fetch_returned_image(client, DATA_URL, max_bytes=10)
    assert info.value.kind == ImageErrorKind.TOO_LARGE


@pytest.mark.asyncio
async def test_fetch_non_image_body(client: Client, loopback: LoopbackServer) -> None:
    [image] = await returned(client, loopback, "url")
    name = image.url.rsplit("/", 1)[1]
    loopback.inject("/files/" + name, Fault(status=200, text="<html><body>Expired</body></html>"))
    with pytest.raises(ReturnedImageError) as info:
        await fetch_returned_image(client, image.url)
    assert info.value.kind == ImageErrorKind.NOT_AN_IMAGE
    not_png = "data:image/png;base64," + base64.b64encode(b"hello, not a picture").decode()
    with pytest.raises(ReturnedImageError) as info:
        await fetch_returned_image(client, not_png)
    assert info.value.kind == ImageErrorKind.NOT_AN_IMAGE


@pytest.mark.asyncio
async def test_fetch_refuses_bombs_and_truncated(client: Client) -> None:
    bomb = "data:image/png;base64," + base64.b64encode(png_header(20000, 20000)).decode()
    with pytest.raises(ReturnedImageError) as info:
        await fetch_returned_image(client, bomb)
    assert info.value.kind == ImageErrorKind.TOO_MANY_PIXELS
    cut = encode(photo(200, 200), "PNG")[:-40]
    with pytest.raises(ReturnedImageError) as info:
        await fetch_returned_image(client, "data:image/png;base64," + base64.b64encode(cut).decode())
    assert info.value.kind == ImageErrorKind.CORRUPT


@pytest.mark.asyncio
@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.png", "javascript:alert(1)", "/relative.png"])
async def test_fetch_other_schemes_refused(client: Client, loopback: LoopbackServer, url: str) -> None:
    with pytest.raises(ReturnedImageError) as info:
        await fetch_returned_image(client, url)
    assert info.value.kind == ImageErrorKind.BAD_SCHEME
    assert loopback.requests == []


@pytest.mark.asyncio
async def test_fetch_expired_url_is_the_clients_error(client: Client, loopback: LoopbackServer) -> None:
    with pytest.raises(NotFoundError):
        await fetch_returned_image(client, loopback.origin + "/files/never-made.png")


@pytest.mark.asyncio
async def test_fetch_overall_timeout(client: Client, loopback: LoopbackServer) -> None:
    [image] = await returned(client, loopback, "url")
    loopback.inject("/files/" + image.url.rsplit("/", 1)[1], Fault(delay_first_byte=2))
    with pytest.raises(Exception) as info:
        await fetch_returned_image(client, image.url, timeout=0.3)
    assert getattr(info.value, "kind", None) == ImageErrorKind.TIMEOUT or type(info.value).__name__ == "APITimeoutError"
