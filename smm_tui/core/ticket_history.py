"""A ticket's history in words: who did what, and when, from the audit trail.

Every change to a ticket, and to the mentions it covers, is an audit event
(:mod:`smm_tui.core.audit`). The history picks those out and says each in a
few words ("handed to Cards", "review updated (positive)"). Texts in it came
from people and networks: they are data for the screen to show, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import AuditEvent, Ticket, TicketColumn
from smm_tui.core.repository import Collection
from smm_tui.core.sanitize import one_line

#: Mention events that belong in a ticket's history (a status change is the ticket's own).
_MENTION_ACTIONS = frozenset({"edited", "deleted", "restored", "replied"})
#: Who did it when no person did.
_MACHINES = {"ingest": "smm-tui", "watch": "smm-tui", "back-fill": "smm-tui"}


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One step of a ticket's history."""

    at: datetime
    who: str
    what: str


def ticket_history(ctx: ServiceContext, ticket: Ticket) -> list[HistoryLine]:
    """Every step of ``ticket``, oldest first.

    It reads the whole audit trail: call it off the UI thread.
    """
    ids = {ticket.id, *ticket.mention_ids}
    lines = []
    for record in ctx.repo.records(Collection.AUDIT):
        if record.get("entity_id") not in ids:
            continue
        event = AuditEvent.from_record(record)
        what = describe(event)
        if what is not None:
            lines.append(HistoryLine(event.at, _who(event), what))
    return sorted(lines, key=lambda line: line.at)


def _who(event: AuditEvent) -> str:
    by = event.detail.get("by")
    if isinstance(by, str) and by in _MACHINES:
        return _MACHINES[by]
    return event.actor


def _column(value: object) -> str:
    try:
        return TicketColumn(str(value)).label
    except ValueError:
        return str(value)


def _text(detail: Mapping[str, Any], key: str) -> str:
    return one_line(str(detail.get(key) or ""))


_TICKET_WORDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "open": lambda d: f"opened {_text(d, 'ref')}".strip(),
    "move": lambda d: f"moved to {_column(d.get('new'))}",
    "update": lambda d: (
        f"routed to {_text(d, 'department') or 'no department'}"
        + (f", assigned to {_text(d, 'assignee')}" if d.get("assignee") else "")
    ),
    "handoff": lambda d: f"handoff to {_text(d, 'department')} recorded",
    "handed over": lambda d: f"handed to {_text(d, 'department')}",
    "handoff failed": lambda d: f"handoff failed: {_text(d, 'error')}",
    "followed up": lambda d: "followed up in public",
    "customer answered": lambda d: f"the customer answered ({_text(d, 'sentiment')})",
    "reopened": lambda d: f"reopened: the customer's answer is {_text(d, 'sentiment')}",
    "close": lambda d: "closed" + (f": {_text(d, 'reason')}" if d.get("reason") else ""),
    "note": lambda d: f"note: {_text(d, 'text')}",
    "review edited": lambda d: "review updated",
    "review deleted": lambda d: "review removed",
    "review restored": lambda d: "review restored",
}

_MENTION_WORDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "edited": lambda d: "the mention was edited" + _by(d),
    "deleted": lambda d: "the mention was deleted" + _by(d),
    "restored": lambda d: "the mention was restored" + _by(d),
    "replied": lambda d: "answered in public",
}


def _by(detail: Mapping[str, Any]) -> str:
    by = _text(detail, "by")
    return {"author": " by its author", "moderator": " by a moderator", "unknown": ""}.get(
        by, f" by {by}" if by else ""
    )


def describe(event: AuditEvent) -> str | None:
    """The event in a few words, or None when it is not part of a ticket's story."""
    if event.entity == "ticket":
        words = _TICKET_WORDS.get(event.action)
        return words(event.detail) if words else one_line(event.action)
    if event.entity == "mention" and event.action in _MENTION_ACTIONS:
        return _MENTION_WORDS[event.action](event.detail)
    return None
