"""A 24-megapixel photo dropped into chat: thumbnail time, payload time, payload size.

Makes a 6000×4000 JPEG (quality 92, smooth gradients plus sensor-like noise, EXIF with GPS and an
orientation, about 7 MB) and times, in this process, the two blocking calls the composer makes
through ``asyncio.to_thread``:

* ``make_thumbnail(data, 256)`` — target: the thumbnail shows within 100 ms;
* ``prepare_image(data)`` (2048 px, JPEG 85, metadata stripped) — target ≤ 400 ms;
* the payload's bytes and its base64 data URL's length — target ≤ 2 MB in the request body.

Also, for comparison, the same prepare without ``Image.draft`` (a full-scale decode).

    .venv/bin/python benchmarks/image_payload.py [--runs 7] [--side 256]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_photo(width: int = 6000, height: int = 4000) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(24)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack([x * 255 // width, y * 255 // height, (x // 7 + y // 5) % 256], -1).astype(np.int16)
    noisy = (base + rng.integers(-12, 13, (height, width, 3), dtype=np.int16)).clip(0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (52.0, 31.0, 12.5)
    out = io.BytesIO()
    Image.fromarray(noisy).save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


def timed(fn, runs: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--side", type=int, default=256)
    args = parser.parse_args()

    from PIL import Image

    from app import chat_images
    from app.chat_images import make_thumbnail, prepare_image

    data = make_photo()
    with Image.open(io.BytesIO(data)) as probe:
        print(f"source: {probe.width}×{probe.height} JPEG, {len(data) / 1e6:.1f} MB")
    prepare_image(data)  # warm up imports and Pillow's plugins

    median, worst, thumb = timed(lambda: make_thumbnail(data, args.side), args.runs)
    print(f"thumbnail {args.side} px (PNG, draft): median {median:.0f} ms, worst {worst:.0f} ms, "
          f"{len(thumb) / 1000:.0f} kB   (target ≤ 100 ms)")  # type: ignore[arg-type]

    median, worst, prepared = timed(lambda: prepare_image(data), args.runs)
    url_len = len(prepared.to_data_url())  # type: ignore[attr-defined]
    print(f"prepare 2048 px JPEG 85 (draft):  median {median:.0f} ms, worst {worst:.0f} ms   (target ≤ 400 ms)")
    print(f"payload: {prepared.width}×{prepared.height} {prepared.mime}, "  # type: ignore[attr-defined]
          f"{len(prepared.data) / 1e6:.2f} MB, data URL {url_len / 1e6:.2f} MB   (target ≤ 2 MB)")  # type: ignore[attr-defined]

    # The same without draft (what a full decode would cost), for the record.
    real_open = chat_images._open_checked
    chat_images._open_checked = lambda d, draft_to=None: real_open(d)  # type: ignore[assignment]
    try:
        median_full, worst_full, _ = timed(lambda: prepare_image(data), max(3, args.runs // 2))
    finally:
        chat_images._open_checked = real_open  # type: ignore[assignment]
    print(f"prepare without draft (full decode): median {median_full:.0f} ms, worst {worst_full:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
