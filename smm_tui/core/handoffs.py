"""Handing a ticket to its department: recorded first, delivered once, retried with care.

A handoff's life follows a reply's: ``queued`` (durable before anything is
sent) → ``sending`` (a claim, durable just before delivery) → ``sent`` or
``failed``. The message is built once, when the handoff is recorded, and kept
with it, so a retry sends exactly what was first meant.

A failure that certainly left nothing behind (the connection was refused, a
rate limit) is retried by itself later, on a growing delay; so is any failure
of a webhook, whose receiver drops a repeat by its ``X-Smm-Delivery`` key. An
email or a chat message that may have gone out is not repeated by itself: it
waits, ``failed`` and ``uncertain``, for a person to resend it (``R``).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from smm_tui.core.codec import Recorded, stored
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Mention, Ticket, TicketColumn, to_iso
from smm_tui.core.network import (
    AdapterError,
    HandoffChannel,
    HandoffMessage,
    NotSent,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_tui.core.platforms import spec
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sanitize import one_line
from smm_tui.core.sending import Claims

log = logging.getLogger(__name__)

#: Delays before the automatic repeats of a failed handoff; then it waits for a person.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)
#: Channels whose receivers drop a repeat by its key, so any failure may be retried.
IDEMPOTENT_KINDS = frozenset({"webhook"})

#: A department's channel, or why there is none (one line).
ChannelLookup = Callable[[str], "HandoffChannel | str"]


def no_channels(department: str) -> HandoffChannel | str:
    """The lookup when no department has a channel configured."""
    return f"{department} has no handoff: add one in [[departments]] of the config"


class HandoffState(enum.StrEnum):
    """Where a handoff is: ``queued`` → ``sending`` → ``sent`` or ``failed``."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class NoHandoff(ValueError):
    """The ticket cannot be handed over: no department, or the department has no channel."""


@dataclass(frozen=True, slots=True)
class Handoff(Recorded):
    """One handing over of a ticket to a department, with the message as it was built."""

    id: str
    ticket_id: str
    ref: str
    department: str
    subject: str
    text: str
    payload: dict[str, Any]
    created_at: datetime
    created_by: str
    # Required when read: a handoff that lost its state must not default to queued (resent).
    state: HandoffState = field(default=HandoffState.QUEUED, metadata=stored(required=True))
    #: ``webhook``, ``email`` or ``telegram``, and where to, as of the last attempt.
    channel: str = ""
    target: str = ""
    sent_at: datetime | None = None
    receipt: str | None = None
    error: str | None = None
    attempts: int = 0
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    #: A failed attempt may have been delivered all the same: a person resends it.
    uncertain: bool = False
    #: When an automatic repeat is due; None: it waits for a person.
    retry_at: datetime | None = None
    rev: int = 0

    def message(self) -> HandoffMessage:
        """What a channel delivers."""
        return HandoffMessage(
            self.id, self.ref, self.department, self.subject, self.text, self.payload
        )

    @property
    def status_line(self) -> str:
        """How it went, in a few words ("sent 14:02", "failed: …")."""
        if self.state is HandoffState.SENT and self.sent_at is not None:
            return f"sent to {self.department} {self.sent_at:%Y-%m-%d %H:%M} UTC"
        if self.state is HandoffState.FAILED:
            return f"failed: {self.error or 'unknown error'}"
        return self.state.value


def handoff_payload(
    ticket: Ticket, mentions: Sequence[Mention], *, by: str, at: datetime
) -> dict[str, Any]:
    """The webhook body: the ticket, its customer and every mention it covers."""
    first = mentions[0]
    return {
        "ref": ticket.label,
        "ticket_id": ticket.id,
        "department": ticket.department,
        "title": ticket.title,
        "customer": {
            "platform": first.platform.value,
            "id": first.author.id,
            "handle": first.author.handle,
            "name": first.author.display_name,
        },
        "mentions": [
            {
                "id": m.id,
                "external_id": m.external_id,
                "account": m.account,
                "url": m.url,
                "text": m.text,
                "created_at": to_iso(m.created_at),
            }
            for m in mentions
        ],
        "note": ticket.note,
        "opened_at": to_iso(ticket.created_at),
        "handed_over_by": by,
        "handed_over_at": to_iso(at),
    }


def handoff_text(ticket: Ticket, mentions: Sequence[Mention], *, by: str, at: datetime) -> str:
    """The same summary as plain text, for email and chat."""
    first = mentions[0]
    who = first.author.display_name or first.author.handle
    network = spec(first.platform).name
    lines = [
        f"{ticket.label} · {ticket.department}",
        f"Customer: {who} ({first.author.handle}) on {network}",
        "",
    ]
    for mention in mentions:
        lines.append(f"{mention.created_at:%Y-%m-%d %H:%M} UTC  {mention.url or mention.id}")
        lines.extend("  " + line for line in mention.text.splitlines() or [""])
        lines.append("")
    if ticket.note:
        lines += [f"Note: {ticket.note}", ""]
    lines.append(f"Handed over by {by} at {at:%Y-%m-%d %H:%M} UTC.")
    return "\n".join(lines)


class HandoffService:
    """Records handoffs of tickets to departments and delivers them through their channels."""

    def __init__(self, ctx: ServiceContext, channels: ChannelLookup) -> None:
        self.ctx = ctx
        self.channels = channels
        self._claims = Claims(ctx, Collection.HANDOFFS, HandoffState.SENDING.value)

    def get(self, handoff_id: str) -> Handoff:
        """The current handoff; raises NotFound."""
        return self.ctx.load(Handoff, Collection.HANDOFFS, handoff_id, "handoff")

    def all(self) -> list[Handoff]:
        """Every handoff, oldest first."""
        found = [Handoff.from_record(r) for r in self.ctx.repo.records(Collection.HANDOFFS)]
        return sorted(found, key=lambda h: (h.created_at, h.id))

    def for_ticket(self, ticket_id: str) -> list[Handoff]:
        """Every handoff of a ticket, oldest first."""
        found = [
            Handoff.from_record(r)
            for r in self.ctx.repo.records(Collection.HANDOFFS)
            if r["ticket_id"] == ticket_id
        ]
        return sorted(found, key=lambda h: (h.created_at, h.id))

    def channel_problem(self, department: str) -> str | None:
        """Why ``department`` cannot hear about tickets, or None when it can."""
        found = self.channels(department)
        return found if isinstance(found, str) else None

    async def hand_over(self, ticket_id: str) -> Handoff:
        """Record a handoff of the ticket to its department (durable before any delivery).

        The ticket moves to *Waiting on department* if it was new or in progress.
        Raises :class:`NoHandoff` when the ticket has no department, the
        department no channel, or a handoff of the ticket is still on its way.
        A ticket's handoffs are numbered (``<ticket>-h2``), so two processes
        handing it over at once record one.
        """
        ticket = self.ctx.load(Ticket, Collection.TICKETS, ticket_id, "ticket")
        if not ticket.department:
            raise NoHandoff(f"{ticket.label} has no department: choose one first")
        if (problem := self.channel_problem(ticket.department)) is not None:
            raise NoHandoff(problem)
        earlier = self.for_ticket(ticket.id)
        if earlier and earlier[-1].state in (HandoffState.QUEUED, HandoffState.SENDING):
            raise NoHandoff(
                f"{ticket.label}: its handoff to {earlier[-1].department} is on its way"
            )
        mentions = [self.ctx.mention(mention_id) for mention_id in ticket.mention_ids]
        now = self.ctx.clock()
        handoff = Handoff(
            id=f"{ticket.id}-h{len(earlier) + 1}",
            ticket_id=ticket.id,
            ref=ticket.label,
            department=ticket.department,
            subject=f"{ticket.label}: {ticket.title}",
            text=handoff_text(ticket, mentions, by=self.ctx.actor, at=now),
            payload=handoff_payload(ticket, mentions, by=self.ctx.actor, at=now),
            created_at=now,
            created_by=self.ctx.actor,
        )
        changes = ChangeSet().insert_new(Collection.HANDOFFS, handoff.to_record())
        if not (await self.ctx.commit(changes)).applied:
            raise NoHandoff(f"{ticket.label} is being handed over by someone else")
        fields: dict[str, object] = {"handoff_id": handoff.id, "updated_at": to_iso(now)}
        if ticket.column in (TicketColumn.NEW, TicketColumn.IN_PROGRESS):
            fields["column"] = TicketColumn.WAITING.value
        changes = ChangeSet().patch(Collection.TICKETS, ticket.id, fields)
        self.ctx.audit(
            changes,
            "ticket",
            ticket.id,
            "handoff",
            department=ticket.department,
            handoff=handoff.id,
        )
        await self.ctx.commit(changes)
        return self.get(handoff.id)

    def due(self, now: datetime) -> list[Handoff]:
        """Handoffs to deliver now: queued, abandoned mid-send, or failed with a repeat due."""
        handoffs = (Handoff.from_record(r) for r in self.ctx.repo.records(Collection.HANDOFFS))
        found = [handoff for handoff in handoffs if self._is_due(handoff, now)]
        return sorted(found, key=lambda h: (h.created_at, h.id))

    def _is_due(self, handoff: Handoff, now: datetime) -> bool:
        match handoff.state:
            case HandoffState.QUEUED:
                return True
            case HandoffState.SENDING:
                return self._abandoned(handoff)
            case HandoffState.FAILED:
                return handoff.retry_at is not None and handoff.retry_at <= now
        return False

    def _abandoned(self, handoff: Handoff) -> bool:
        return self._claims.abandoned(handoff.claimed_by, handoff.claimed_at)

    async def send(self, handoff_id: str) -> Handoff:
        """Deliver a queued or failed handoff; its outcome is durable when this returns.

        A handoff left ``sending`` by a process that died may have been
        delivered: it is settled as failed and uncertain (webhooks are sent
        again, their receivers drop repeats), never silently sent twice.
        """
        handoff = self.get(handoff_id)
        if handoff.state is HandoffState.SENT:
            return handoff
        if handoff.state is HandoffState.SENDING:
            return await self._recover(handoff)
        found = self.channels(handoff.department)
        if isinstance(found, str):
            return await self._settle_unclaimed(handoff, found)
        also = {"channel": found.kind, "target": found.target, "retry_at": None}
        if not await self._claims.claim(handoff.id, handoff.state.value, handoff.attempts, also):
            return self.get(handoff_id)
        return await self._deliver(self.get(handoff_id), found)

    async def _deliver(self, handoff: Handoff, channel: HandoffChannel) -> Handoff:
        try:
            receipt = await channel.deliver(handoff.message())
        except RateLimited as exc:
            return await self._fail(handoff, str(exc), uncertain=False, retry_at=exc.retry_at)
        except NotSent as exc:
            return await self._fail(handoff, str(exc), uncertain=False)
        except TransientError as exc:
            return await self._fail(handoff, _maybe_sent(str(exc)), uncertain=True)
        except (PermanentError, AdapterError) as exc:
            return await self._fail(handoff, str(exc) or type(exc).__name__, final=True)
        except Exception as exc:  # a channel's bug: it may have gone out; a person decides
            log.exception("handing %s to %s failed unexpectedly", handoff.ref, handoff.department)
            error = f"{handoff.department}: unexpected error ({type(exc).__name__})"
            return await self._fail(handoff, _maybe_sent(error), uncertain=True, final=True)
        return await self._confirm(handoff, receipt)

    async def _recover(self, handoff: Handoff) -> Handoff:
        if not self._abandoned(handoff) or not await self._claims.take_over(handoff.id):
            return self.get(handoff.id)
        error = "interrupted while sending; it may have been delivered"
        return await self._fail(self.get(handoff.id), error, uncertain=True)

    async def _settle_unclaimed(self, handoff: Handoff, problem: str) -> Handoff:
        """A department whose channel cannot be built: failed, and left for a person."""
        fields = {"state": HandoffState.FAILED.value, "error": problem, "retry_at": None}
        expect = {"state": handoff.state.value, "attempts": handoff.attempts}
        changes = ChangeSet().patch(Collection.HANDOFFS, handoff.id, fields, expect)
        self.ctx.audit(changes, "ticket", handoff.ticket_id, "handoff failed", error=problem)
        await self.ctx.commit(changes)
        return self.get(handoff.id)

    async def _fail(
        self,
        handoff: Handoff,
        error: str,
        *,
        uncertain: bool = False,
        retry_at: datetime | None = None,
        final: bool = False,
    ) -> Handoff:
        expect = await self._claims.still_ours(handoff.id)
        if expect is None:
            return self.get(handoff.id)
        error = one_line(error)
        if retry_at is None and not final:
            retry_at = self._next_try(handoff, uncertain)
        fields = {
            "state": HandoffState.FAILED.value,
            "error": error,
            "uncertain": uncertain,
            "retry_at": None if retry_at is None else to_iso(retry_at),
        }
        changes = ChangeSet().patch(Collection.HANDOFFS, handoff.id, fields, expect=expect)
        self.ctx.audit(changes, "ticket", handoff.ticket_id, "handoff failed", error=error)
        await self.ctx.commit(changes)
        return self.get(handoff.id)

    def _next_try(self, handoff: Handoff, uncertain: bool) -> datetime | None:
        """When to repeat a failed attempt by itself, or None to leave it to a person."""
        if uncertain and handoff.channel not in IDEMPOTENT_KINDS:
            return None
        index = handoff.attempts - 1
        if index >= len(RETRY_DELAYS):
            return None
        return self.ctx.clock() + RETRY_DELAYS[max(index, 0)]

    async def _confirm(self, handoff: Handoff, receipt: str) -> Handoff:
        expect = await self._claims.still_ours(handoff.id)
        if expect is None:
            return self.get(handoff.id)
        now = self.ctx.clock()
        fields = {
            "state": HandoffState.SENT.value,
            "sent_at": to_iso(now),
            "receipt": one_line(receipt)[:200],
            "error": None,
            "uncertain": False,
            "retry_at": None,
        }
        changes = ChangeSet().patch(Collection.HANDOFFS, handoff.id, fields, expect=expect)
        self.ctx.audit(
            changes, "ticket", handoff.ticket_id, "handed over", department=handoff.department
        )
        await self.ctx.commit(changes)
        return self.get(handoff.id)

    async def resend(self, handoff_id: str) -> Handoff:
        """Send a failed handoff again now (a person checked it did not arrive)."""
        handoff = self.get(handoff_id)
        if handoff.state is not HandoffState.FAILED:
            return handoff
        return await self.send(handoff_id)


def _maybe_sent(error: str) -> str:
    return f"{error}; it may have been delivered"
