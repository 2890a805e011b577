"""The response-time report: how fast, and how often within target, we answered.

For every answered mention, the first-response time is ``first_response_at -
created_at`` and it was "within target" when it came by ``sla_due_at``. The
share within target judges only mentions a target applies to: those with a due
time, never spam (data from before ``[sla] applies_to`` gave spam one). The
report groups them by network, by day (local) and by assignee, with the median
and 90th percentile, and counts tone (a person's label wins over the
classifier's). It reads stored records only, so it is the same in the app, in
a CSV, or on another machine.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TextIO

from smm_tui.core.models import Mention, Sentiment, to_iso
from smm_tui.core.repository import Record
from smm_tui.core.sla import is_spam

GROUPINGS = ("network", "day", "assignee")
CSV_FIELDS = (
    "grouping",
    "group",
    "mentions",
    "answered",
    "median_minutes",
    "p90_minutes",
    "within_target",
    "within_target_share",
    "negative",
    "neutral",
    "positive",
)


@dataclass(slots=True)
class Row:
    """One group's figures."""

    grouping: str
    group: str
    mentions: int = 0
    times: list[float] = field(default_factory=list)
    within_target: int = 0
    #: Answered mentions a response target applied to (the share's denominator, with overdue).
    judged_answered: int = 0
    #: Mentions past due with no answer yet: misses, whatever comes later.
    overdue: int = 0
    tone: dict[Sentiment, int] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        """Mentions with a first response."""
        return len(self.times)

    @property
    def median(self) -> float | None:
        """Median first-response time, minutes."""
        return percentile(self.times, 50)

    @property
    def p90(self) -> float | None:
        """90th-percentile first-response time, minutes."""
        return percentile(self.times, 90)

    @property
    def within_share(self) -> float | None:
        """The share answered within target, of those with a target answered or overdue."""
        judged = self.judged_answered + self.overdue
        return self.within_target / judged if judged else None


def percentile(values: Sequence[float], rank: float) -> float | None:
    """The ``rank``-th percentile (nearest rank), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, math.ceil(rank / 100 * len(ordered)) - 1)
    return ordered[index]


def build(
    mentions: Iterable[Mention],
    since: datetime | None = None,
    now: datetime | None = None,
    zone: tzinfo | None = None,
) -> list[Row]:
    """Rows per network, per day and per assignee for mentions since ``since``.

    A mention still unanswered after its due time (by ``now``) counts as a miss.
    Days are calendar days in ``zone`` (the team's), else the machine's.
    """
    rows: dict[tuple[str, str], Row] = {}
    for mention in mentions:
        if since is not None and mention.created_at < since:
            continue
        for grouping, name in _groups(mention, zone):
            row = rows.setdefault((grouping, name), Row(grouping, name))
            _add(row, mention, now)
    ordered: list[Row] = []
    for grouping in GROUPINGS:
        section = [row for (kind, _), row in rows.items() if kind == grouping]
        # Days newest first; networks and assignees by name.
        section.sort(key=lambda r: r.group, reverse=grouping == "day")
        ordered += section
    return ordered


def window_start(now: datetime, days: int, zone: tzinfo | None = None) -> datetime:
    """The start of "the last ``days`` days": midnight ``days - 1`` days before today.

    Counted in ``zone`` (the team's business hours' zone), UTC when there is none, so
    the report's rows are exactly ``days`` calendar days, today the last of them.
    """
    local = now.astimezone(zone or UTC)
    first = (local - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return first.astimezone(UTC)


def build_from_records(
    records: Iterable[Record], since: datetime, now: datetime, zone: tzinfo | None = None
) -> list[Row]:
    """:func:`build` over stored records, skipping older ones before decoding them."""
    cutoff = to_iso(since) or ""
    recent = (Mention.from_record(r) for r in records if r["created_at"] >= cutoff)
    return build(recent, since, now, zone)


def _groups(mention: Mention, zone: tzinfo | None) -> list[tuple[str, str]]:
    day = mention.created_at.astimezone(zone).strftime("%Y-%m-%d")
    return [
        ("network", mention.platform.value),
        ("day", day),
        ("assignee", mention.assignee or "(unassigned)"),
    ]


def _add(row: Row, mention: Mention, now: datetime | None) -> None:
    row.mentions += 1
    row.tone[mention.sentiment] = row.tone.get(mention.sentiment, 0) + 1
    due = None if is_spam(mention) else mention.sla_due_at
    if mention.first_response_at is None:
        if due is not None and now is not None and due < now and mention.status.is_open:
            row.overdue += 1
        return
    waited = (mention.first_response_at - mention.created_at) / timedelta(minutes=1)
    row.times.append(max(waited, 0.0))
    if due is not None:
        row.judged_answered += 1
        if mention.first_response_at <= due:
            row.within_target += 1


def minutes_text(value: float | None) -> str:
    """``4.5m``, ``2.0h`` or ``—``."""
    if value is None:
        return "—"
    return f"{value:.1f}m" if value < 120 else f"{value / 60:.1f}h"


def share_text(value: float | None) -> str:
    """``92%`` or ``—``."""
    return "—" if value is None else f"{value:.0%}"


def write_csv(rows: Iterable[Row], out: TextIO) -> int:
    """The report as CSV (minutes as numbers); returns the number of rows written."""
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    count = 0
    for row in rows:
        writer.writerow(
            [
                row.grouping,
                _csv_safe(row.group),
                row.mentions,
                row.answered,
                _number(row.median),
                _number(row.p90),
                row.within_target,
                _number(row.within_share),
                row.tone.get(Sentiment.NEGATIVE, 0),
                row.tone.get(Sentiment.NEUTRAL, 0),
                row.tone.get(Sentiment.POSITIVE, 0),
            ]
        )
        count += 1
    return count


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _csv_safe(text: str) -> str:
    # An assignee name is typed by people; keep a spreadsheet from running it.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
