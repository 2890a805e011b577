"""Tickets: a complaint routed to the department that can fix it."""

from __future__ import annotations

import dataclasses

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Status, Ticket, TicketColumn, to_iso
from smm_tui.core.repository import ChangeSet, Collection, Record
from smm_tui.core.triage import TRANSITIONS, change_mention

COLUMNS: tuple[TicketColumn, ...] = tuple(TicketColumn)
TITLE_LENGTH = 60


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

    async def open(self, mention_ids: list[str], department: str = "") -> Ticket:
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
        )
        changes = ChangeSet().put(Collection.TICKETS, ticket.to_record())
        self.ctx.audit(changes, "ticket", ticket.id, "open", mention_ids=linked)
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
        """Move a ticket one column right (+1) or left (-1)."""
        ticket = self.get(ticket_id)
        index = COLUMNS.index(ticket.column) + delta
        if not 0 <= index < len(COLUMNS):
            return ticket
        return await self.move(ticket_id, COLUMNS[index])

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
