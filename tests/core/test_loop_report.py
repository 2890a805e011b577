"""Closing the loop: what became of the tickets opened in the report's period."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from smm_tui.core import loop_report, report
from smm_tui.core.handoffs import Handoff, HandoffState
from smm_tui.core.loop_report import LoopRow
from smm_tui.core.models import ReviewState, Sentiment, Ticket, TicketColumn
from smm_tui.core.repository import Record
from tests.conftest import T0

NETWORKS = {"m-vk": "vk", "m-x": "x", "m-masto": "mastodon"}


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def ticket(n: int, mention: str = "m-vk", **fields: Any) -> Ticket:
    return Ticket(f"t{n}", mention, f"Ticket {n}", fields.pop("created_at", T0), T0, **fields)


def handoff(ticket_id: str, state: HandoffState, n: int = 1) -> Handoff:
    sent = minutes(5) if state is HandoffState.SENT else None
    return Handoff(
        f"h{ticket_id}-{n}",
        ticket_id,
        "T-1",
        "Cards",
        "subject",
        "text",
        {},
        T0,
        "anna",
        state=state,
        sent_at=sent,
    )


def build(
    tickets: list[Ticket], handoffs: Sequence[Handoff] = (), since: datetime = T0
) -> dict[str, LoopRow]:
    rows = loop_report.build_from_records(
        [t.to_record() for t in tickets],
        [h.to_record() for h in handoffs],
        NETWORKS.get,
        since,
    )
    return {row.group: row for row in rows}


def test_each_figure_is_counted_per_network_and_in_total() -> None:
    tickets = [
        # Handed over, followed up in an hour, confirmed half an hour later; review turned positive.
        ticket(
            1,
            column=TicketColumn.RESOLVED,
            resolved_at=minutes(60),
            followed_up_at=minutes(60),
            confirmed_at=minutes(90),
            review=ReviewState.UPDATED,
            review_sentiment=Sentiment.POSITIVE,
        ),
        # Closed without a public follow-up; its complaint was removed.
        ticket(
            2,
            column=TicketColumn.RESOLVED,
            resolved_at=minutes(30),
            closed_reason="called",
            review=ReviewState.REMOVED,
        ),
        # Waiting on the department; the review was edited, and is still angry.
        ticket(
            3,
            column=TicketColumn.WAITING,
            review=ReviewState.UPDATED,
            review_sentiment=Sentiment.NEGATIVE,
        ),
        # Followed up, then reopened by a negative answer: followed up, but not resolved now.
        ticket(
            4,
            "m-x",
            column=TicketColumn.IN_PROGRESS,
            resolved_at=minutes(120),
            followed_up_at=minutes(120),
            answer_sentiment=Sentiment.NEGATIVE,
            review=ReviewState.UPDATED,
            review_sentiment=Sentiment.NEUTRAL,
        ),
        # Taken out of Resolved again: not resolved.
        ticket(5, column=TicketColumn.IN_PROGRESS),
    ]
    handoffs = [
        handoff("t1", HandoffState.FAILED, 1),
        handoff("t1", HandoffState.SENT, 2),
        handoff("t2", HandoffState.FAILED),
        handoff("t3", HandoffState.QUEUED),
        handoff("t4", HandoffState.SENDING),
    ]
    rows = build(tickets, handoffs)
    assert list(rows) == ["vk", "x", "total"]
    vk, x, total = rows["vk"], rows["x"], rows["total"]
    figures = [
        "opened",
        "handed_over",
        "resolved",
        "followed_up",
        "confirmed",
        "reviews_updated",
        "reviews_removed",
        "turned_around",
    ]
    assert [getattr(vk, name) for name in figures] == [4, 1, 2, 1, 1, 2, 1, 1]
    assert [getattr(x, name) for name in figures] == [1, 0, 0, 1, 0, 1, 0, 1]
    assert [getattr(total, name) for name in figures] == [5, 1, 2, 2, 1, 3, 1, 2]
    assert (vk.to_resolution, vk.to_confirmation) == ([60.0, 30.0], [30.0])
    assert (x.median_to_resolution, x.median_to_confirmation) == (None, None)
    assert total.median_to_resolution == 30.0, "the lower of the middle two"


def test_medians_are_the_nearest_rank_as_in_the_response_report() -> None:
    tickets = [
        ticket(
            n,
            followed_up_at=minutes(fix),
            confirmed_at=minutes(fix + confirm),
            column=TicketColumn.AWAITING,
        )
        for n, (fix, confirm) in enumerate([(10, 5), (40, 300), (20, 60)])
    ]
    total = build(tickets)["total"]
    assert total.median_to_resolution == 20.0
    assert total.median_to_confirmation == 60.0
    four = build([*tickets, ticket(9, column=TicketColumn.RESOLVED, resolved_at=minutes(1))])
    assert four["total"].median_to_resolution == 10.0, "the lower of the middle two"


def test_only_tickets_opened_in_the_window_count() -> None:
    since = minutes(60)
    before = ticket(1, created_at=minutes(59), followed_up_at=minutes(61))
    at_start = ticket(2, created_at=since)
    later = ticket(3, created_at=minutes(24 * 60))
    rows = build([before, at_start, later], [handoff("t1", HandoffState.SENT)], since)
    assert rows["total"].opened == 2
    assert rows["total"].handed_over == 0, "a handoff of an older ticket is not counted"
    assert rows["total"].followed_up == 0
    assert loop_report.build([before], set(), NETWORKS.get, since) == []


def test_nothing_to_measure_is_none_never_zero() -> None:
    rows = build([ticket(1, column=TicketColumn.NEW)])
    total = rows["total"]
    assert (total.median_to_resolution, total.median_to_confirmation) == (None, None)
    assert report.minutes_text(total.median_to_resolution) == "—"
    assert loop_report.csv_values(total)[-2:] == ["", ""]
    instant = ticket(2, column=TicketColumn.RESOLVED, followed_up_at=T0, confirmed_at=T0)
    assert build([instant])["total"].median_to_confirmation == 0.0, "measured, and no time"
    assert loop_report.csv_values(build([instant])["total"])[-2:] == ["0.00", "0.00"]


def test_no_tickets_no_rows() -> None:
    assert build([]) == {}


def test_a_ticket_whose_complaint_is_not_selected_or_not_stored_is_left_out() -> None:
    mentions: dict[str, Record] = {
        "m-vk": {"id": "m-vk", "platform": "vk"},
        "m-masto": {"id": "m-masto", "platform": "mastodon"},
    }
    tickets = [ticket(1), ticket(2, "m-masto"), ticket(3, "m-gone")]
    records = [t.to_record() for t in tickets]
    everything = loop_report.networks_of(mentions.get)
    rows = loop_report.build_from_records(records, [], everything, T0)
    assert [(r.group, r.opened) for r in rows] == [("mastodon", 1), ("vk", 1), ("total", 2)]
    only_vk = loop_report.networks_of(mentions.get, lambda r: r["platform"] == "vk")
    rows = loop_report.build_from_records(records, [], only_vk, T0)
    assert [(r.group, r.opened) for r in rows] == [("vk", 1), ("total", 1)]


def test_the_csv_keeps_the_response_rows_and_adds_the_loop_rows_under_one_header() -> None:
    response = [report.Row("network", "vk", mentions=3, times=[4.0])]
    alone = io.StringIO()
    report.write_csv(response, alone)
    awaiting = ticket(1, column=TicketColumn.AWAITING, followed_up_at=minutes(90))
    loop = list(build([awaiting]).values())
    out = io.StringIO()
    assert loop_report.write_csv(response, loop, out) == 3
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == [*report.CSV_FIELDS, *loop_report.CSV_FIELDS]
    before = list(csv.reader(io.StringIO(alone.getvalue())))
    assert lines[1][: len(report.CSV_FIELDS)] == before[1]
    assert lines[1][len(report.CSV_FIELDS) :] == [""] * len(loop_report.CSV_FIELDS)
    assert {len(line) for line in lines} == {len(lines[0])}
    by_name = [dict(zip(lines[0], line, strict=True)) for line in lines[2:]]
    assert [(r["grouping"], r["group"]) for r in by_name] == [("loop", "vk"), ("loop", "total")]
    assert by_name[1]["mentions"] == "" and by_name[1]["opened"] == "1"
    assert by_name[1]["median_resolution_minutes"] == "90.00"
    assert by_name[1]["median_confirmation_minutes"] == ""
