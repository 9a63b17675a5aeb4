"""The pure rules of the HTTP layer: Retry-After parsing, status → error mapping, failure reasons."""

from __future__ import annotations

import email.utils
import socket
import ssl

import httpx
import pytest

from app.api._http import HTTPCore, connect_failure_reason, form_fields, load_file, parse_retry_after
from app.api.client import Client
from app.api.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from app.profiles import Profile, ProxyMode

TOKEN = "sk-secret-helper-token-123"


def core() -> HTTPCore:
    return HTTPCore("http://127.0.0.1:9/v1/", TOKEN)


def test_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after({"retry-after": email.utils.formatdate(now - 30, usegmt=True)}, now=now) == 0.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after": "-4"}) is None
    assert parse_retry_after({}) is None


def test_base_url_trailing_slash_and_repr_hide_token() -> None:
    http = core()
    assert http.url("models") == "http://127.0.0.1:9/v1/models"
    assert http.url("/models") == "http://127.0.0.1:9/v1/models"
    client = Client("http://h/v1/", TOKEN)
    assert client.base_url == "http://h/v1"
    assert TOKEN not in repr(client) and TOKEN not in repr(client._http)


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, BadRequestError), (401, AuthenticationError), (404, NotFoundError), (429, RateLimitError),
     (500, InternalServerError), (418, APIStatusError)],
)
def test_json_error_shapes(status: int, cls: type) -> None:
    http = core()
    body = b'{"error": {"message": "Nope.", "type": "invalid_request_error", "code": "x"}}'
    error = http.status_error(status, {"x-request-id": "req_1", "content-type": "application/json"}, body,
                              method="POST", url="http://h/v1/chat/completions")
    assert type(error) is cls
    assert (error.message, error.error_type, error.code, error.request_id) == ("Nope.", "invalid_request_error", "x", "req_1")
    assert error.has_server_message and not error.is_html


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"error": "model not found"}', "model not found"),  # Ollama
        (b'{"detail": "Not Found"}', "Not Found"),  # FastAPI
        (b'{"detail": [{"loc": ["body", "model"], "msg": "field required"}]}', "model: field required"),
        (b'{"message": "bad"}', "bad"),
        (b'[{"error": {"code": 400, "message": "API key not valid", "status": "INVALID_ARGUMENT"}}]',
         "API key not valid"),  # Google
    ],
)
def test_other_json_error_shapes(body: bytes, message: str) -> None:
    error = core().status_error(400, {}, body, method="GET", url="http://h/v1/models")
    assert error.message == message and isinstance(error, BadRequestError)


def test_html_page_becomes_a_short_message() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>" + b"<p>x</p>" * 5000 + b"</body></html>"
    error = core().status_error(502, {"content-type": "text/html"}, page, method="GET", url="http://h/v1/models")
    assert isinstance(error, InternalServerError) and error.is_html and not error.has_server_message
    assert "502 Bad Gateway" in error.message and "<p>" not in error.message and len(error.message) < 300


def test_empty_and_plain_text_bodies() -> None:
    empty = core().status_error(520, {}, b"", method="GET", url="http://h/v1/models")
    assert isinstance(empty, InternalServerError) and empty.is_html and "520" in empty.message
    text = core().status_error(503, {"content-type": "text/plain"}, b"upstream connect error", method="GET",
                               url="http://h/v1/models")
    assert text.is_html and "upstream connect error" in text.message


def test_200_error_body_class_is_inferred() -> None:
    http = core()
    error = http.error_from_payload({"error": {"message": "quota", "type": "insufficient_quota"}},
                                    method="POST", url="http://h/v1/x")
    assert isinstance(error, RateLimitError) and error.status_code == 200
    error = http.error_from_payload({"error": {"message": "who?", "code": 401}}, method="POST", url="http://h/v1/x")
    assert isinstance(error, AuthenticationError)
    error = http.error_from_payload({"error": {"message": "meh"}}, method="POST", url="http://h/v1/x")
    assert type(error) is APIStatusError and error.message == "meh"


def test_a_relay_echoing_the_token_is_scrubbed() -> None:
    body = f'{{"error": {{"message": "Invalid token {TOKEN}", "type": "auth"}}}}'.encode()
    error = core().status_error(401, {}, body, method="GET", url="http://h/v1/models")
    assert TOKEN not in error.message and TOKEN not in repr(error.body) and "***" in error.message
    html_echo = f"<html><title>Bearer {TOKEN}</title></html>".encode()
    error = core().status_error(401, {"content-type": "text/html"}, html_echo, method="GET", url="http://h/v1/models")
    assert TOKEN not in error.message and TOKEN not in str(error.body)


def test_connect_failure_reasons_from_the_cause_chain() -> None:
    def chained(inner: BaseException) -> httpx.ConnectError:
        outer = httpx.ConnectError("All connection attempts failed")
        middle = OSError("All connection attempts failed")
        middle.__cause__ = ExceptionGroup("attempts", [inner]) if isinstance(inner, Exception) else inner
        outer.__cause__ = middle
        return outer

    assert connect_failure_reason(chained(ConnectionRefusedError(111, "Connection refused"))) == "refused"
    assert connect_failure_reason(chained(socket.gaierror(-2, "Name or service not known"))) == "dns"
    assert connect_failure_reason(chained(ssl.SSLError(1, "WRONG_VERSION_NUMBER"))) == "tls"
    assert connect_failure_reason(httpx.ConnectError("[Errno 101] Network is unreachable")) == "network"


def test_form_fields() -> None:
    assert form_fields({"a": None, "b": 1, "c": 0.5, "d": True, "e": ["x", "y"]}) == {
        "b": "1", "c": "0.5", "d": "true", "e": ["x", "y"]}


@pytest.mark.asyncio
async def test_load_file_forms(tmp_path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 10
    path = tmp_path / "speech.flac"
    path.write_bytes(b"fLaC1234")
    assert await load_file(path, default_name="audio") == ("speech.flac", b"fLaC1234", "audio/flac")
    assert await load_file(str(path), default_name="audio") == ("speech.flac", b"fLaC1234", "audio/flac")
    assert await load_file(png, default_name="image.png") == ("image.png", png, "image/png")
    assert (await load_file(b"RIFF\0\0\0\0WAVEfmt ", default_name="audio"))[0] == "audio.wav"
    assert await load_file(("a.mp3", b"x"), default_name="f") == ("a.mp3", b"x", "audio/mpeg")
    assert await load_file(("a", b"x", "audio/ogg"), default_name="f") == ("a", b"x", "audio/ogg")


def test_from_profile() -> None:
    profile = Profile(id="p", name="P", base_url="http://h:1/v1", timeout=30, connect_timeout=3,
                      proxy_mode=ProxyMode.NONE, verify_tls=False)
    client = Client.from_profile(profile, None)
    assert client._http.timeout == 30 and client._http.connect_timeout == 3
    assert client._http.trust_env is False and not client._http.has_token


@pytest.mark.asyncio
async def test_bad_proxy_or_ca_bundle_fail_on_call_not_construction(tmp_path) -> None:
    async with Client("http://127.0.0.1:9/v1", TOKEN, proxy="ftp://nowhere:1") as client:
        with pytest.raises(APIConnectionError) as info:
            await client.models.list()
        assert info.value.reason == "proxy"
    async with Client("http://127.0.0.1:9/v1", TOKEN, verify=str(tmp_path / "missing.pem")) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.models.list()
        assert info.value.reason == "tls"


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    http = HTTPCore("http://h/v1", None, retry_base_delay=0.5, retry_max_delay=3.0)
    for attempt, nominal in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 3.0), (6, 3.0)]:
        delays = {http._backoff(attempt) for _ in range(50)}
        assert all(0.75 * nominal <= d <= nominal for d in delays)
        assert len(delays) > 1  # jitter


def test_from_profile_custom_proxy_and_ca_bundle() -> None:
    import certifi

    profile = Profile(id="p", name="P", proxy_mode=ProxyMode.CUSTOM, proxy_url=" socks5h://127.0.0.1:1080 ",
                      ca_bundle=certifi.where())
    client = Client.from_profile(profile, "sk-x", max_retries=5)
    assert client._http._proxy == "socks5h://127.0.0.1:1080" and client._http.trust_env
    assert client._http._config_error is None and client.max_retries == 5
