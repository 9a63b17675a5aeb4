"""Checks for what the user types in the settings dialog; each returns "" or one translated sentence."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication

__all__ = ["PROXY_SCHEMES", "check_base_url", "check_ca_bundle", "check_name", "check_proxy_url"]

translate = QCoreApplication.translate

PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def _port_ok(url: str) -> bool:
    try:
        urlsplit(url).port  # raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        return False
    return True


def check_name(name: str) -> str:
    if not name.strip():
        return translate("validation", "The profile needs a name.")
    return ""


def check_base_url(url: str) -> str:
    url = url.strip()
    if not url:
        return translate("validation", "Enter the base URL, e.g. https://api.openai.com/v1.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return translate("validation", "The base URL must start with http:// or https:// and name a host.")
    if not _port_ok(url):
        return translate("validation", "The port in the base URL is not valid.")
    if parts.username or parts.password:
        return translate("validation", "Put the token in the Token field, not in the base URL.")
    return ""


def check_proxy_url(url: str) -> str:
    url = url.strip()
    if not url:
        return translate("validation", "Enter the proxy URL, e.g. socks5://127.0.0.1:1080.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        return translate(
            "validation", "The proxy URL must start with http://, https://, socks5:// or socks5h:// and name a host."
        )
    if not _port_ok(url):
        return translate("validation", "The port in the proxy URL is not valid.")
    return ""


def check_ca_bundle(path: str) -> str:
    path = path.strip()
    if not path:
        return ""
    candidate = Path(path).expanduser()
    if not candidate.is_file():
        return translate("validation", "The CA bundle file does not exist.")
    return ""
