"""What chat and voice turns share: the request parameters a conversation's settings ask for, and
the usage a reply reports as the store keeps it. No Qt: both tabs' controllers use it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.api.types import Usage

#: Sampling settings a conversation may carry (``None`` or absent = the server's default).
REQUEST_SETTINGS = ("temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty")


def request_parameters(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The sampling parameters a conversation's settings ask for (those set, and sane)."""
    parameters: dict[str, Any] = {}
    for key in REQUEST_SETTINGS:
        value = settings.get(key)
        if value is None or isinstance(value, bool):
            continue
        if key == "max_tokens":
            if isinstance(value, (int, float)) and int(value) > 0:
                parameters[key] = int(value)
        elif isinstance(value, (int, float)):
            parameters[key] = float(value)
    return parameters


def usage_dict(usage: Usage | None) -> dict[str, Any] | None:
    """The usage as stored with a message: the server's own fields plus the three totals."""
    if usage is None:
        return None
    data = dict(usage.raw) if usage.raw else {}
    for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
        value = getattr(usage, key)
        if value is not None:
            data[key] = value
    return data or None
