"""A strict little ``multipart/form-data`` parser working on the raw body bytes.

The server reads every body once, as bytes, so it can record it verbatim; parsing the multipart from
those same bytes (rather than through aiohttp's streaming reader, which consumes the body) keeps the
record and the parsed form consistent, and keeps every repeated field (``image[]``) in order.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from tests.loopback._types import UploadedFile

_PARAM = re.compile(r';\s*([^=;\s]+)\s*=\s*("(?:\\.|[^"\\])*"|[^;]*)')


class MultipartError(ValueError):
    """The body is not valid multipart/form-data: the endpoint answers 400 with this message."""


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``form-data; name="a"; filename*=UTF-8''b`` into the main value and its parameters."""
    main, _, _rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM.finditer(value[len(main) :]):
        key, raw = match.group(1).lower(), match.group(2).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
        if key.endswith("*"):
            # RFC 5987: charset'lang'percent-encoded
            charset, _, encoded = raw.partition("'")
            _lang, _, encoded = encoded.partition("'")
            raw = unquote(encoded, encoding=charset or "utf-8", errors="replace")
            key = key[:-1]
            params[key] = raw  # the extended form wins over the plain one
        else:
            params.setdefault(key, raw)
    return main.strip().lower(), params


def parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, list[str]], dict[str, list[UploadedFile]]]:
    """Return (fields, files) of a multipart body; parts with a ``filename`` are files."""
    kind, params = header_params(content_type)
    if kind != "multipart/form-data":
        raise MultipartError(f"expected multipart/form-data, got {kind or 'no content type'}")
    boundary = params.get("boundary")
    if not boundary:
        raise MultipartError("multipart body without a boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise MultipartError("multipart body is not terminated by its closing boundary")
    fields: dict[str, list[str]] = {}
    files: dict[str, list[UploadedFile]] = {}
    for chunk in chunks[1:-1]:
        if not chunk.startswith(b"\r\n") or not chunk.endswith(b"\r\n"):
            raise MultipartError("multipart part not delimited by CRLF")
        head, sep, data = chunk[2:-2].partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("multipart part without a header/body separator")
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            if not line:
                continue
            header, colon, value = line.partition(b":")
            if not colon:
                raise MultipartError(f"bad part header line {line[:40]!r}")
            headers[header.decode("latin-1").strip().lower()] = _decode_header(value.strip())
        disposition, dparams = header_params(headers.get("content-disposition", ""))
        if disposition != "form-data" or "name" not in dparams:
            raise MultipartError("part without Content-Disposition: form-data; name=…")
        name = dparams["name"]
        if "filename" in dparams:
            upload = UploadedFile(dparams["filename"], headers.get("content-type"), data)
            files.setdefault(name, []).append(upload)
        else:
            fields.setdefault(name, []).append(data.decode("utf-8", errors="replace"))
    return fields, files


def _decode_header(raw: bytes) -> str:
    """Header values are UTF-8 in practice (HTML5 form encoding); fall back to Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
