"""The customer's answer to a public follow-up: found in the thread and linked to the ticket.

Once a ticket's follow-up is sent it awaits the customer. The customer's next
message in that thread (under the complaint's post, in the same chat, or in
reply to our follow-up) is linked to the ticket as it is stored. Its tone
decides what the ticket suggests: a positive answer suggests closing it, and a
negative one reopens it. Either way a person decides what happens next; the
ticket only shows it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import (
    Mention,
    Platform,
    Sentiment,
    Status,
    Ticket,
    TicketColumn,
    to_iso,
)
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.saved_replies import SavedReply, fill, ranked, values_for
from smm_tui.core.tickets import SUGGEST_CLOSE

_Customer = tuple[str, str, str]
#: How far a network's clock may be behind ours: a message in the thread stamped this much
#: before our follow-up may still answer it (a reply to the follow-up always does).
CLOCK_SKEW = timedelta(minutes=5)


def thread_key(mention: Mention) -> str:
    """What a mention's thread is known by: the chat on Telegram, else the thread's root."""
    if mention.platform is Platform.TELEGRAM:
        return "chat:" + mention.external_id.partition(":")[0]
    return mention.root_external_id or mention.external_id


def customer_of(mention: Mention) -> _Customer:
    """Who wrote a mention, on which account of the brand."""
    return (mention.platform.value, mention.account, mention.author.id)


@dataclass(slots=True)
class _Awaiting:
    ticket: Ticket
    threads: set[str]
    answered: bool = False
    #: Our follow-up's id on the network, once it is published.
    follow_up_id: str | None = None


@dataclass(slots=True)
class AnswerWatch:
    """The tickets awaiting their customers, by customer, for one batch of ingest."""

    _by_customer: dict[_Customer, list[_Awaiting]] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx: ServiceContext) -> AnswerWatch:
        """The tickets awaiting a customer now, with the threads their answer may come in."""
        watch = cls()
        for record in ctx.repo.records(Collection.TICKETS):
            if record.get("column") != TicketColumn.AWAITING.value:
                continue
            ticket = Ticket.from_record(record)
            original = ctx.repo.get(Collection.MENTIONS, ticket.mention_id)
            if original is None:
                continue
            mention = Mention.from_record(original)
            threads = {thread_key(mention), mention.external_id}
            reply = ctx.repo.get(Collection.REPLIES, ticket.followup_reply_id or "")
            follow_up_id = str(reply["external_id"]) if reply and reply.get("external_id") else None
            if follow_up_id is not None:
                threads.add(follow_up_id)
            answered = ticket.answer_mention_id is not None
            awaiting = _Awaiting(ticket, threads, answered, follow_up_id)
            watch._by_customer.setdefault(customer_of(mention), []).append(awaiting)
        return watch

    def __bool__(self) -> bool:
        return bool(self._by_customer)

    def _candidates(self, mention: Mention) -> Iterator[_Awaiting]:
        """The tickets ``mention`` may answer: it replies to our follow-up, or it was written
        in the complaint's thread after the follow-up (give or take the clocks' skew)."""
        for awaiting in self._by_customer.get(customer_of(mention), ()):
            if mention.parent_external_id == awaiting.follow_up_id:
                yield awaiting
                continue
            followed_up = awaiting.ticket.followed_up_at
            if followed_up is not None and mention.created_at < followed_up - CLOCK_SKEW:
                continue
            in_thread = thread_key(mention) in awaiting.threads
            if in_thread or mention.parent_external_id in awaiting.threads:
                yield awaiting

    def link(self, ctx: ServiceContext, changes: ChangeSet, mention: Mention) -> Mention:
        """``mention`` linked to the ticket it answers (with the ticket's changes), or as is.

        Only a new mention is linked, and only the first answer changes the
        ticket: a positive one suggests closing it, a negative one reopens it
        (and stays in the queue, ticketed).
        """
        awaiting = next(self._candidates(mention), None)
        if awaiting is None or mention.ticket_id is not None:
            return mention
        ticket = awaiting.ticket
        linked = dataclasses.replace(mention, ticket_id=ticket.id)
        fields: dict[str, object] = {"mention_ids": [*ticket.mention_ids, mention.id]}
        if not awaiting.answered:
            awaiting.answered = True
            fields |= _answer_fields(ticket, mention)
            if mention.sentiment is Sentiment.NEGATIVE and mention.status.is_open:
                linked = dataclasses.replace(linked, status=Status.TICKETED)
        fields["updated_at"] = to_iso(ctx.clock())
        # Guarded: a teammate's change to the ticket's mentions meanwhile is never overwritten.
        expect = {"mention_ids": list(ticket.mention_ids)}
        changes.patch(Collection.TICKETS, ticket.id, fields, expect)
        action = "reopened" if fields.get("column") else "customer answered"
        ctx.audit(
            changes,
            "ticket",
            ticket.id,
            action,
            mention=mention.id,
            sentiment=mention.sentiment.value,
            by="ingest",
        )
        awaiting.ticket = dataclasses.replace(ticket, mention_ids=(*ticket.mention_ids, mention.id))
        return linked


def _answer_fields(ticket: Ticket, answer: Mention) -> dict[str, object]:
    """What the customer's first answer changes on the ticket."""
    fields: dict[str, object] = {
        "answer_mention_id": answer.id,
        "answer_sentiment": answer.sentiment.value,
    }
    if answer.sentiment is Sentiment.POSITIVE:
        fields["suggestion"] = SUGGEST_CLOSE
    elif answer.sentiment is Sentiment.NEGATIVE:
        fields |= {"column": TicketColumn.IN_PROGRESS.value, "suggestion": "", "confirm_by": None}
    return fields


#: The tag that marks a saved reply as a public follow-up after a fix.
FOLLOW_UP_TAG = "follow-up"


def suggested_follow_up(
    replies: Sequence[SavedReply], mention: Mention, ticket: Ticket, agent: str
) -> str:
    """The text of the best saved follow-up for ``mention``, filled in, or "" if none fits.

    Follow-ups in the customer's language come first, then those for the
    mention's intent; one whose fields cannot all be filled is passed over.
    """
    follow_ups = [r for r in replies if FOLLOW_UP_TAG in (t.casefold() for t in r.tags)]
    values = values_for(mention, ticket=ticket, agent=agent)
    for reply in ranked(follow_ups, language=mention.language, intent=mention.intent):
        filled = fill(reply, values)
        if filled.text is not None:
            return filled.text
    return ""
