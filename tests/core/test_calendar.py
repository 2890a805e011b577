"""The Content pane's week as data, its words, and its filter language."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from smm_tui.core.calendar import (
    Entry,
    Growth,
    Status,
    build_week,
    chip_text,
    count_text,
    counters_short,
    counters_words,
    entries,
    first_line,
    growth_text,
    nearest,
    sparkline,
    visible_days,
    week_label,
    week_start,
)
from smm_tui.core.platforms import Platform
from smm_tui.core.post_query import parse_post_query
from smm_tui.core.posts import Delivery, DeliveryState, Post
from smm_tui.core.query import QueryError

MONDAY = date(2026, 11, 23)
UTC_ZONE = ZoneInfo("UTC")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in the week of Monday 23 November 2026 (UTC)."""
    return datetime(2026, 11, 23 + day, hour, minute, tzinfo=UTC)


def post(post_id: str, when: datetime | None, text: str = "Hello", campaign: str = "") -> Post:
    written = at(0, 8)
    return Post(
        id=post_id,
        text=text,
        accounts=("bank-vk",),
        author="alice",
        created_at=written,
        updated_at=written,
        campaign=campaign,
        scheduled_at=when,
    )


def delivery(made: Post, account: str = "bank-vk", **fields: Any) -> Delivery:
    state = DeliveryState.SCHEDULED if made.scheduled_at else DeliveryState.DRAFT
    values: dict[str, Any] = {
        "post_id": made.id,
        "account": account,
        "platform": Platform.TELEGRAM if account.endswith("tg") else Platform.VK,
        "text": made.text,
        "state": state,
        "scheduled_at": made.scheduled_at,
    }
    return Delivery(**(values | fields))


def placed(*pairs: tuple[Post, Delivery], zone: ZoneInfo = UTC_ZONE) -> list[Entry]:
    return entries([p for p, _ in pairs], [d for _, d in pairs], zone)


def one(made: Post, **fields: Any) -> tuple[Post, Delivery]:
    return made, delivery(made, **fields)


# -- placing ---------------------------------------------------------------------------------------


def test_entries_are_in_time_order_with_drafts_last() -> None:
    late, early, draft = post("b", at(2, 18)), post("a", at(0, 9)), post("c", None)
    found = placed(one(late), one(draft), one(early))
    assert [e.post.id for e in found] == ["a", "b", "c"]
    assert found[2].at is None and found[2].day == MONDAY, "a draft sits on the day it was written"


def test_times_and_days_are_the_team_zone_s() -> None:
    late_evening = post("a", at(0, 22, 30))  # 01:30 on Tuesday in Moscow
    (entry,) = placed(one(late_evening), zone=ZoneInfo("Europe/Moscow"))
    assert entry.day == MONDAY + timedelta(days=1) and entry.hour == 1
    assert chip_text(entry, "VK") == "01:30 VK ◷"


def test_a_published_delivery_is_placed_when_it_went_out() -> None:
    made = post("a", at(0, 9))
    (entry,) = placed(one(made, state=DeliveryState.PUBLISHED, published_at=at(0, 11, 5)))
    assert entry.at == at(0, 11, 5) and entry.status is Status.PUBLISHED


def test_a_held_delivery_has_its_own_status_and_a_gone_post_is_left_out() -> None:
    made = post("a", at(0, 9))
    orphan = delivery(post("gone", at(1, 9)))
    found = entries([made], [delivery(made, held=True), orphan], UTC_ZONE)
    assert [(e.post.id, e.status) for e in found] == [("a", Status.HELD)]


# -- the week ------------------------------------------------------------------------------------


def test_week_rows_are_the_drafts_the_working_hours_and_hours_with_posts() -> None:
    found = placed(one(post("a", at(1, 10, 30))), one(post("b", at(3, 21))), one(post("c", None)))
    week = build_week(found, MONDAY)
    assert [slot.hour for slot in week.slots] == [None, 9, 10, 12, 15, 18, 21]
    assert week.days[0] == MONDAY and week.days[-1] == date(2026, 11, 29)
    assert [e.post.id for e in week.day_entries(1)] == ["a"]
    assert week.count(Status.SCHEDULED) == 2 and week.count(Status.DRAFT) == 1


def test_a_week_holds_only_its_own_days() -> None:
    found = placed(one(post("a", at(7, 10))), one(post("b", at(-1, 10))))
    week = build_week(found, MONDAY)
    assert all(not cell for slot in week.slots for cell in slot.cells)
    assert [slot.hour for slot in week.slots] == [9, 12, 15, 18]


def test_two_posts_in_one_hour_make_the_row_taller() -> None:
    vk, tg = post("a", at(2, 12)), post("b", at(2, 12, 15))
    found = placed((vk, delivery(vk)), (vk, delivery(vk, "bank-tg")), one(tg))
    week = build_week(found, MONDAY)
    noon = next(slot for slot in week.slots if slot.hour == 12)
    assert noon.height(range(7)) == 3 and noon.height(range(2)) == 1
    assert [e.account for e in noon.cells[2]] == ["bank-tg", "bank-vk", "bank-vk"]
    assert week.find(found[2].id) == (2, 2)


def test_moving_across_days_keeps_near_the_hour() -> None:
    found = placed(one(post("a", at(0, 9))), one(post("b", at(1, 9))), one(post("c", at(1, 18))))
    week = build_week(found, MONDAY)
    assert nearest(week, 1, 17) == found[2].id
    assert nearest(week, 1, 9) == found[1].id
    assert nearest(week, 1, None) == found[1].id
    assert nearest(week, 2, 9) is None


@pytest.mark.parametrize(
    ("cursor", "count", "days"),
    [
        (3, 7, range(7)),
        (3, 5, range(1, 6)),
        (0, 5, range(5)),
        (6, 3, range(4, 7)),
        (2, 0, range(2, 3)),
    ],
)
def test_fewer_days_are_shown_around_the_cursor(cursor: int, count: int, days: range) -> None:
    assert visible_days(cursor, count) == days


def test_weeks_start_on_monday_and_read_as_a_span() -> None:
    assert week_start(date(2026, 11, 29)) == MONDAY and week_start(MONDAY) == MONDAY
    assert week_label(MONDAY) == "23–29 Nov 2026"
    assert week_label(date(2026, 11, 30)) == "30 Nov – 6 Dec 2026"
    assert week_label(date(2026, 12, 28)) == "28 Dec 2026 – 3 Jan 2027"


# -- words ----------------------------------------------------------------------------------------


def test_a_chip_is_ten_cells_whatever_it_shows() -> None:
    made = post("a", at(0, 9, 5))
    (draft,) = placed(one(post("d", None)))
    (failed,) = placed(one(made, state=DeliveryState.FAILED))
    assert chip_text(draft, "VK") == "draft VK ✎"
    assert chip_text(failed, "X") == "09:05 X  ✖"
    assert all(len(chip_text(e, "TG")) == 10 for e in (draft, failed))


def test_counters_say_dash_where_unknown() -> None:
    made = post("a", at(0, 9))
    sent = delivery(made, state=DeliveryState.PUBLISHED, likes=12, reposts=0, views=12_345)
    assert counters_short(sent) == "♥12 ↻0 ↩— ◉12.3k"
    assert counters_words(sent) == "likes 12 · reposts 0 · replies — · views 12.3k"
    assert [count_text(n) for n in (None, 9_999, 10_000, 2_000_000)] == ["—", "9,999", "10k", "2M"]


def test_the_first_line_is_the_first_with_words() -> None:
    assert first_line("\n  \nHello\nworld") == "Hello"
    assert first_line("") == ""


def test_growth_reads_in_one_line() -> None:
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5, 5]) == "▅▅▅"
    assert sparkline(list(range(100)), width=4) == "▁▃▆█"
    assert sparkline([]) == ""
    line = Growth("bank-vk", 12_340, 120, "▁▂▃")
    assert growth_text(line) == "bank-vk 12,340 +120/7d ▁▂▃"
    assert growth_text(Growth("bank-x", 10, None, "")) == "bank-x 10"
    assert growth_text(Growth("bank-x", None, None, "")) == "bank-x: not read yet"


# -- the filter -----------------------------------------------------------------------------------


def _matching(query: str, found: list[Entry]) -> list[str]:
    parsed = parse_post_query(query)
    return [e.post.id for e in found if parsed.matches(e)]


def test_the_filter_matches_fields_and_words() -> None:
    spring = post("a", at(0, 9), "Spring cashback on travel", campaign="Spring")
    quiz = post("b", at(1, 9), "Friday quiz")
    found = placed(
        (spring, delivery(spring)),
        (spring, delivery(spring, "bank-tg", state=DeliveryState.FAILED)),
        one(quiz, held=True),
        one(post("c", None, "Draft about deposits")),
    )
    assert _matching("", found) == ["a", "a", "b", "c"]
    assert _matching("status:scheduled", found) == ["a"]
    assert _matching("status:held,draft", found) == ["b", "c"]
    assert _matching("account:bank-tg", found) == ["a"]
    assert _matching("campaign:spring platform:vk", found) == ["a"]
    assert _matching("platform:tg", found) == ["a"]
    assert _matching("CASHBACK", found) == ["a", "a"]
    assert _matching('"friday quiz"', found) == ["b"]
    assert _matching("-status:failed -deposits", found) == ["a", "b"]


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ("statsu:failed", "unknown field 'statsu' at 0 (did you mean 'status'?)", 0),
        ("status:sent", "status: unknown value 'sent' at 7 (one of draft, scheduled", 7),
        ("words platform:myspace", "platform: unknown value 'myspace' at 15", 15),
        ("account:", "account: give a value at 7", 7),
        ('"unclosed', "a quote is not closed at 0", 0),
    ],
)
def test_a_wrong_filter_says_where(query: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_post_query(query)
    assert str(caught.value).startswith(message)
    assert caught.value.position == position
