"""Embeddings: ``POST /embeddings``.

Public call (``client.embeddings``):

``await client.embeddings.create(input, *, model, dimensions=None, encoding_format="float",
user=None, extra_body=None, timeout=None) -> EmbeddingResult``
    ``input`` is a string or a list of strings; ``.vectors`` holds one ``list[float]`` per input, in
    input order whatever order the server used. With ``encoding_format="base64"`` (a quarter of the
    JSON size) the little-endian float32 payload is decoded here into an ``array.array("f")`` — a
    sequence of floats that numpy reads without copying, made without building 1,536 Python floats
    per vector on the event loop; a server that ignores the format and answers the other way is read
    too (then each vector is a ``list[float]``).
"""

from __future__ import annotations

import base64
import binascii
import sys
from array import array
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from app.api._http import HTTPCore
from app.api.chat import build_body
from app.api.types import EmbeddingResult, Usage

__all__ = ["Embeddings", "decode_base64_vector"]


def decode_base64_vector(data: str) -> array[float]:
    """A base64 string of little-endian float32 values, as an ``array("f")``."""
    raw = base64.b64decode(data)
    if len(raw) % 4:
        raise ValueError("base64 embedding is not a whole number of float32 values")
    values = array("f")
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values


class Embeddings:
    """``client.embeddings``."""

    def __init__(self, http: HTTPCore) -> None:
        self._http = http

    async def create(
        self,
        input: str | Sequence[str],
        *,
        model: str,
        dimensions: int | None = None,
        encoding_format: Literal["float", "base64"] = "float",
        user: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> EmbeddingResult:
        body = build_body(
            {"model": model, "input": input if isinstance(input, str) else list(input)},
            {"dimensions": dimensions, "encoding_format": encoding_format, "user": user},
            extra_body,
        )
        url = self._http.url("embeddings")
        payload = await self._http.request_json("POST", "embeddings", json=body, timeout=timeout)
        items = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(items, list):
            raise self._http.status_error(200, {"content-type": "text/plain"}, b"The answer has no data list.",
                                          method="POST", url=url)
        indexed: list[tuple[int, Sequence[float]]] = []
        for position, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            index = item.get("index") if isinstance(item.get("index"), int) else position
            vector = item.get("embedding")
            try:
                if isinstance(vector, str):
                    values: Sequence[float] = decode_base64_vector(vector)
                elif isinstance(vector, list):
                    values = [float(v) for v in vector]
                else:
                    raise ValueError("no embedding")
            except (ValueError, TypeError, binascii.Error):
                raise self._http.status_error(
                    200, {"content-type": "text/plain"}, b"An embedding in the answer could not be read.",
                    method="POST", url=url,
                ) from None
            indexed.append((index, values))
        indexed.sort(key=lambda pair: pair[0])
        return EmbeddingResult(
            vectors=[v for _, v in indexed],
            model=payload.get("model") if isinstance(payload.get("model"), str) else None,
            usage=Usage.from_json(payload.get("usage")),
        )
