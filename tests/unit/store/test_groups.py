"""Sidebar day groups: Today, Yesterday, Previous 7 days, then months, in local time."""

from __future__ import annotations

from datetime import date, datetime

from app.store import PINNED, PREVIOUS_7_DAYS, TODAY, YESTERDAY, Store, day_group, group_conversations, month_of
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401

NOW = datetime(2024, 5, 10, 9, 30).timestamp()


def at(*args: int) -> float:
    return datetime(*args).timestamp()  # type: ignore[arg-type]


def test_day_group_boundaries() -> None:
    assert day_group(at(2024, 5, 10, 0, 0, 1), NOW) == TODAY
    assert day_group(at(2024, 5, 10, 23, 59), NOW) == TODAY  # later today (clock skew): still today
    assert day_group(at(2024, 6, 1), NOW) == TODAY  # the future counts as today
    assert day_group(at(2024, 5, 9, 23, 59), NOW) == YESTERDAY
    assert day_group(at(2024, 5, 9, 0, 0), NOW) == YESTERDAY
    assert day_group(at(2024, 5, 8, 23, 0), NOW) == PREVIOUS_7_DAYS
    assert day_group(at(2024, 5, 3, 0, 0), NOW) == PREVIOUS_7_DAYS
    assert day_group(at(2024, 5, 2, 23, 59), NOW) == "month:2024-05"
    assert day_group(at(2024, 4, 30), NOW) == "month:2024-04"
    assert day_group(at(2023, 12, 31), NOW) == "month:2023-12"


def test_month_of() -> None:
    assert month_of("month:2023-12") == date(2023, 12, 1)
    assert month_of(TODAY) is None


def test_group_conversations_follows_the_list_order(store: Store, clock: Clock) -> None:
    for when, title in [
        (at(2024, 3, 15, 12), "march"),
        (at(2024, 4, 2, 12), "april"),
        (at(2024, 5, 6, 12), "week"),
        (at(2024, 5, 9, 12), "yesterday"),
        (at(2024, 5, 10, 8), "today"),
    ]:
        clock.now = when
        store.create_conversation(title=title)
    store.create_conversation(title="pinned", pinned=True, created_at=at(2023, 1, 1))

    groups = group_conversations(store.list_conversations(), NOW)
    assert [(key, [c.title for c in items]) for key, items in groups] == [
        (PINNED, ["pinned"]),
        (TODAY, ["today"]),
        (YESTERDAY, ["yesterday"]),
        (PREVIOUS_7_DAYS, ["week"]),
        ("month:2024-04", ["april"]),
        ("month:2024-03", ["march"]),
    ]
