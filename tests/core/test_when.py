"""Times as people type them, read in the team's time zone, across the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from smm_tui.core.planning import PostDraft
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import DeliveryState
from smm_tui.core.when import WHEN_HELP, parse_duration, parse_when
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.core.publishing_kit import publishing_workspace, sources
from tests.core.services_kit import run

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
#: Thursday 26 November 2026, 10:00 in Berlin.
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- every form in WHEN_HELP -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+30s", NOW + timedelta(seconds=30)),
        ("+10m", NOW + timedelta(minutes=10)),
        ("+2h", NOW + timedelta(hours=2)),
        ("+1d", NOW + timedelta(days=1)),
        ("+1h30m", NOW + timedelta(minutes=90)),
        ("09:30", utc(2026, 11, 27, 8, 30)),  # 09:30 in Berlin has passed: tomorrow's
        ("today 18:00", utc(2026, 11, 26, 17, 0)),
        ("tomorrow 09:30", utc(2026, 11, 27, 8, 30)),
        ("fri 10:00", utc(2026, 11, 27, 9, 0)),
        ("2026-11-30T12:00:00+03:00", utc(2026, 11, 30, 9, 0)),
    ],
)
def test_every_form_in_the_help(text: str, expected: datetime) -> None:
    moment = parse_when(text, NOW, BERLIN)
    assert moment == expected
    assert moment.tzinfo is UTC


def test_iso_times_with_an_offset_with_z_and_naive() -> None:
    assert parse_when("2026-12-01T09:30:00+05:00", NOW, BERLIN) == utc(2026, 12, 1, 4, 30)
    assert parse_when("2026-12-01T09:30:00Z", NOW, BERLIN) == utc(2026, 12, 1, 9, 30)
    # Without an offset it is a wall-clock time in the team's zone (CET, +01:00).
    assert parse_when("2026-12-01T09:30", NOW, BERLIN) == utc(2026, 12, 1, 8, 30)
    assert parse_when("2026-12-01 09:30", NOW, BERLIN) == utc(2026, 12, 1, 8, 30)


def test_a_bare_clock_time_is_the_next_one_to_come() -> None:
    assert parse_when("10:01", NOW, BERLIN) == utc(2026, 11, 26, 9, 1)  # later today
    assert parse_when("10:00", NOW, BERLIN) == utc(2026, 11, 27, 9, 0)  # now is not to come
    assert parse_when("9:59", NOW, BERLIN) == utc(2026, 11, 27, 8, 59)  # passed: tomorrow
    assert parse_when("23.15", NOW, BERLIN) == utc(2026, 11, 26, 22, 15)


def test_a_bare_clock_time_uses_the_zones_date_not_utcs() -> None:
    # 03:00 UTC on the 27th is still 22:00 on the 26th in New York: 23:00 is in an hour.
    late = utc(2026, 11, 27, 3, 0)
    assert parse_when("23:00", late, NEW_YORK) == utc(2026, 11, 27, 4, 0)
    assert parse_when("today 08:00", late, NEW_YORK) == utc(2026, 11, 26, 13, 0)


@pytest.mark.parametrize(
    ("word", "day"),
    [
        ("friday", 27),
        ("fri", 27),
        ("saturday", 28),
        ("sat", 28),
        ("sun", 29),
        ("monday", 30),
        ("mon", 30),
        ("tue", 1),
        ("wed", 2),
        ("Wednesday", 2),
        ("thursday", 3),  # today is Thursday: the word means next week's
        ("thu", 3),
    ],
)
def test_weekdays_full_and_short(word: str, day: int) -> None:
    month = 11 if day > 20 else 12
    assert parse_when(f"{word} 10:00", NOW, BERLIN) == utc(2026, month, day, 9, 0)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "soon",
        "fri",
        "fr 10:00",
        "someday 10:00",
        "25:00",
        "tomorrow 24:00",
        "today 10:60",
        "+",
        "+2x",
        "+-2h",
        "+ 2h",
        "-2h",
        "2026-13-01T10:00",
        "+3000000d",
        "+99999999999d",
        "9999-12-31T23:59:59-01:00",
    ],
)
def test_bad_inputs_raise_with_the_help(text: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_when(text, NOW, BERLIN)
    assert WHEN_HELP in str(raised.value)
    assert "\n" not in str(raised.value)


# -- clock changes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        (BERLIN, datetime(2026, 3, 29), utc(2026, 3, 29, 7, 30)),  # spring forward: CEST
        (BERLIN, datetime(2026, 10, 25), utc(2026, 10, 25, 8, 30)),  # fall back: CET
        (NEW_YORK, datetime(2026, 3, 8), utc(2026, 3, 8, 13, 30)),  # EDT
        (NEW_YORK, datetime(2026, 11, 1), utc(2026, 11, 1, 14, 30)),  # EST
    ],
    ids=["berlin-spring", "berlin-autumn", "new-york-spring", "new-york-autumn"],
)
def test_0930_on_the_day_the_clocks_change_is_0930_local(
    zone: ZoneInfo, day: datetime, expected: datetime
) -> None:
    # The evening before, in the old offset.
    evening = datetime.combine(day.date() - timedelta(days=1), datetime.min.time(), zone)
    evening = (evening + timedelta(hours=20)).astimezone(UTC)
    for text in ("tomorrow 09:30", "09:30", f"{day:%a} 09:30", f"{day:%Y-%m-%d}T09:30"):
        moment = parse_when(text, evening, zone)
        assert moment == expected, text
        assert moment.astimezone(zone).strftime("%H:%M") == "09:30"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime(2026, 3, 29), utc(2026, 3, 29, 7, 30)),
        (datetime(2026, 10, 25), utc(2026, 10, 25, 8, 30)),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_a_post_at_0930_on_a_clock_change_goes_out_at_0930_local(
    store: Store, day: datetime, expected: datetime
) -> None:
    clock = FakeClock(expected - timedelta(hours=14))
    accounts = sources(clock, Platform.VK)
    workspace = publishing_workspace(store, clock, accounts)
    at = parse_when("tomorrow 09:30", clock(), BERLIN)
    post = run(workspace.planning.create(PostDraft("Good morning", ("bank-vk",)), at))

    clock.now = expected - timedelta(seconds=1)
    assert run(workspace.publishing_engine().publish_due()) == []
    clock.now = expected
    [published] = run(workspace.publishing_engine().publish_due())
    assert published.post_id == post.id and published.state is DeliveryState.PUBLISHED
    assert accounts["bank-vk"].posts[0].at.astimezone(BERLIN).strftime("%H:%M") == "09:30"


# -- durations -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("10m", timedelta(minutes=10)),
        ("6h", timedelta(hours=6)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(minutes=90)),
        ("1d 2h 3m 4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("90M", timedelta(minutes=90)),
        (" 2h ", timedelta(hours=2)),
        ("1h1h", timedelta(hours=2)),
    ],
)
def test_durations_and_their_sums(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", " ", "h", "2", "2x", "-2h", "1.5h", "2h-", "+2h", "two hours", "99999999999999d"]
)
def test_durations_refused(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)
