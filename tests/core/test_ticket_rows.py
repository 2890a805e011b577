"""``ticket list``'s records and filter, from hand-made tickets, handoffs and replies."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from smm_tui.core.handoffs import Handoff, HandoffState
from smm_tui.core.models import (
    Author,
    Platform,
    Reply,
    ReplyState,
    ReviewState,
    Sentiment,
    Ticket,
    TicketColumn,
)
from smm_tui.core.query_parse import QueryError
from smm_tui.core.ticket_rows import (
    TICKET_FIELDS,
    TicketCase,
    parse_ticket_query,
    selected,
    ticket_record,
)
from tests.conftest import T0, make_mention

COMPLAINT = make_mention(
    1,
    platform=Platform.MASTODON,
    author=Author(id="a1", handle="@anna", display_name="Анна Петрова"),
)
TICKET = Ticket(
    id="t1",
    mention_id=COMPLAINT.id,
    title="Charged twice",
    created_at=T0,
    updated_at=T0,
    ref="T-2026-0042",
    department="Cards",
)


def case(**changes: object) -> TicketCase:
    ticket = dataclasses.replace(TICKET, **changes)  # type: ignore[arg-type]
    return TicketCase(ticket, complaint=COMPLAINT)


def followup(state: ReplyState) -> Reply:
    return Reply(
        id="r1",
        mention_id=COMPLAINT.id,
        platform=COMPLAINT.platform,
        account=COMPLAINT.account,
        text="fixed",
        author="anna",
        created_at=T0,
        state=state,
        ticket_id="t1",
    )


def test_a_new_ticket_has_nothing_to_measure() -> None:
    record = ticket_record(case())
    assert tuple(record) == TICKET_FIELDS
    assert record["ref"] == "T-2026-0042" and record["state"] == "new"
    assert (record["handoff"], record["follow_up"], record["review"]) == (
        "none",
        "none",
        "unchanged",
    )
    assert record["customer_name"] == "Анна Петрова" and record["customer_platform"] == "mastodon"
    assert record["opened_at"] == "2026-11-26T09:00:00.000000Z"
    assert record["minutes_to_resolution"] is None and record["minutes_to_confirmation"] is None
    assert record["review_tone"] is None and record["answer_tone"] is None


def test_the_loop_is_timed_from_the_complaint_and_from_the_follow_up() -> None:
    handoff = Handoff(
        id="h1",
        ticket_id="t1",
        ref="T-2026-0042",
        department="Cards",
        subject="",
        text="",
        payload={},
        created_at=T0,
        created_by="anna",
        state=HandoffState.SENT,
        sent_at=T0 + timedelta(minutes=5),
    )
    ticket = dataclasses.replace(
        TICKET,
        column=TicketColumn.RESOLVED,
        followed_up_at=T0 + timedelta(minutes=90),
        resolved_at=T0 + timedelta(minutes=120),
        confirmed_at=T0 + timedelta(minutes=150, seconds=30),
        review=ReviewState.UPDATED,
        review_sentiment=Sentiment.POSITIVE,
    )
    record = ticket_record(TicketCase(ticket, COMPLAINT, handoff, followup(ReplyState.SENT)))
    assert record["handed_over_at"] == "2026-11-26T09:05:00.000000Z"
    assert record["minutes_to_resolution"] == 90.0, "to the follow-up, not to the closing"
    assert record["minutes_to_confirmation"] == 60.5
    assert (record["follow_up"], record["review_tone"]) == ("confirmed", "positive")


@pytest.mark.parametrize(
    ("changes", "reply", "said"),
    [
        ({}, ReplyState.FAILED, "failed"),
        ({}, ReplyState.QUEUED, "queued"),
        ({"followed_up_at": T0, "column": TicketColumn.AWAITING}, ReplyState.SENT, "awaiting"),
        ({"followed_up_at": T0, "column": TicketColumn.RESOLVED}, ReplyState.SENT, "sent"),
    ],
)
def test_the_follow_up_says_where_it_is(
    changes: dict[str, object], reply: ReplyState, said: str
) -> None:
    ticket = dataclasses.replace(TICKET, **changes)  # type: ignore[arg-type]
    record = ticket_record(TicketCase(ticket, COMPLAINT, followup=followup(reply)))
    assert record["follow_up"] == said


RECORDS = [
    ticket_record(case()),
    ticket_record(case(ref="T-2026-0043", column=TicketColumn.AWAITING, assignee="omar")),
    ticket_record(case(ref="T-2026-0044", department="Fraud", review=ReviewState.REMOVED)),
]


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        ("", ["0042", "0043", "0044"]),
        ("department:cards", ["0042", "0043"]),
        ("-department:cards", ["0044"]),
        ('state:"awaiting customer"', ["0043"]),
        ("state:new,awaiting assignee:none", ["0042", "0044"]),
        ("assignee:omar", ["0043"]),
        ("review:removed", ["0044"]),
        ("handoff:none platform:mastodon", ["0042", "0043", "0044"]),
        ("handoff:sent", []),
        ("анна 0043", ["0043"]),
        ('"charged twice"', ["0042", "0043", "0044"]),
    ],
)
def test_the_filter_picks_tickets(query: str, refs: list[str]) -> None:
    picked = selected(RECORDS, parse_ticket_query(query))
    assert [str(r["ref"])[-4:] for r in picked] == refs


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("colour:red", "unknown field 'colour' at 0 (fields: state, department"),
        ("stat:new", "unknown field 'stat' at 0 (did you mean 'state'?)"),
        ("state:closed", "state: unknown value 'closed' at 6 (one of new, in_progress"),
        ("review:", "review: give a value"),
        ('"open', "a quote is not closed"),
    ],
)
def test_a_bad_filter_says_what_is_wrong(query: str, said: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_ticket_query(query)
    assert str(caught.value).startswith(said)
