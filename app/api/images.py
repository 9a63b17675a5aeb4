"""Images: generations, edits and variations.

Public calls (``client.images``):

``await client.images.generate(prompt, *, model=None, n=None, size=None, quality=None, style=None,
response_format=None, background=None, output_format=None, output_compression=None, moderation=None,
user=None, extra_body=None, timeout=None) -> ImagesResult``
    ``POST /images/generations`` (JSON).

``await client.images.edit(image, prompt, *, mask=None, model=None, n=None, size=None, quality=None,
response_format=None, background=None, output_format=None, input_fidelity=None, user=None,
extra_fields=None, timeout=None) -> ImagesResult``
    ``POST /images/edits`` (multipart). ``image`` is one ``FileInput`` (sent as ``image``) or a list
    of them (sent as repeated ``image[]``, as gpt-image-1 wants). ``mask`` is a PNG whose fully
    transparent pixels mark where to edit.

``await client.images.variation(image, *, model=None, n=None, size=None, response_format=None,
user=None, extra_fields=None, timeout=None) -> ImagesResult``
    ``POST /images/variations`` (multipart, dall-e-2).

``await client.images.download(url_or_image, *, max_bytes=50_000_000, timeout=None) -> bytes``
    The bytes of a result: a ``GeneratedImage`` (inline base64 is decoded, a URL fetched), an
    ``https://`` URL or a ``data:`` URL (chat image models, quirk 9). Returned URLs expire after about
    an hour, so download right away. Larger than ``max_bytes`` → ``APIError``; the token is only sent
    to URLs under the API's ``base_url``, never to a CDN.

``ImagesResult.images`` is a list of ``GeneratedImage(url, b64_json, revised_prompt)``; its
``.data()`` gives inline bytes without a request. Files are ``FileInput``s (see ``app.api.types``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.api._http import HTTPCore, form_fields, load_file
from app.api.chat import build_body
from app.api.types import FileInput, GeneratedImage, ImagesResult, Usage

__all__ = ["Images"]

DEFAULT_MAX_DOWNLOAD = 50_000_000


class Images:
    """``client.images``."""

    def __init__(self, http: HTTPCore) -> None:
        self._http = http

    def _result(self, payload: Any, path: str) -> ImagesResult:
        items = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise self._http.status_error(200, {"content-type": "text/plain"}, b"The answer has no image list.",
                                          method="POST", url=self._http.url(path))
        images = [
            GeneratedImage(
                url=item.get("url") or None,
                b64_json=item.get("b64_json") or None,
                revised_prompt=item.get("revised_prompt") or None,
            )
            for item in items
            if isinstance(item, dict)
        ]
        created = payload.get("created")
        return ImagesResult(
            images=images,
            created=created if isinstance(created, int) else None,
            usage=Usage.from_json(payload.get("usage")),
            raw=payload,
        )

    async def generate(
        self,
        prompt: str,
        *,
        model: str | None = None,
        n: int | None = None,
        size: str | None = None,
        quality: str | None = None,
        style: str | None = None,
        response_format: str | None = None,
        background: str | None = None,
        output_format: str | None = None,
        output_compression: int | None = None,
        moderation: str | None = None,
        user: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> ImagesResult:
        body = build_body(
            {"prompt": prompt},
            dict(model=model, n=n, size=size, quality=quality, style=style, response_format=response_format,
                 background=background, output_format=output_format, output_compression=output_compression,
                 moderation=moderation, user=user),
            extra_body,
        )
        payload = await self._http.request_json("POST", "images/generations", json=body, timeout=timeout)
        return self._result(payload, "images/generations")

    async def edit(
        self,
        image: FileInput | Sequence[FileInput],
        prompt: str,
        *,
        mask: FileInput | None = None,
        model: str | None = None,
        n: int | None = None,
        size: str | None = None,
        quality: str | None = None,
        response_format: str | None = None,
        background: str | None = None,
        output_format: str | None = None,
        input_fidelity: str | None = None,
        user: str | None = None,
        extra_fields: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> ImagesResult:
        several = isinstance(image, list)
        sources = list(image) if several else [image]  # type: ignore[list-item]
        files: list[tuple[str, tuple[str, bytes, str]]] = []
        for number, source in enumerate(sources):
            loaded = await load_file(source, default_name=f"image{number or ''}.png")
            files.append(("image[]" if several else "image", loaded))
        if mask is not None:
            files.append(("mask", await load_file(mask, default_name="mask.png")))
        fields = form_fields({
            "prompt": prompt, "model": model, "n": n, "size": size, "quality": quality,
            "response_format": response_format, "background": background, "output_format": output_format,
            "input_fidelity": input_fidelity, "user": user, **(extra_fields or {}),
        })
        payload = await self._http.request_json("POST", "images/edits", data=fields, files=files, timeout=timeout)
        return self._result(payload, "images/edits")

    async def variation(
        self,
        image: FileInput,
        *,
        model: str | None = None,
        n: int | None = None,
        size: str | None = None,
        response_format: str | None = None,
        user: str | None = None,
        extra_fields: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> ImagesResult:
        files = [("image", await load_file(image, default_name="image.png"))]
        fields = form_fields({"model": model, "n": n, "size": size, "response_format": response_format,
                              "user": user, **(extra_fields or {})})
        payload = await self._http.request_json("POST", "images/variations", data=fields, files=files,
                                                timeout=timeout)
        return self._result(payload, "images/variations")

    async def download(
        self, source: GeneratedImage | str, *, max_bytes: int = DEFAULT_MAX_DOWNLOAD, timeout: float | None = None
    ) -> bytes:
        if isinstance(source, GeneratedImage):
            inline = source.data()
            if inline is not None:
                return inline
            if not source.url:
                raise ValueError("the image has neither a URL nor inline data")
            source = source.url
        return await self._http.download(source, max_bytes=max_bytes, timeout=timeout)
