"""Closing the loop: what became of the tickets opened in the report's period.

For every ticket opened in the window (the response report's
:func:`~smm_tui.core.report.window_start`), per network and in total, it
counts the tickets handed to their department (a handoff of them was sent),
resolved (followed up in public, or closed), followed up in public, and
confirmed by the customer; and of their complaints, those the author edited or
removed, and the edited ones that now read positive or neutral: "turned
around". Two medians (nearest rank, as the response report's): from the
complaint to its resolution (the public follow-up, else the closing), and from
the follow-up to the customer's confirmation. A median with nothing to measure
is None, never 0.

A ticket's network is its complaint's (``mention_id``). Like the response
report, it reads stored records only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TextIO

from smm_tui.core import report
from smm_tui.core.handoffs import HandoffState
from smm_tui.core.models import ReviewState, Sentiment, Ticket, to_iso
from smm_tui.core.repository import Record
from smm_tui.core.tickets import resolution_at

#: The ``grouping`` of this report's CSV rows; the total's ``group`` is :data:`TOTAL`.
GROUPING = "loop"
TOTAL = "total"
#: The network of a ticket's complaint, by the complaint's id; None leaves the ticket out.
NetworkOf = Callable[[str], "str | None"]
#: The columns this report adds after the response report's, in the combined CSV.
CSV_FIELDS = (
    "opened",
    "handed_over",
    "resolved",
    "followed_up",
    "confirmed",
    "reviews_updated",
    "reviews_removed",
    "turned_around",
    "median_resolution_minutes",
    "median_confirmation_minutes",
)
#: The tones an edited review has turned around to.
_TURNED = frozenset({Sentiment.POSITIVE, Sentiment.NEUTRAL})


@dataclass(slots=True)
class LoopRow:
    """One network's figures (or the total's)."""

    group: str
    opened: int = 0
    handed_over: int = 0
    resolved: int = 0
    followed_up: int = 0
    confirmed: int = 0
    reviews_updated: int = 0
    reviews_removed: int = 0
    turned_around: int = 0
    #: Minutes from each resolved ticket's opening to its resolution.
    to_resolution: list[float] = field(default_factory=list)
    #: Minutes from each confirmed ticket's public follow-up to the confirmation.
    to_confirmation: list[float] = field(default_factory=list)

    @property
    def median_to_resolution(self) -> float | None:
        """Median minutes from complaint to resolution; None when none was resolved."""
        return report.percentile(self.to_resolution, 50)

    @property
    def median_to_confirmation(self) -> float | None:
        """Median minutes from public follow-up to confirmation; None when none was confirmed."""
        return report.percentile(self.to_confirmation, 50)


#: A table's columns: each one's heading, and its cell for a row.
Columns = tuple[tuple[str, Callable[[LoopRow], str]], ...]
#: The figures as tables show them, in two tables.
TICKET_COLUMNS: Columns = (
    ("opened", lambda r: str(r.opened)),
    ("to dept", lambda r: str(r.handed_over)),
    ("resolved", lambda r: str(r.resolved)),
    ("public", lambda r: str(r.followed_up)),
    ("confirmed", lambda r: str(r.confirmed)),
)
REVIEW_COLUMNS: Columns = (
    ("edited", lambda r: str(r.reviews_updated)),
    ("removed", lambda r: str(r.reviews_removed)),
    ("turned", lambda r: str(r.turned_around)),
    ("to fix", lambda r: report.minutes_text(r.median_to_resolution)),
    ("to confirm", lambda r: report.minutes_text(r.median_to_confirmation)),
)
#: The narrowest column of those tables: room for a median of weeks ("1234.5h").
CELL_WIDTH = 7
#: What the tables' short headings mean, a line each.
LEGEND = (
    "to dept: handed over · public: followed up in public",
    "turned: edited to a positive or neutral review",
    "to fix: median time from complaint to resolution",
    "to confirm: median time from follow-up to confirmation",
)


def build(
    tickets: Iterable[Ticket],
    handed_over: Container[str],
    network_of: NetworkOf,
    since: datetime | None = None,
) -> list[LoopRow]:
    """A row per network (by name), then the total, for the tickets opened since ``since``.

    ``handed_over`` holds the ids of the tickets a handoff was sent for. No
    ticket in the period: no rows.
    """
    rows: dict[str, LoopRow] = {}
    total = LoopRow(TOTAL)
    for ticket in tickets:
        if since is not None and ticket.created_at < since:
            continue
        network = network_of(ticket.mention_id)
        if network is None:
            continue
        sent = ticket.id in handed_over
        _add(rows.setdefault(network, LoopRow(network)), ticket, sent)
        _add(total, ticket, sent)
    if not rows:
        return []
    return [rows[name] for name in sorted(rows)] + [total]


def build_from_records(
    tickets: Iterable[Record],
    handoffs: Iterable[Record],
    network_of: NetworkOf,
    since: datetime,
) -> list[LoopRow]:
    """:func:`build` over stored tickets and handoffs, skipping older tickets undecoded."""
    cutoff = to_iso(since) or ""
    recent = (Ticket.from_record(r) for r in tickets if r["created_at"] >= cutoff)
    sent = {r["ticket_id"] for r in handoffs if r.get("state") == HandoffState.SENT.value}
    return build(recent, sent, network_of, since)


def networks_of(
    mention: Callable[[str], Record | None], selects: Callable[[Record], bool] | None = None
) -> NetworkOf:
    """A :data:`NetworkOf` reading each complaint's record with ``mention``.

    With ``selects`` (a query's test), a ticket whose complaint it does not
    select is left out, as is one whose complaint is not stored.
    """

    def network(mention_id: str) -> str | None:
        record = mention(mention_id)
        if record is None or (selects is not None and not selects(record)):
            return None
        return str(record["platform"])

    return network


def _add(row: LoopRow, ticket: Ticket, handed_over: bool) -> None:
    row.opened += 1
    row.handed_over += int(handed_over)
    resolved_at = resolution_at(ticket)
    if resolved_at is not None:
        row.resolved += 1
        row.to_resolution.append(_minutes(ticket.created_at, resolved_at))
    if ticket.followed_up_at is not None:
        row.followed_up += 1
    if ticket.confirmed_at is not None:
        row.confirmed += 1
        if ticket.followed_up_at is not None:
            row.to_confirmation.append(_minutes(ticket.followed_up_at, ticket.confirmed_at))
    if ticket.review is ReviewState.REMOVED:
        row.reviews_removed += 1
    elif ticket.review is ReviewState.UPDATED:
        row.reviews_updated += 1
        row.turned_around += int(ticket.review_sentiment in _TURNED)


def _minutes(start: datetime, end: datetime) -> float:
    return max((end - start) / timedelta(minutes=1), 0.0)


def csv_values(row: LoopRow) -> list[str | int]:
    """A row's :data:`CSV_FIELDS`, minutes as numbers (empty when there is nothing to measure)."""
    return [
        row.opened,
        row.handed_over,
        row.resolved,
        row.followed_up,
        row.confirmed,
        row.reviews_updated,
        row.reviews_removed,
        row.turned_around,
        _number(row.median_to_resolution),
        _number(row.median_to_confirmation),
    ]


def write_csv(response: Iterable[report.Row], loop: Sequence[LoopRow], out: TextIO) -> int:
    """The response report's CSV with this report's columns after its own, and its rows last.

    The response rows keep their columns, values and order (this report's cells
    are empty in them); each row of this report has ``grouping`` ``loop``, its
    network (or ``total``) as ``group``, and the response columns empty. One
    header, so the file stays a single table. Returns the number of rows written.
    """
    buffer = io.StringIO()
    report.write_csv(response, buffer)
    buffer.seek(0)
    reader = csv.reader(buffer)
    header = next(reader)
    writer = csv.writer(out)
    writer.writerow([*header, *CSV_FIELDS])
    padding = [""] * len(CSV_FIELDS)
    count = 0
    for values in reader:
        writer.writerow([*values, *padding])
        count += 1
    blanks = [""] * (len(header) - 2)
    for row in loop:
        writer.writerow([GROUPING, row.group, *blanks, *csv_values(row)])
        count += 1
    return count


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
