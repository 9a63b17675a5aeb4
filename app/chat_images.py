"""Images in chat, without Qt: what goes out with a message, and what a model sends back.

Out (a picture dropped, pasted or attached in the composer)
    ``prepare_image(source, *, max_side=2048, max_bytes=2_000_000, name=None) -> PreparedImage``
        Blocking; the UI runs it through ``asyncio.to_thread``. Opens whatever Pillow opens (the
        first frame of a GIF, animated WebP or multi-page TIFF), turns it upright as its EXIF
        orientation says, scales it so the longest side is at most ``max_side``, and re-encodes it
        with **no metadata at all**: JPEG quality 85, or PNG when some pixel is really transparent.
        EXIF (GPS included), XMP, IPTC, comments and PNG text chunks are all dropped. An embedded
        ICC profile is *converted to sRGB* and then dropped too (models assume sRGB, and a profile
        can name the device). If the JPEG would be larger than ``max_bytes`` the quality steps down
        (75, 65), then the size. ``PreparedImage.to_data_url()`` is the ``image_url`` the request sends;
        ``data`` is what the store keeps (``put_attachment(data, mime, width=, height=)``), so the
        history shows exactly what was sent.
    ``make_thumbnail(source, size) -> bytes``
        A small upright PNG (longest side ``size``) for the composer; JPEGs are decoded at 1/2, 1/4
        or 1/8 scale (``Image.draft``), so a 24-megapixel photo takes tens of milliseconds.
    Bad input raises ``ChatImageError`` whose ``kind`` (``ImageErrorKind``) the UI turns into one
    sentence: ``not_an_image``, ``corrupt`` (empty or cut-off files too), ``too_large_file`` (over
    50 MB, checked before the file is read), ``too_many_pixels`` (over 100 megapixels, checked from
    the header before any pixel is decoded — decompression bombs), ``unsupported`` (a picture Pillow
    recognises, or a known image type, that it cannot decode here: HEIC, SVG …).

In (what a model returns, api-reference.md "Images in chat", quirk 9)
    ``extract_returned_images(content, images) -> list[ReturnedImage]``
        Markdown ``![alt](https://…)`` (``kind="markdown_url"``), markdown with a ``data:image/…``
        URL (``"data_url"``), and the message's ``images`` array (``"images_array"``), in that
        order of appearance; ``span`` is the markdown's ``(start, end)`` in ``content`` so the UI
        can swap it for the kept copy (``None`` for the array). An array entry whose URL already
        appears in the markdown is not listed twice.
    ``await fetch_returned_image(client, url, *, max_bytes=20_000_000, timeout=30) -> (bytes, mime)``
        Only ``http``, ``https`` and ``data`` URLs (anything else → ``ReturnedImageError`` kind
        ``bad_scheme``). Goes through ``client.images.download``, which sends the token only to
        URLs under the API's base URL, never to a CDN. Too big → kind ``too_large``; longer than
        ``timeout`` seconds in all → ``timeout``; bytes that are not a picture (an HTML error page)
        → ``not_an_image``/``corrupt``; over 100 megapixels → ``too_many_pixels``. HTTP and
        connection failures stay the client's typed ``APIError``s. The bytes are kept as received
        (the UI stores them with ``put_attachment`` and an ``image_part(hash, source_url=url, alt=…)``).

Reuses ``app.imaging``'s ``Note``/``NoteKind`` (how changes are reported) and its helpers; Pillow is
imported on first use.
"""

from __future__ import annotations

import asyncio
import base64
import io
import os
import re
import struct
import warnings
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from app.imaging import _MIME_BY_FORMAT, ImageFormatError, Note, NoteKind, _fit_side

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from app.api.types import ChatImage

__all__ = [
    "DEFAULT_MAX_SIDE",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "MAX_RETURNED_BYTES",
    "PAYLOAD_MAX_BYTES",
    "ChatImageError",
    "ImageErrorKind",
    "PreparedImage",
    "ReturnedImage",
    "ReturnedImageError",
    "extract_returned_images",
    "fetch_returned_image",
    "make_thumbnail",
    "prepare_image",
]

#: Longest side of a sent picture (a setting may change it).
DEFAULT_MAX_SIDE = 2048
#: Files larger than this are refused before they are read.
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Pictures with more pixels than this are refused from the header (decompression bombs).
MAX_PIXELS = 100_000_000
#: What one image may add to a request body (the issue's 2 MB budget).
PAYLOAD_MAX_BYTES = 2_000_000
#: Cap on a returned image's download.
MAX_RETURNED_BYTES = 20_000_000

JPEG_QUALITY = 85
_FALLBACK_QUALITIES = (75, 65)
_PNG_COMPRESS_LEVEL = 3  # a good size at a fraction of level 6's time on a 2048² RGBA picture

# Types Pillow does not read (without plugins) but which are pictures all the same: "unsupported",
# not "not an image".
_KNOWN_UNREADABLE = (
    (b"ftypheic", 4), (b"ftypheix", 4), (b"ftyphevc", 4), (b"ftypmif1", 4), (b"ftypmsf1", 4),
    (b"ftypavif", 4), (b"ftypavis", 4), (b"\x00\x00\x00\x0cjXL ", 0), (b"\xff\x0a", 0),
)


class ImageErrorKind(StrEnum):
    NOT_AN_IMAGE = "not_an_image"
    CORRUPT = "corrupt"
    TOO_LARGE_FILE = "too_large_file"
    TOO_MANY_PIXELS = "too_many_pixels"
    UNSUPPORTED = "unsupported"
    # returned images only
    BAD_SCHEME = "bad_scheme"
    TOO_LARGE = "too_large"
    TIMEOUT = "timeout"


class ChatImageError(ImageFormatError):
    """A picture that cannot be sent; ``kind`` says why (the UI words it)."""

    def __init__(self, kind: ImageErrorKind, message: str = "") -> None:
        super().__init__(message or kind.value)
        self.kind = kind


class ReturnedImageError(ChatImageError):
    """A model-returned image that could not be fetched or is not a picture."""


@dataclass(frozen=True)
class PreparedImage:
    """A picture as it is sent and kept: encoded bytes without metadata, and what was changed."""

    data: bytes
    mime: str  # "image/jpeg" or "image/png"
    width: int
    height: int
    original_name: str | None = None
    notes: tuple[Note, ...] = ()

    def to_data_url(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class ReturnedImage:
    url: str
    alt: str
    kind: Literal["markdown_url", "data_url", "images_array"]
    span: tuple[int, int] | None = None


# -- reading ---------------------------------------------------------------------------------------


def _read_source(source: bytes | bytearray | memoryview | str | os.PathLike[str]) -> tuple[bytes, str | None]:
    """The bytes of ``source`` and its file name; the size is checked before anything is read."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > MAX_FILE_BYTES:
            raise ChatImageError(ImageErrorKind.TOO_LARGE_FILE, f"{len(data)} bytes")
        return data, None
    path = Path(source)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ChatImageError(ImageErrorKind.CORRUPT, f"cannot read {path.name}: {exc.strerror}") from exc
    if size > MAX_FILE_BYTES:
        raise ChatImageError(ImageErrorKind.TOO_LARGE_FILE, f"{size} bytes")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise ChatImageError(ImageErrorKind.CORRUPT, f"cannot read {path.name}: {exc.strerror}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ChatImageError(ImageErrorKind.TOO_LARGE_FILE, f"more than {MAX_FILE_BYTES} bytes")
    return data, path.name


_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", 0), (b"\xff\xd8\xff", 0), (b"GIF8", 0), (b"WEBP", 8), (b"BM", 0),
    (b"II*\x00", 0), (b"MM\x00*", 0),
)


def _has_image_magic(data: bytes) -> bool:
    return any(data[offset:offset + len(magic)] == magic for magic, offset in _IMAGE_MAGIC)


def _looks_unreadable_image(data: bytes) -> bool:
    head = data[:64].lstrip()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:4096]):
        return True
    return any(data[offset:offset + len(magic)] == magic for magic, offset in _KNOWN_UNREADABLE)


def _open_checked(data: bytes, *, draft_to: int | None = None) -> tuple[PILImage, tuple[int, int]]:
    """Open ``data``, check its header size, decode it (JPEGs at a reduced scale when allowed).

    Returns the decoded image and the size its header states (a drafted JPEG is smaller).

    ``draft_to``: the longest side actually needed; a JPEG is decoded at 1/2, 1/4 or 1/8 scale
    when that still leaves at least this many pixels on the longest side.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ChatImageError(ImageErrorKind.CORRUPT, "the file is empty")
    with warnings.catch_warnings():
        # Pillow warns above ~89 MP; our own limit (checked below) decides instead.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ChatImageError(ImageErrorKind.TOO_MANY_PIXELS, str(exc)) from exc
        except UnidentifiedImageError as exc:
            if _looks_unreadable_image(data):
                kind = ImageErrorKind.UNSUPPORTED
            elif _has_image_magic(data):  # a picture cut off inside its header
                kind = ImageErrorKind.CORRUPT
            else:
                kind = ImageErrorKind.NOT_AN_IMAGE
            raise ChatImageError(kind) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:  # a header Pillow chokes on
            raise ChatImageError(ImageErrorKind.CORRUPT, str(exc)) from exc
        width, height = image.size
        if width <= 0 or height <= 0:
            raise ChatImageError(ImageErrorKind.CORRUPT, f"{width}×{height}")
        if width * height > MAX_PIXELS:
            raise ChatImageError(ImageErrorKind.TOO_MANY_PIXELS, f"{width}×{height}")
        if draft_to is not None and image.format == "JPEG":
            target = _fit_side((width, height), draft_to)
            if target != (width, height):
                image.draft("RGB", target)  # keeps ≥ target on both sides
        try:
            image.load()  # the first frame of animations and multi-page files
        except Image.DecompressionBombError as exc:
            raise ChatImageError(ImageErrorKind.TOO_MANY_PIXELS, str(exc)) from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error) as exc:
            message = str(exc)
            if "decoder" in message and ("not available" in message or "unknown" in message):
                raise ChatImageError(ImageErrorKind.UNSUPPORTED, message) from exc
            raise ChatImageError(ImageErrorKind.CORRUPT, message) from exc
    return image, (width, height)


def _upright(image: PILImage) -> tuple[PILImage, bool]:
    """``ImageOps.exif_transpose``; a damaged EXIF block leaves the pixels as they are."""
    from PIL import ImageOps

    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 — a damaged EXIF block: show the pixels as they are
        return image, False
    if orientation in (None, 1):
        return image, False
    try:
        turned = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 — same: never refuse a picture for its EXIF
        return image, False
    return (turned if turned is not None else image), True


def _to_srgb(image: PILImage) -> PILImage:
    """Pixels converted from the embedded ICC profile to sRGB (unchanged when there is none)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L", "LA"):
        return image
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        out_mode = "RGBA" if image.mode in ("RGBA", "LA") else "RGB"
        if image.mode == "LA":
            image = image.convert("RGBA")
        converted = ImageCms.profileToProfile(image, source, target, outputMode=out_mode)
        return converted if converted is not None else image
    except Exception:  # noqa: BLE001 — a broken profile (or no littlecms): keep the pixels as they are
        return image


def _real_alpha(image: PILImage) -> PILImage | None:
    """The image as RGBA/LA when some pixel is not fully opaque, else None."""
    if image.mode == "P" and "transparency" in image.info or image.mode in ("PA", "RGBa"):
        image = image.convert("RGBA")
    elif image.mode not in ("RGBA", "LA"):
        if image.mode in ("RGB", "L", "I", "I;16", "F") and "transparency" in image.info:
            image = image.convert("RGBA")
        else:
            return None
    low, _high = image.getchannel("A").getextrema()
    return image if low < 255 else None


def _opaque(image: PILImage) -> PILImage:
    """RGB or L for JPEG (a fully opaque alpha channel simply dropped)."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("I;16", "I", "F", "1"):
        return image.convert("L") if image.mode != "I;16" else image.point(lambda v: v / 256).convert("L")
    if image.mode == "LA":
        return image.convert("L")
    return image.convert("RGB")


def _resize(image: PILImage, size: tuple[int, int]) -> PILImage:
    from PIL import Image

    if image.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: PILImage, fmt: str, quality: int = JPEG_QUALITY) -> bytes:
    """Bytes with no metadata: ``info`` is emptied so nothing (EXIF, XMP, ICC, text) is written."""
    image.info = {}
    out = io.BytesIO()
    if fmt == "PNG":
        image.save(out, "PNG", compress_level=_PNG_COMPRESS_LEVEL)
    else:
        image.save(out, "JPEG", quality=quality, optimize=False, progressive=False)
    return out.getvalue()


# -- out: prepare and thumbnail --------------------------------------------------------------------


def prepare_image(
    source: bytes | bytearray | str | os.PathLike[str],
    *,
    max_side: int = DEFAULT_MAX_SIDE,
    max_bytes: int = PAYLOAD_MAX_BYTES,
    name: str | None = None,
) -> PreparedImage:
    """The picture as it will be sent: upright, at most ``max_side`` a side, stripped, re-encoded.

    Blocking (decoding and resizing): call it through ``asyncio.to_thread``.
    """
    if max_side < 16:
        raise ValueError(f"max_side too small: {max_side}")
    data, file_name = _read_source(source)
    image, header_size = _open_checked(data, draft_to=max_side)
    fmt = image.format or "?"
    original_size = _upright_size(image, header_size)  # as the user sees it, for the notes
    notes: list[Note] = []

    if image.mode == "P" and "transparency" not in image.info:
        image = image.convert("RGB")
    target = _fit_side(image.size, max_side)
    if target != image.size:
        image = _resize(image, target)
    image = _to_srgb(image)  # after scaling: a quarter of the pixels or fewer to convert
    image, turned = _upright(image)
    if turned:
        notes.append(Note(NoteKind.ROTATED))
    if image.size != original_size:
        notes.append(Note(NoteKind.SCALED, before=original_size, after=image.size, detail="side"))

    transparent = _real_alpha(image)
    out_format = "PNG" if transparent is not None else "JPEG"
    image = transparent if transparent is not None else _opaque(image)
    if out_format != fmt:
        notes.append(Note(NoteKind.CONVERTED, detail=fmt))

    encoded = _encode(image, out_format)
    if len(encoded) > max_bytes and out_format == "JPEG":
        for quality in _FALLBACK_QUALITIES:
            encoded = _encode(image, out_format, quality)
            if len(encoded) <= max_bytes:
                break
    before_bytes = image.size
    attempts = 0
    while len(encoded) > max_bytes:
        attempts += 1
        if attempts > 10 or min(image.size) <= 16:
            raise ChatImageError(ImageErrorKind.UNSUPPORTED, "cannot be made small enough")
        factor = min(0.85, (max_bytes / len(encoded)) ** 0.5 * 0.95)
        image = _resize(image, (max(1, int(image.width * factor)), max(1, int(image.height * factor))))
        encoded = _encode(image, out_format, _FALLBACK_QUALITIES[-1] if out_format == "JPEG" else 0)
    if image.size != before_bytes:
        notes.append(Note(NoteKind.SCALED, before=before_bytes, after=image.size, detail="bytes"))

    return PreparedImage(
        data=encoded,
        mime=_MIME_BY_FORMAT[out_format],
        width=image.width,
        height=image.height,
        original_name=name or file_name,
        notes=tuple(notes),
    )


def _upright_size(image: PILImage, size: tuple[int, int]) -> tuple[int, int]:
    """The header ``size`` as shown: sides swapped for orientations 5–8."""
    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 — a damaged EXIF block
        orientation = 1
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def make_thumbnail(source: bytes | bytearray | str | os.PathLike[str], size: int) -> bytes:
    """A small upright PNG, longest side ``size`` (smaller pictures keep their size)."""
    from PIL import Image

    data, _ = _read_source(source)
    image, _ = _open_checked(data, draft_to=size)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    image.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)
    image, _ = _upright(image)
    return _encode(image, "PNG")


# -- in: images a model returned -------------------------------------------------------------------


def extract_returned_images(content: str | None, images: list[ChatImage] | None = None) -> list[ReturnedImage]:
    """Every image in a reply: markdown links (http/https and data URLs), then the ``images`` array."""
    # The same pattern as app.api.chat.markdown_images, which the streaming code uses; we need spans.
    from app.api.chat import _MARKDOWN_IMAGE

    found: list[ReturnedImage] = []
    seen: set[str] = set()
    for match in _MARKDOWN_IMAGE.finditer(content or ""):
        url = match.group(2)
        kind: Literal["markdown_url", "data_url"] = "data_url" if url.startswith("data:") else "markdown_url"
        found.append(ReturnedImage(url=url, alt=match.group(1), kind=kind, span=match.span()))
        seen.add(url)
    for image in images or ():
        url = getattr(image, "url", None)
        if isinstance(image, dict):  # a raw entry, as some relays send it
            url = (image.get("image_url") or {}).get("url") if isinstance(image.get("image_url"), dict) else image.get("url")
        if not isinstance(url, str) or not url or url in seen or _scheme(url) not in _FETCHABLE:
            continue
        seen.add(url)
        found.append(ReturnedImage(url=url, alt="", kind="images_array", span=None))
    return found


_FETCHABLE = frozenset({"http", "https", "data"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def _scheme(url: str) -> str:
    match = _SCHEME.match(url.strip())
    return match.group(1).lower() if match else ""


def validate_image_bytes(data: bytes) -> str:
    """The MIME type of ``data`` once Pillow has checked it is a whole picture within the limits."""
    from PIL import Image

    image, _ = _open_checked(data)  # header size limit, then a full decode (catches cut-off files)
    fmt = image.format or ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as again:
                again.verify()  # checksums (PNG CRCs) that a decode does not look at
        except Exception as exc:
            raise ChatImageError(ImageErrorKind.CORRUPT, str(exc)) from exc
    return _MIME_BY_FORMAT.get(fmt, f"image/{fmt.lower() or 'png'}")


async def fetch_returned_image(
    client: Any, url: str, *, max_bytes: int = MAX_RETURNED_BYTES, timeout: float = 30
) -> tuple[bytes, str]:
    """Download a model-returned image (http/https/data only) and check that it is one.

    ``client`` is an ``app.api.client.Client`` (its ``images.download`` keeps the token to the API's
    own URLs). Raises ``ReturnedImageError`` (see the module docstring) or the client's ``APIError``.
    """
    from app.api.errors import APIError, APITimeoutError

    scheme = _scheme(url)
    if scheme not in _FETCHABLE:
        raise ReturnedImageError(ImageErrorKind.BAD_SCHEME, scheme or "no scheme")
    if scheme == "data" and len(url) > max_bytes * 4 // 3 + 1024:  # base64 of more than the cap
        raise ReturnedImageError(ImageErrorKind.TOO_LARGE, f"a data URL of {len(url)} characters")
    try:
        async with asyncio.timeout(timeout):
            data = await client.images.download(url.strip(), max_bytes=max_bytes, timeout=timeout)
    except TimeoutError as exc:  # our overall deadline (a server dripping bytes)
        raise ReturnedImageError(ImageErrorKind.TIMEOUT, f"more than {timeout} s") from exc
    except APITimeoutError:
        raise
    except APIError as exc:
        # download() words the cap this way and gives it no class of its own.
        if exc.message.startswith("The file is larger than"):
            raise ReturnedImageError(ImageErrorKind.TOO_LARGE, exc.message) from exc
        raise
    try:
        mime = await asyncio.to_thread(validate_image_bytes, data)
    except ReturnedImageError:
        raise
    except ChatImageError as exc:
        raise ReturnedImageError(exc.kind, str(exc)) from exc
    return data, mime
