"""Sidebar groups: Pinned, Today, Yesterday, Previous 7 days, then one group per month.

The store returns keys, not words: the UI translates them (``QLocale`` names the months), so this
stays free of Qt and of any language. Days are the user's local calendar days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from app.store.models import Conversation

PINNED = "pinned"
TODAY = "today"
YESTERDAY = "yesterday"
PREVIOUS_7_DAYS = "previous_7_days"
MONTH_PREFIX = "month:"  # followed by YYYY-MM


def day_group(timestamp: float, now: float) -> str:
    """The group key of a Unix time, seen from ``now``; a time in the future counts as today."""
    today = datetime.fromtimestamp(now).date()
    day = datetime.fromtimestamp(timestamp).date()
    if day >= today:
        return TODAY
    if day == today - timedelta(days=1):
        return YESTERDAY
    if day >= today - timedelta(days=7):
        return PREVIOUS_7_DAYS
    return f"{MONTH_PREFIX}{day.year:04d}-{day.month:02d}"


def month_of(key: str) -> date | None:
    """The first day of the month a ``month:YYYY-MM`` key names, or None for the other keys."""
    if not key.startswith(MONTH_PREFIX):
        return None
    year, month = key[len(MONTH_PREFIX) :].split("-")
    return date(int(year), int(month), 1)


def sidebar_group(conversation: Conversation, now: float) -> str:
    return PINNED if conversation.pinned else day_group(conversation.updated_at, now)


def group_conversations(
    conversations: Iterable[Conversation], now: float
) -> list[tuple[str, list[Conversation]]]:
    """Consecutive runs of ``list_conversations()``'s order under their keys.

    The order is the store's (pinned first, then newest first), so each key appears once.
    """
    groups: list[tuple[str, list[Conversation]]] = []
    for conversation in conversations:
        key = sidebar_group(conversation, now)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(conversation)
        else:
            groups.append((key, [conversation]))
    return groups
