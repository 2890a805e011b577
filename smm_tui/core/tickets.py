"""Tickets: a complaint routed to the department that can fix it."""

from __future__ import annotations

import dataclasses

from smm_tui.core.context import NotFound, ServiceContext
from smm_tui.core.models import Status, Ticket, TicketColumn, to_iso
from smm_tui.core.repository import ChangeSet, Collection
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
        record = self.ctx.repo.get(Collection.TICKETS, ticket_id)
        if record is None:
            raise NotFound(f"no ticket with id {ticket_id}")
        return Ticket.from_record(record)

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
        mention = self.ctx.mention(mention_id)
        fields: dict[str, object] = {"ticket_id": ticket_id}
        if Status.TICKETED in TRANSITIONS[mention.status]:
            fields["status"] = Status.TICKETED.value
        change_mention(self.ctx, changes, mention_id, mention.status, fields, ticket_id=ticket_id)

    async def move(self, ticket_id: str, column: TicketColumn) -> Ticket:
        """Put a ticket in another column; resolving closes every mention it still holds.

        A linked mention is closed only while it is ``ticketed`` under this
        ticket: one someone moved on, or linked to a newer ticket, is left alone.
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
            self._close_mentions(changes, ticket)
        await self.ctx.commit(changes)
        return self.get(ticket_id)

    def _close_mentions(self, changes: ChangeSet, ticket: Ticket) -> None:
        """Guarded patches closing the ticket's still-ticketed mentions, with their events."""
        expect = {"status": Status.TICKETED.value, "ticket_id": ticket.id}
        for mention_id in ticket.mention_ids:
            record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
            if record is None or any(record.get(k) != v for k, v in expect.items()):
                continue
            change_mention(
                self.ctx,
                changes,
                mention_id,
                Status.TICKETED,
                {"status": Status.DONE.value},
                expect=expect,
                ticket_id=ticket.id,
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
