"""Pillow work for the Images tab: what the image endpoints need, made from what the user has.

No Qt here, and every function blocks: the UI calls them through ``asyncio.to_thread`` so decoding a
20-megapixel photo never freezes a frame. Pillow itself is imported on first use, not at start-up.

What the endpoints want (api-reference.md, and what real servers reject):

* ``/images/edits`` — PNG images; for DALL·E 2 one **square** RGBA PNG **under 4 MB**; a mask PNG of
  **exactly the image's size** whose fully transparent pixels mark where to edit. gpt-image-1 takes
  several images (each well under its size limit).
* ``/images/variations`` — one square PNG under 4 MB.

The functions here do those conversions and report each change as a :class:`Note` (the UI words
them: "Scaled down from 3000×2000 to 1024×1024"), so nothing happens to a picture behind the
user's back. A painted mask is transformed together with its image — the same crop, padding and
scaling, with nearest-neighbour sampling so it stays strictly two-valued — so it always matches.
"""

from __future__ import annotations

import io
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

__all__ = [
    "BadResultError",
    "DALLE2_MAX_BYTES",
    "DALLE2_MAX_SIDE",
    "EditUpload",
    "EmptyResultError",
    "Fit",
    "ImageFormatError",
    "ImageInfo",
    "LARGE_MAX_BYTES",
    "Note",
    "NoteKind",
    "Prepared",
    "convert_for_save",
    "image_info",
    "mask_png",
    "normalize_upload",
    "prepare_edit",
    "prepare_variation",
    "square",
    "thumbnail_bytes",
    "write_thumbnail",
]

#: "less than 4 MB" — read as the smaller of the two ways to count a megabyte.
DALLE2_MAX_BYTES = 4_000_000
#: DALL·E 2 answers at most 1024×1024: a larger input only costs upload time and the 4 MB limit.
DALLE2_MAX_SIDE = 1024
#: Per-image limit used for gpt-image-1 and unknown models (OpenAI allows more; relays often less).
LARGE_MAX_BYTES = 25_000_000
#: Longest side sent to gpt-image-1 and unknown models; it answers at most 1536 anyway.
LARGE_MAX_SIDE = 4096

_MIME_BY_FORMAT = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
}
_FORMAT_BY_SUFFIX = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".gif": "GIF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}


class ImageFormatError(ValueError):
    """The bytes are not an image Pillow can read (or are too large to decode safely)."""


class BadResultError(Exception):
    """The image endpoint answered, but a result is not a picture (an HTML page, a cut-off file)."""


class EmptyResultError(Exception):
    """The image endpoint answered without a single picture."""


class Fit(StrEnum):
    """How a non-square picture becomes square: cut the middle out, or add borders."""

    CROP = "crop"
    PAD = "pad"


class NoteKind(StrEnum):
    CONVERTED = "converted"  # another format became PNG (``detail``: the old format)
    ROTATED = "rotated"  # turned upright as the camera's EXIF orientation said
    CROPPED = "cropped"  # centre-cropped to a square (``before``/``after`` sizes)
    PADDED = "padded"  # padded to a square
    SCALED = "scaled"  # scaled down (``before``/``after``), for the side or the byte limit


@dataclass(frozen=True)
class Note:
    """One change made to a picture before it was sent; the UI turns it into a sentence."""

    kind: NoteKind
    before: tuple[int, int] | None = None
    after: tuple[int, int] | None = None
    detail: str = ""


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    mime: str
    format: str  # Pillow's name: "PNG", "JPEG", …

    @property
    def extension(self) -> str:
        return {"JPEG": ".jpg", "WEBP": ".webp", "GIF": ".gif", "BMP": ".bmp", "TIFF": ".tif"}.get(self.format, ".png")


@dataclass(frozen=True)
class Prepared:
    """A picture ready to upload: PNG bytes, their size in pixels, and what was changed."""

    png: bytes
    size: tuple[int, int]
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class EditUpload:
    """What ``client.images.edit`` receives: the images (the first carries the mask) and the mask."""

    images: tuple[Prepared, ...]
    mask: bytes | None = None
    notes: tuple[Note, ...] = field(default=())


# -- reading ---------------------------------------------------------------------------------------


def _pil() -> Any:
    from PIL import Image

    return Image


def _open(data: bytes, draft: int | None = None) -> "PILImage":
    """Decode ``data`` fully (so a truncated file fails here, not later), or ImageFormatError.

    ``draft``: a JPEG may be decoded at a reduced scale when only this many pixels a side are needed.
    """
    Image = _pil()
    try:
        image = Image.open(io.BytesIO(data))
        if draft is not None:
            image.draft("RGB", (draft, draft))
        image.load()
    except Image.DecompressionBombError as exc:
        raise ImageFormatError("the image is too large to open safely") from exc
    except (OSError, SyntaxError, ValueError) as exc:  # UnidentifiedImageError is an OSError
        raise ImageFormatError("not an image Pillow can read") from exc
    return image


def _upright(image: "PILImage") -> tuple["PILImage", bool]:
    """The image turned as its EXIF orientation says; True when that changed anything."""
    from PIL import ImageOps

    try:
        orientation = image.getexif().get(0x0112, 1)
    except Exception:  # a damaged EXIF block: show the pixels as they are
        return image, False
    if orientation in (None, 1):
        return image, False
    turned = ImageOps.exif_transpose(image)
    return (turned if turned is not None else image), True


def image_info(data: bytes) -> ImageInfo:
    """Size (upright, as shown) and type of encoded image bytes, without decoding every pixel."""
    Image = _pil()
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            fmt = image.format or "PNG"
            try:
                orientation = image.getexif().get(0x0112, 1)
            except Exception:
                orientation = 1
    except Image.DecompressionBombError as exc:
        raise ImageFormatError("the image is too large to open safely") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageFormatError("not an image Pillow can read") from exc
    if orientation in (5, 6, 7, 8):  # rotated by 90° one way or the other
        width, height = height, width
    return ImageInfo(width, height, _MIME_BY_FORMAT.get(fmt, f"image/{fmt.lower()}"), fmt)


def _rgba(image: "PILImage") -> "PILImage":
    if image.mode == "RGBA":
        return image
    if image.mode in ("I;16", "I", "F"):  # 16-bit and float greyscale: through 8-bit first
        image = image.convert("L")
    return image.convert("RGBA")


def _png(image: "PILImage", compress_level: int = 6) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=compress_level)
    return out.getvalue()


def normalize_upload(data: bytes) -> tuple[bytes, ImageInfo, tuple[Note, ...]]:
    """Bytes someone dropped or pasted, as an upright PNG (or as they are, when already one).

    Used when a picture enters the Edit or Variations panel, so the canvas shows exactly the
    pixels that will be sent.
    """
    image = _open(data)
    notes: list[Note] = []
    fmt = image.format or "PNG"
    image, turned = _upright(image)
    if turned:
        notes.append(Note(NoteKind.ROTATED))
    if fmt == "PNG" and not turned:
        info = ImageInfo(image.width, image.height, "image/png", "PNG")
        return data, info, tuple(notes)
    if fmt != "PNG":
        notes.append(Note(NoteKind.CONVERTED, detail=fmt))
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = _rgba(image)
    png = _png(image)
    return png, ImageInfo(image.width, image.height, "image/png", "PNG"), tuple(notes)


# -- geometry --------------------------------------------------------------------------------------


def _square_box(width: int, height: int) -> tuple[int, int, int, int]:
    side = min(width, height)
    left = (width - side) // 2
    top = (height - side) // 2
    return left, top, left + side, top + side


def square(image: "PILImage", fit: Fit | str, *, fill: Any = None) -> "PILImage":
    """``image`` made square: its centre cut out (``crop``) or placed on a square canvas (``pad``).

    Padding uses ``fill`` (default: white for colour images, 255 for masks, fully transparent
    never — a transparent border would be read as "edit here" by DALL·E 2).
    """
    width, height = image.size
    if width == height:
        return image
    if Fit(fit) == Fit.CROP:
        return image.crop(_square_box(width, height))
    side = max(width, height)
    if fill is None:
        fill = {"RGBA": (255, 255, 255, 255), "RGB": (255, 255, 255), "LA": (255, 255), "L": 255}.get(image.mode, 0)
    canvas = _pil().new(image.mode, (side, side), fill)
    canvas.paste(image, ((side - width) // 2, (side - height) // 2))
    return canvas


def _scaled(size: tuple[int, int], factor: float) -> tuple[int, int]:
    return max(1, int(size[0] * factor)), max(1, int(size[1] * factor))


def _fit_side(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    longest = max(size)
    if longest <= max_side:
        return size
    return _scaled(size, max_side / longest)


# -- masks -----------------------------------------------------------------------------------------


def mask_png(painted: "PILImage") -> bytes:
    """The mask the API wants from a painted-area image (mode ``L``: non-zero = painted).

    Same size as ``painted``; painted pixels are fully transparent (0, 0, 0, 0), all others opaque
    black (0, 0, 0, 255). Nothing in between, so a server that tests ``alpha == 0`` sees exactly
    what the user painted.
    """
    Image = _pil()
    alpha = painted.convert("L").point(lambda v: 0 if v else 255)
    mask = Image.new("RGBA", painted.size, (0, 0, 0, 255))
    mask.putalpha(alpha)
    return _png(mask)


def painted_from_alpha8(width: int, height: int, data: bytes, bytes_per_line: int | None = None) -> "PILImage":
    """An ``L`` image from a raw 8-bit buffer (the mask canvas's QImage bits, rows maybe padded)."""
    Image = _pil()
    stride = bytes_per_line or width
    if len(data) < stride * height:
        raise ValueError(f"mask buffer too short: {len(data)} < {stride * height}")
    return Image.frombuffer("L", (width, height), bytes(data[: stride * height]), "raw", "L", stride, 1)


# -- uploads ---------------------------------------------------------------------------------------


def _shrink_to_bytes(
    image: "PILImage", limit: int, notes: list[Note], mask: "PILImage | None" = None
) -> tuple[bytes, "PILImage", "PILImage | None"]:
    """PNG bytes under ``limit``, scaling ``image`` (and its ``mask`` alike) down until they fit."""
    Image = _pil()
    original = image.size
    png = _png(image)
    attempts = 0
    while len(png) >= limit:
        attempts += 1
        if attempts > 12 or min(image.size) <= 16:
            raise ImageFormatError("the image cannot be made small enough for the server")
        # PNG size grows with the pixel count; aim a little under, then check again.
        factor = min(0.9, math.sqrt(limit / len(png)) * 0.95)
        size = _scaled(image.size, factor)
        image = image.resize(size, Image.Resampling.LANCZOS)
        if mask is not None:
            mask = mask.resize(size, Image.Resampling.NEAREST)
        png = _png(image)
    if image.size != original:
        notes.append(Note(NoteKind.SCALED, before=original, after=image.size, detail="bytes"))
    return png, image, mask


def _limits(family: str) -> tuple[bool, int, int]:
    """(must be square, longest side, byte limit) for an upload to this model family."""
    if family == "dall-e-2":
        return True, DALLE2_MAX_SIDE, DALLE2_MAX_BYTES
    return False, LARGE_MAX_SIDE, LARGE_MAX_BYTES


def _prepare_one(
    data: bytes,
    *,
    family: str,
    fit: Fit | str,
    painted: "PILImage | None" = None,
    need_alpha: bool = False,
) -> tuple[Prepared, "PILImage | None"]:
    """One upload within the family's limits; the PNG sent untouched when it already is one.

    ``need_alpha``: DALL·E 2 edits refuse anything but RGBA, LA or L pictures.
    """
    Image = _pil()
    image = _open(data)
    notes: list[Note] = []
    fmt = image.format or "PNG"
    image, turned = _upright(image)
    changed = turned or fmt != "PNG"
    if turned:
        notes.append(Note(NoteKind.ROTATED))
    if fmt != "PNG":
        notes.append(Note(NoteKind.CONVERTED, detail=fmt))
    if painted is not None and painted.size != image.size:
        raise ValueError(f"the mask is {painted.size}, the image {image.size}")
    if (need_alpha and image.mode not in ("RGBA", "LA", "L")) or image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = _rgba(image)
        changed = True
    must_square, max_side, max_bytes = _limits(family)
    if must_square and image.width != image.height:
        before = image.size
        image = square(image, fit)
        if painted is not None:
            # Borders added around the picture are not to be edited: opaque in the mask (0 here).
            painted = square(painted.convert("L"), fit, fill=0)
        kind = NoteKind.CROPPED if Fit(fit) == Fit.CROP else NoteKind.PADDED
        notes.append(Note(kind, before=before, after=image.size))
        changed = True
    target = _fit_side(image.size, max_side)
    if target != image.size:
        notes.append(Note(NoteKind.SCALED, before=image.size, after=target, detail="side"))
        image = image.resize(target, Image.Resampling.LANCZOS)
        if painted is not None:
            painted = painted.resize(target, Image.Resampling.NEAREST)
        changed = True
    if not changed and len(data) < max_bytes:
        return Prepared(data, image.size, tuple(notes)), painted
    png, image, painted = _shrink_to_bytes(image, max_bytes, notes, painted)
    return Prepared(png, image.size, tuple(notes)), painted


def prepare_edit(
    images: Sequence[bytes],
    painted: "PILImage | None",
    *,
    family: str,
    fit: Fit | str = Fit.CROP,
) -> EditUpload:
    """The edit request's files: every image as PNG within the family's limits, and the mask.

    ``painted`` (mode ``L``, the first image's size, non-zero = painted) becomes the mask after the
    same transformation as the first image; None or nothing painted → no mask. DALL·E 2 takes one
    image: extra ones are an error the caller should have prevented.
    """
    if not images:
        raise ValueError("an edit needs at least one image")
    if family == "dall-e-2" and len(images) > 1:
        raise ValueError("DALL·E 2 edits take one image")
    if painted is not None and painted.getbbox() is None:
        painted = None  # nothing painted: no mask at all rather than an all-opaque one
    need_alpha = family == "dall-e-2"
    first, first_mask = _prepare_one(images[0], family=family, fit=fit, painted=painted, need_alpha=need_alpha)
    prepared = [first]
    for data in images[1:]:
        other, _ = _prepare_one(data, family=family, fit=fit)
        prepared.append(other)
    mask = None
    if first_mask is not None:
        if first_mask.size != first.size:  # cannot happen: both went through the same steps
            raise AssertionError("mask and image sizes diverged")
        mask = mask_png(first_mask)
    notes = tuple(note for p in prepared for note in p.notes)
    return EditUpload(tuple(prepared), mask, notes)


def prepare_variation(data: bytes, fit: Fit | str = Fit.CROP) -> Prepared:
    """The square PNG under 4 MB that ``/images/variations`` requires."""
    prepared, _ = _prepare_one(data, family="dall-e-2", fit=fit)
    return prepared


# -- thumbnails and saving -------------------------------------------------------------------------


def thumbnail_bytes(data: bytes, max_side: int) -> tuple[bytes, str]:
    """A small upright copy (longest side ``max_side``): JPEG when opaque (fast to decode), else PNG."""
    Image = _pil()
    image, _ = _upright(_open(data, draft=max_side))
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    out = io.BytesIO()
    if has_alpha:
        image = image.convert("RGBA")
        extrema = image.getchannel("A").getextrema()
        has_alpha = extrema[0] < 255
    if has_alpha:
        image.save(out, "PNG", compress_level=1)
        return out.getvalue(), "image/png"
    image.convert("RGB").save(out, "JPEG", quality=88)
    return out.getvalue(), "image/jpeg"


def write_thumbnail(source: Path, dest: Path, max_side: int) -> Path:
    """Make ``dest`` from the image file ``source`` (written to a temporary name, then renamed)."""
    data, _mime = thumbnail_bytes(Path(source).read_bytes(), max_side)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: the grid and a new result may make the same thumbnail at the same time.
    tmp = dest.with_name(f"{dest.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def convert_for_save(data: bytes, suffix: str) -> bytes:
    """The image in the format ``suffix`` names (".png", ".jpg", ".webp"…); the same bytes if it already is."""
    target = _FORMAT_BY_SUFFIX.get(suffix.lower())
    if target is None:
        return data
    image = _open(data)
    if (image.format or "") == target:
        return data
    out = io.BytesIO()
    if target == "JPEG":
        rgba = image.convert("RGBA")
        flat = _pil().new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        flat.save(out, "JPEG", quality=92)
    elif target in ("BMP",):
        image.convert("RGB").save(out, target)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = _rgba(image)
        image.save(out, target)
    return out.getvalue()
