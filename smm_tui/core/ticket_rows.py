"""``smm-tui ticket list``: one flat record per ticket, and the filter that picks them.

A record (keyed by :data:`TICKET_FIELDS`, the CSV header) says where the
ticket is and how its loop went: the handoff to the department, the public
follow-up, what became of the review, the customer's answer, and the times
of each step. Times are ISO 8601 in UTC; ``minutes_to_resolution`` runs from
the complaint's ticket to its follow-up (or its closing), and
``minutes_to_confirmation`` from the follow-up to the customer's confirmation,
as the report counts them; null when there is nothing to measure.

The filter (the language of :mod:`smm_tui.core.term_filter`, as in the Content pane)::

    state:waiting,awaiting department:Cards handoff:failed "double debit" -platform:vk

Terms side by side must all match; ``field:value`` compares one field (a
comma list: any of its values), a leading ``-`` negates a term, and a word or
a ``"phrase"`` is looked for, ignoring case, in the ref, the title and the
customer's handle and name. Fields: ``state``, ``department``, ``assignee``
(``none``: unassigned), ``review``, ``handoff`` and ``platform``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from smm_tui.core.codec import to_iso
from smm_tui.core.handoffs import Handoff, HandoffState
from smm_tui.core.models import Mention, Reply, ReplyState, ReviewState, Ticket, TicketColumn
from smm_tui.core.query_ast import fold
from smm_tui.core.query_fields import SPELLINGS
from smm_tui.core.repository import Collection, Repository
from smm_tui.core.term_filter import Term, parse_terms
from smm_tui.core.tickets import resolution_at

#: The keys of each record, in order: the CSV header (stable; new keys go at the end).
TICKET_FIELDS: tuple[str, ...] = (
    "ref",
    "state",
    "title",
    "department",
    "assignee",
    "customer_platform",
    "customer_handle",
    "customer_name",
    "mention_ids",
    "handoff",
    "handoff_error",
    "follow_up",
    "review",
    "review_tone",
    "answer_tone",
    "suggestion",
    "closed_reason",
    "opened_at",
    "handed_over_at",
    "followed_up_at",
    "confirm_by",
    "answered_at",
    "review_changed_at",
    "confirmed_at",
    "resolved_at",
    "minutes_to_resolution",
    "minutes_to_confirmation",
)

#: ``handoff`` of a ticket never handed over; ``follow_up`` of one never followed up.
NONE = "none"


@dataclass(frozen=True, slots=True)
class TicketCase:
    """A ticket and what its record is built from."""

    ticket: Ticket
    #: The mention the ticket was opened for (None if it is no longer stored).
    complaint: Mention | None = None
    #: The ticket's current handoff, if it was ever handed over.
    handoff: Handoff | None = None
    #: The last reply meant as its public follow-up (sent or not).
    followup: Reply | None = None
    #: The customer's first answer after the follow-up.
    answer: Mention | None = None


def ticket_cases(repo: Repository) -> list[TicketCase]:
    """Every stored ticket with its complaint, handoff, follow-up and answer, oldest first."""
    followups: dict[str, Reply] = {}
    for record in repo.records(Collection.REPLIES):
        reply = Reply.from_record(record)
        if reply.ticket_id is not None:
            known = followups.get(reply.ticket_id)
            if known is None or known.created_at <= reply.created_at:
                followups[reply.ticket_id] = reply
    tickets = sorted(
        (Ticket.from_record(r) for r in repo.records(Collection.TICKETS)),
        key=lambda t: (t.created_at, t.id),
    )
    return [
        TicketCase(
            ticket,
            complaint=_mention(repo, ticket.mention_id),
            handoff=_handoff(repo, ticket.handoff_id),
            followup=followups.get(ticket.id),
            answer=_mention(repo, ticket.answer_mention_id),
        )
        for ticket in tickets
    ]


def _mention(repo: Repository, mention_id: str | None) -> Mention | None:
    record = repo.get(Collection.MENTIONS, mention_id) if mention_id else None
    return None if record is None else Mention.from_record(record)


def _handoff(repo: Repository, handoff_id: str | None) -> Handoff | None:
    record = repo.get(Collection.HANDOFFS, handoff_id) if handoff_id else None
    return None if record is None else Handoff.from_record(record)


def ticket_record(case: TicketCase) -> dict[str, object]:
    """The flat record of one ticket, keyed by :data:`TICKET_FIELDS`."""
    ticket, complaint, handoff = case.ticket, case.complaint, case.handoff
    author = complaint.author if complaint is not None else None
    changed = ticket.review is not ReviewState.UNCHANGED
    resolved = resolution_at(ticket)
    return {
        "ref": ticket.label,
        "state": ticket.column.value,
        "title": ticket.title,
        "department": ticket.department,
        "assignee": ticket.assignee,
        "customer_platform": complaint.platform.value if complaint is not None else "",
        "customer_handle": author.handle if author is not None else "",
        "customer_name": author.display_name if author is not None else "",
        "mention_ids": list(ticket.mention_ids),
        "handoff": handoff.state.value if handoff is not None else NONE,
        "handoff_error": handoff.error if handoff is not None else None,
        "follow_up": follow_up(case),
        "review": ticket.review.value,
        "review_tone": ticket.review_sentiment.value if changed else None,
        "answer_tone": ticket.answer_sentiment.value if case.answer is not None else None,
        "suggestion": ticket.suggestion,
        "closed_reason": ticket.closed_reason,
        "opened_at": to_iso(ticket.created_at),
        "handed_over_at": to_iso(handoff.sent_at if handoff is not None else None),
        "followed_up_at": to_iso(ticket.followed_up_at),
        "confirm_by": to_iso(ticket.confirm_by),
        "answered_at": to_iso(case.answer.created_at if case.answer is not None else None),
        "review_changed_at": to_iso(ticket.review_changed_at),
        "confirmed_at": to_iso(ticket.confirmed_at),
        "resolved_at": to_iso(ticket.resolved_at),
        "minutes_to_resolution": minutes_between(ticket.created_at, resolved),
        "minutes_to_confirmation": minutes_between(ticket.followed_up_at, ticket.confirmed_at),
    }


def follow_up(case: TicketCase) -> str:
    """Where the public follow-up is: ``none``, ``queued`` or ``failed`` (not out yet),
    ``sent``, ``awaiting`` (the customer's confirmation) or ``confirmed``."""
    ticket = case.ticket
    if ticket.confirmed_at is not None:
        return "confirmed"
    if ticket.followed_up_at is not None:
        return "awaiting" if ticket.column is TicketColumn.AWAITING else "sent"
    if case.followup is None:
        return NONE
    return "failed" if case.followup.state is ReplyState.FAILED else "queued"


def minutes_between(start: datetime | None, end: datetime | None) -> float | None:
    """Minutes from ``start`` to ``end`` (one decimal), or None when either is missing."""
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60, 1)


# -- the filter -------------------------------------------------------------------------------

#: Field → its accepted spellings and what each means (None: any value, compared folded).
_VALUES: Mapping[str, Mapping[str, str] | None] = {
    "state": {
        **{column.value: column.value for column in TicketColumn},
        **{fold(column.label): column.value for column in TicketColumn},
        "in-progress": TicketColumn.IN_PROGRESS.value,
    },
    "department": None,
    "assignee": None,
    "review": {state.value: state.value for state in ReviewState},
    "handoff": {NONE: NONE, **{state.value: state.value for state in HandoffState}},
    "platform": SPELLINGS["platform"],
}
FIELDS: tuple[str, ...] = tuple(_VALUES)


def _matches(term: Term, record: Mapping[str, object]) -> bool:
    """Whether a ticket's record matches the term (before negation)."""
    if term.field is None:
        return all(value in _searched(record) for value in term.values)
    return _field_value(record, term.field) in term.values


def _searched(record: Mapping[str, object]) -> str:
    keys = ("ref", "title", "customer_handle", "customer_name")
    return fold("\n".join(str(record[key] or "") for key in keys))


def _field_value(record: Mapping[str, object], field: str) -> str:
    key = {"platform": "customer_platform"}.get(field, field)
    value = record[key]
    if field == "assignee" and not value:
        return NONE
    return fold(str(value or ""))


@dataclass(frozen=True, slots=True)
class TicketQuery:
    """A parsed filter: every term must match (none: every ticket matches)."""

    terms: tuple[Term, ...] = ()

    def matches(self, record: Mapping[str, object]) -> bool:
        """Whether a ticket's record (:func:`ticket_record`) passes the filter."""
        return all(_matches(term, record) != term.negated for term in self.terms)


def parse_ticket_query(text: str) -> TicketQuery:
    """Parse a filter; :class:`QueryError` says what is wrong and where."""
    return TicketQuery(parse_terms(text, _VALUES))


def selected(records: Iterable[dict[str, object]], query: TicketQuery) -> list[dict[str, object]]:
    """The records ``query`` picks, in their order."""
    return [record for record in records if query.matches(record)]
