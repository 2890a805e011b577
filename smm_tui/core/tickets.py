"""Tickets: a complaint routed to the department that can fix it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Reply, Sentiment, Status, Ticket, TicketColumn, to_iso
from smm_tui.core.repository import ChangeSet, Collection, Record
from smm_tui.core.sanitize import one_line
from smm_tui.core.ticket_refs import take_ref
from smm_tui.core.triage import TRANSITIONS, change_mention

COLUMNS: tuple[TicketColumn, ...] = tuple(TicketColumn)
TITLE_LENGTH = 60
#: How long a followed-up ticket awaits the customer unless ``[tickets] confirm_within`` says.
CONFIRM_WITHIN = timedelta(days=3)
#: The tones that count a customer as satisfied (an answer, or a review turned round).
SATISFIED = frozenset({Sentiment.POSITIVE, Sentiment.NEUTRAL})
#: :attr:`Ticket.suggestion` when the customer sounds satisfied: close the ticket.
SUGGEST_CLOSE = "close"


def resolution_at(ticket: Ticket) -> datetime | None:
    """When the ticket was resolved: followed up in public, else closed; None while it is
    not (a ticket reopened by its customer's answer is not resolved, though it was
    followed up). The report and ``ticket list`` both count resolution time from this."""
    if ticket.column not in (TicketColumn.AWAITING, TicketColumn.RESOLVED):
        return None
    if ticket.followed_up_at is not None:
        return ticket.followed_up_at
    # A ticket taken out of Resolved keeps no resolved_at; one in it always has one.
    return ticket.resolved_at if ticket.column is TicketColumn.RESOLVED else None


def title_from(text: str) -> str:
    """A one-line ticket title from a mention's text."""
    line = " ".join(text.split())
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"


class TicketService:
    """Opens tickets from mentions and moves them across the board."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def get(self, ticket_id: str) -> Ticket:
        """The current ticket; raises NotFound."""
        return self.ctx.load(Ticket, Collection.TICKETS, ticket_id, "ticket")

    def all(self) -> list[Ticket]:
        """Every ticket, oldest first."""
        tickets = [Ticket.from_record(r) for r in self.ctx.repo.records(Collection.TICKETS)]
        return sorted(tickets, key=lambda t: (t.created_at, t.id))

    def for_mention(self, mention_id: str) -> Ticket | None:
        """The ticket opened from a mention, if any."""
        mention = self.ctx.mention(mention_id)
        if mention.ticket_id is None:
            return None
        record = self.ctx.repo.get(Collection.TICKETS, mention.ticket_id)
        return None if record is None else Ticket.from_record(record)

    def by_ref(self, ref: str) -> Ticket | None:
        """The ticket with reference ``ref`` (``T-2026-0042``; case aside), or with that id."""
        wanted = ref.strip().upper()
        for ticket in self.all():
            if ticket.ref.upper() == wanted or ticket.id == ref.strip():
                return ticket
        return None

    async def open(self, mention_ids: list[str], department: str = "", note: str = "") -> Ticket:
        """Open one ticket for one or more mentions (the first names it); returns it."""
        linked = list(dict.fromkeys(mention_ids))
        first = self.ctx.mention(linked[0])
        existing = self.for_mention(first.id)
        if existing is not None and len(linked) == 1:
            return existing
        now = self.ctx.clock()
        ticket = Ticket(
            id=self.ctx.make_id(),
            mention_id=first.id,
            title=title_from(first.text),
            created_at=now,
            updated_at=now,
            department=department,
            mention_ids=tuple(linked),
            note=one_line(note),
            ref=await take_ref(self.ctx, now),
        )
        changes = ChangeSet().put(Collection.TICKETS, ticket.to_record())
        self.ctx.audit(changes, "ticket", ticket.id, "open", mention_ids=linked, ref=ticket.ref)
        for mention_id in linked:
            self._link(changes, mention_id, ticket.id)
        await self.ctx.commit(changes)
        return self.get(ticket.id)

    def _link(self, changes: ChangeSet, mention_id: str, ticket_id: str) -> None:
        """Link a mention; one still unanswered becomes ``ticketed`` and stays in the queue."""
        mention = self.ctx.mention(mention_id)
        fields: dict[str, object] = {"ticket_id": ticket_id}
        unanswered = mention.first_response_at is None
        if unanswered and Status.TICKETED in TRANSITIONS[mention.status]:
            fields["status"] = Status.TICKETED.value
        change_mention(self.ctx, changes, mention_id, mention.status, fields, ticket_id=ticket_id)

    async def move(self, ticket_id: str, column: TicketColumn) -> Ticket:
        """Put a ticket in another column; resolving it settles the mentions it holds.

        A linked mention still ``ticketed`` has had no answer (a reply makes it
        ``replied``, and resolving leaves an answered one so): resolving moves it
        to ``follow-up``, and it stays in the queue until someone tells the
        customer. Taking the ticket out of Resolved puts those back to
        ``ticketed``. Only mentions still linked to this ticket are touched: one
        linked to a newer ticket is left alone.
        """
        ticket = self.get(ticket_id)
        if ticket.column is column:
            return ticket
        now = self.ctx.clock()
        fields: dict[str, object] = {"column": column.value, "updated_at": to_iso(now)}
        fields["resolved_at"] = to_iso(now) if column is TicketColumn.RESOLVED else None
        changes = ChangeSet().patch(Collection.TICKETS, ticket_id, fields)
        self.ctx.audit(
            changes, "ticket", ticket_id, "move", old=ticket.column.value, new=column.value
        )
        if column is TicketColumn.RESOLVED:
            self._settle_mentions(changes, ticket)
        elif ticket.column is TicketColumn.RESOLVED:
            self._reopen_mentions(changes, ticket)
        await self.ctx.commit(changes)
        return self.get(ticket_id)

    def _settle_mentions(self, changes: ChangeSet, ticket: Ticket) -> None:
        """Guarded patches: a ticketed mention (never answered) becomes follow-up.

        An answered one is ``replied`` already and is left so; one still
        ``ticketed`` with an answer on record (set by hand) is closed.
        """
        for mention_id, record in self._linked(ticket):
            if record["status"] != Status.TICKETED.value:
                continue
            answered = record.get("first_response_at") is not None
            target = Status.DONE if answered else Status.FOLLOW_UP
            self._change(changes, ticket, mention_id, Status.TICKETED, target)

    def _reopen_mentions(self, changes: ChangeSet, ticket: Ticket) -> None:
        """A ticket taken out of Resolved: its follow-ups are ticketed again."""
        for mention_id, record in self._linked(ticket):
            if record["status"] == Status.FOLLOW_UP.value:
                self._change(changes, ticket, mention_id, Status.FOLLOW_UP, Status.TICKETED)

    def _linked(self, ticket: Ticket) -> list[tuple[str, Record]]:
        """The ticket's mentions that are still linked to it, with their records."""
        found = []
        for mention_id in ticket.mention_ids:
            record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
            if record is not None and record.get("ticket_id") == ticket.id:
                found.append((mention_id, record))
        return found

    def _change(
        self, changes: ChangeSet, ticket: Ticket, mention_id: str, old: Status, new: Status
    ) -> None:
        expect = {"status": old.value, "ticket_id": ticket.id}
        fields = {"status": new.value}
        change_mention(
            self.ctx, changes, mention_id, old, fields, expect=expect, ticket_id=ticket.id
        )

    async def step(self, ticket_id: str, delta: int) -> Ticket:
        """Move a ticket one column right (+1) or left (-1).

        *Awaiting customer* is passed over: only a sent follow-up puts a ticket there.
        """
        ticket = self.get(ticket_id)
        steps = [c for c in COLUMNS if c is not TicketColumn.AWAITING or c is ticket.column]
        index = steps.index(ticket.column) + delta
        if not 0 <= index < len(steps):
            return ticket
        if steps[index] is TicketColumn.RESOLVED:
            return await self.close(ticket_id)  # confirmed, if the customer sounded satisfied
        return await self.move(ticket_id, steps[index])

    async def update(
        self, ticket_id: str, *, department: str, assignee: str | None, note: str
    ) -> Ticket:
        """Change a ticket's department, assignee and note."""
        ticket = self.get(ticket_id)
        new = dataclasses.replace(ticket, department=department, assignee=assignee, note=note)
        if new == ticket:
            return ticket
        fields = {
            "department": department,
            "assignee": assignee,
            "note": note,
            "updated_at": to_iso(self.ctx.clock()),
        }
        changes = ChangeSet().patch(Collection.TICKETS, ticket_id, fields)
        self.ctx.audit(
            changes, "ticket", ticket_id, "update", department=department, assignee=assignee
        )
        await self.ctx.commit(changes)
        return self.get(ticket_id)

    async def close(self, ticket_id: str, *, reason: str = "") -> Ticket:
        """Close a ticket (Resolved). ``reason`` says why there was no public follow-up.

        A ticket awaiting the customer whose answer (or edited review) sounds
        satisfied is closed as confirmed by the customer.
        """
        ticket = self.get(ticket_id)
        now = self.ctx.clock()
        fields: dict[str, object] = {"suggestion": "", "updated_at": to_iso(now)}
        if reason:
            fields["closed_reason"] = one_line(reason)
        if ticket.column is TicketColumn.AWAITING and ticket.suggestion == SUGGEST_CLOSE:
            fields["confirmed_at"] = to_iso(now)
        if ticket.column is not TicketColumn.RESOLVED:
            await self.move(ticket_id, TicketColumn.RESOLVED)
        return await self._patch(self.get(ticket_id), fields, "close", reason=reason)

    async def add_note(self, ticket_id: str, text: str) -> Ticket:
        """Record a line on the ticket's history (the department's answer, a call made)."""
        ticket = self.get(ticket_id)
        line = one_line(text).strip()
        if not line:
            return ticket
        return await self._patch(
            ticket, {"updated_at": to_iso(self.ctx.clock())}, "note", text=line
        )

    async def _patch(
        self, ticket: Ticket, fields: dict[str, object], action: str, **detail: object
    ) -> Ticket:
        changes = ChangeSet().patch(Collection.TICKETS, ticket.id, fields)
        self.ctx.audit(changes, "ticket", ticket.id, action, **detail)
        await self.ctx.commit(changes)
        return self.get(ticket.id)


def awaiting_customer(
    ctx: ServiceContext, changes: ChangeSet, reply: Reply, now: datetime, confirm_within: timedelta
) -> None:
    """Add to ``changes``: the ticket ``reply`` followed up in public now awaits the customer.

    Its clock runs ``confirm_within``; an earlier answer is forgotten (a new
    follow-up asks again). Its other unanswered mentions become follow-ups,
    as when a ticket is resolved; the reply's own mention is answered by it.
    """
    assert reply.ticket_id is not None
    record = ctx.repo.get(Collection.TICKETS, reply.ticket_id)
    if record is None:
        return
    ticket = Ticket.from_record(record)
    fields: dict[str, object] = {
        "column": TicketColumn.AWAITING.value,
        "followup_reply_id": reply.id,
        "followed_up_at": to_iso(now),
        "confirm_by": to_iso(now + confirm_within),
        "resolved_at": to_iso(now),
        "updated_at": to_iso(now),
        "answer_mention_id": None,
        "answer_sentiment": Sentiment.UNKNOWN.value,
        "suggestion": "",
    }
    changes.patch(Collection.TICKETS, ticket.id, fields)
    ctx.audit(changes, "ticket", ticket.id, "followed up", reply=reply.id, old=ticket.column.value)
    for mention_id in ticket.mention_ids:
        if mention_id == reply.mention_id:
            continue
        linked = ctx.repo.get(Collection.MENTIONS, mention_id)
        if linked is None or linked.get("ticket_id") != ticket.id:
            continue
        if linked["status"] == Status.TICKETED.value:
            expect = {"status": Status.TICKETED.value, "ticket_id": ticket.id}
            change_mention(
                ctx,
                changes,
                mention_id,
                Status.TICKETED,
                {"status": Status.FOLLOW_UP.value},
                expect=expect,
                ticket_id=ticket.id,
            )
