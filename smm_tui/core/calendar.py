"""The Content pane as pure data: deliveries placed in a week of days by hours, and their words.

Each delivery of a post is an :class:`Entry` at its local time in the team's
zone: when it went out if it has, else when it is due. A draft has no time: it
sits in the week's first row (``hour`` None) on the day it was written. Rows
are the hours that hold something, plus a few working hours that stay in view
empty, so the grid has a shape on a quiet week.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Delivery, DeliveryState, Post
from smm_tui.core.sparkline import BARS
from smm_tui.core.sparkline import sparkline as bars

#: Hours that keep a row in the week even when nothing is planned in them.
WORKING_HOURS: tuple[int, ...] = (9, 12, 15, 18)
DAYS_IN_WEEK = 7


class Status(enum.StrEnum):
    """Where a delivery stands, as the pane shows it (a held one is set apart from scheduled)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    HELD = "held"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"


#: The mark a chip or a row shows for each status.
MARKS: Mapping[Status, str] = {
    Status.DRAFT: "✎",
    Status.SCHEDULED: "◷",
    Status.HELD: "!",
    Status.PUBLISHING: "…",
    Status.PUBLISHED: "✓",
    Status.FAILED: "✖",
}


def status_of(delivery: Delivery) -> Status:
    """The pane's status of a delivery: its state, or held when it waits for a person."""
    if delivery.state is DeliveryState.SCHEDULED and delivery.held:
        return Status.HELD
    return Status(delivery.state.value)


@dataclass(frozen=True, slots=True)
class Entry:
    """One delivery where the pane shows it: its post, its status and its local time.

    ``at`` is None for a draft (``day`` is then the day its post was written).
    """

    delivery: Delivery
    post: Post
    status: Status
    at: datetime | None
    day: date

    @property
    def id(self) -> str:
        """The delivery's id."""
        return self.delivery.id

    @property
    def hour(self) -> int | None:
        """The hour of the week's row it is in (None: the drafts' row)."""
        return self.at.hour if self.at is not None else None

    @property
    def account(self) -> str:
        """The account it goes out on."""
        return self.delivery.account

    @property
    def platform(self) -> Platform:
        """The account's network."""
        return self.delivery.platform


def entries(posts: Iterable[Post], deliveries: Iterable[Delivery], zone: tzinfo) -> list[Entry]:
    """Every delivery with its post, placed in ``zone``, in time order (drafts last).

    A delivery whose post is gone (a half-seen change of another process) is left out.
    """
    by_id = {post.id: post for post in posts}
    found = []
    for delivery in deliveries:
        post = by_id.get(delivery.post_id)
        if post is None:
            continue
        moment = delivery.published_at or delivery.scheduled_at
        at = moment.astimezone(zone) if moment is not None else None
        day = at.date() if at is not None else post.created_at.astimezone(zone).date()
        found.append(Entry(delivery, post, status_of(delivery), at, day))
    return sorted(found, key=entry_order)


def entry_order(entry: Entry) -> tuple[bool, datetime, str, str]:
    """Timed entries by time, then drafts by when they were written; ties by post and account."""
    moment = entry.at if entry.at is not None else entry.post.created_at
    return (entry.at is None, moment, entry.post.id, entry.account)


def week_start(day: date) -> date:
    """The Monday of the week ``day`` is in."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True, slots=True)
class Slot:
    """One row of the week: an hour (None: drafts) and, per day, its entries in time order."""

    hour: int | None
    cells: tuple[tuple[Entry, ...], ...]

    def height(self, days: Iterable[int]) -> int:
        """How many lines the row takes to show every entry of those days (at least one)."""
        return max((len(self.cells[day]) for day in days), default=1) or 1


@dataclass(frozen=True, slots=True)
class Week:
    """Seven days from a Monday, by rows of hours."""

    start: date
    slots: tuple[Slot, ...]

    @property
    def days(self) -> tuple[date, ...]:
        """Monday to Sunday."""
        return tuple(self.start + timedelta(days=n) for n in range(DAYS_IN_WEEK))

    def day_entries(self, day: int) -> list[Entry]:
        """Every entry of one day (0 is Monday), top to bottom."""
        return [entry for slot in self.slots for entry in slot.cells[day]]

    def find(self, entry_id: str) -> tuple[int, int] | None:
        """(day, index within the day) of an entry, if the week holds it."""
        for day in range(DAYS_IN_WEEK):
            for index, entry in enumerate(self.day_entries(day)):
                if entry.id == entry_id:
                    return day, index
        return None

    def count(self, status: Status) -> int:
        """How many entries of the week have ``status``."""
        return sum(
            entry.status is status for slot in self.slots for cell in slot.cells for entry in cell
        )


def build_week(
    placed: Iterable[Entry], start: date, working_hours: Sequence[int] = WORKING_HOURS
) -> Week:
    """The week from ``start`` (a Monday) of the entries that fall in it."""
    days = [start + timedelta(days=n) for n in range(DAYS_IN_WEEK)]
    cells: dict[int | None, list[list[Entry]]] = {}
    for entry in placed:
        if entry.day not in days:
            continue
        row = cells.setdefault(entry.hour, [[] for _ in days])
        row[days.index(entry.day)].append(entry)
    for hour in working_hours:
        cells.setdefault(hour, [[] for _ in days])
    hours = sorted(cells, key=_hour_key)
    slots = tuple(
        Slot(hour, tuple(tuple(sorted(cell, key=entry_order)) for cell in cells[hour]))
        for hour in hours
    )
    return Week(start, slots)


def visible_days(cursor: int, count: int) -> range:
    """The ``count`` days of the week shown around the cursor's day (all seven when they fit)."""
    count = max(1, min(count, DAYS_IN_WEEK))
    first = min(max(cursor - count // 2, 0), DAYS_IN_WEEK - count)
    return range(first, first + count)


def nearest(week: Week, day: int, hour: int | None) -> str | None:
    """The id of the entry of ``day`` nearest ``hour`` (drafts count as before 00), if any."""
    found = [
        (abs(_hour_key(slot.hour) - _hour_key(hour)), entry.id)
        for slot in week.slots
        for entry in slot.cells[day]
    ]
    return min(found, key=lambda pair: pair[0])[1] if found else None


def _hour_key(hour: int | None) -> int:
    return -1 if hour is None else hour


# -- words ----------------------------------------------------------------------------------------


def chip_text(entry: Entry, label: str) -> str:
    """``09:30 VK ◷`` (10 cells): time, the network's label and the status mark."""
    time = entry.at.strftime("%H:%M") if entry.at is not None else "draft"
    return f"{time} {label:<2.2} {MARKS[entry.status]}"


def day_label(day: date) -> str:
    """``Mon 23 Nov`` (10 cells)."""
    return day.strftime("%a %d %b")


def week_label(start: date) -> str:
    """The week's days as a title, such as ``23-29 Nov 2026`` (with an en dash)."""
    end = start + timedelta(days=DAYS_IN_WEEK - 1)
    if start.month == end.month:
        return f"{start.day}–{end.day} {end:%b %Y}"
    year = f" {start.year}" if start.year != end.year else ""
    return f"{start.day} {start:%b}{year} – {end.day} {end:%b %Y}"


def first_line(text: str) -> str:
    """The first line of a post that has words on it."""
    return next((line for line in text.splitlines() if line.strip()), "")


def count_text(count: int | None) -> str:
    """``1,204``, ``12.3k``, ``1.2M`` short enough for a row; ``—`` when unknown."""
    if count is None:
        return "—"
    if count < 10_000:
        return f"{count:,}"
    if count < 1_000_000:
        return f"{count / 1000:.1f}k".replace(".0k", "k")
    return f"{count / 1_000_000:.1f}M".replace(".0M", "M")


#: The counters of a published post: name, the glyph a row shows, and the field.
COUNTERS: tuple[tuple[str, str, str], ...] = (
    ("likes", "♥", "likes"),
    ("reposts", "↻", "reposts"),
    ("replies", "↩", "replies"),
    ("views", "◉", "views"),
)


def counters_short(delivery: Delivery) -> str:
    """``♥12 ↻3 ↩— ◉1.2k`` for a list row (only published deliveries have counters)."""
    return " ".join(f"{glyph}{count_text(getattr(delivery, f))}" for _, glyph, f in COUNTERS)


def counters_words(delivery: Delivery) -> str:
    """``likes 12 · reposts 3 · replies — · views 1,204`` for the post's detail."""
    return " · ".join(f"{name} {count_text(getattr(delivery, f))}" for name, _, f in COUNTERS)


# -- growth ---------------------------------------------------------------------------------------


def sparkline(values: Sequence[int], width: int = 8) -> str:
    """The values as at most ``width`` bars, lowest ▁ to highest █ (the last of each stretch);
    a steady series at ▅."""
    return bars(values, width, level=BARS[4])


@dataclass(frozen=True, slots=True)
class Growth:
    """An account's followers now, how they moved over a span, and the readings as bars."""

    account: str
    followers: int | None
    change: int | None
    spark: str


def growth_text(growth: Growth, span: str = "7d") -> str:
    """``bank-vk 12,340 +120/7d ▁▂▃▅▇``, or ``bank-vk: not read yet``."""
    if growth.followers is None:
        return f"{growth.account}: not read yet"
    change = "" if growth.change is None else f" {growth.change:+,}/{span}"
    spark = f" {growth.spark}" if growth.spark else ""
    return f"{growth.account} {growth.followers:,}{change}{spark}"
