"""The outbox: drafts, and replies that are recorded before they are sent.

A reply's life: ``queued`` (durable before any network call) → ``sending``
(durable just before the POST) → ``sent`` or ``failed``.

Several processes may share a data dir, so moving a reply to ``sending`` is a
claim: a compare-and-set that records the claiming process (``claimed_by``,
``host:pid``) and when (``claimed_at``). Only the claimant settles the reply
(its outcome is guarded on the claim too). A reply left in ``sending`` by a
process that died, or whose claim is older than :data:`~smm_tui.core.sending.SEND_LEASE`, was
interrupted mid-POST: whoever takes it over checks the thread for it before
anything is sent again, so no reply is published twice. A ``sending`` reply
whose claimant is alive is left alone.

A POST is repeated automatically only when it certainly did not reach the
network: it failed before it left (:class:`NotSent`), or the network drops
repeats of the same idempotency key (Mastodon). Any other failure after the
request went out leaves the reply ``failed`` and ``uncertain``; the next
attempt looks for it in the thread before posting again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Draft, Mention, Reply, ReplyState, Status, to_iso
from smm_tui.core.network import AdapterError, PublishedReply, ReplyChannel, Unverifiable
from smm_tui.core.repository import Changed, ChangeSet, Collection
from smm_tui.core.sending import RETRY_DELAYS, Claims, Sleep, post_with_care
from smm_tui.core.tickets import CONFIRM_WITHIN, awaiting_customer
from smm_tui.core.triage import TRANSITIONS, change_mention

#: Why an uncertain reply on a network without threads is not sent again by itself.
UNVERIFIABLE = (
    "may already be published, and this network cannot show the thread: check the "
    "chat, then send it again (R in the app, --force on the command line)"
)


class AlreadySending(ValueError):
    """A reply to the mention is queued or being sent already; a second is not recorded."""


#: The states of a reply that is still on its way: another one to the mention must wait.
UNSENT: frozenset[ReplyState] = frozenset({ReplyState.QUEUED, ReplyState.SENDING})


class OutboxService:
    """Keeps drafts, queues replies and publishes them through an adapter."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        sleep: Sleep = asyncio.sleep,
        confirm_within: timedelta = CONFIRM_WITHIN,
    ) -> None:
        self.ctx = ctx
        self.confirm_within = confirm_within
        self.retry_delays = tuple(retry_delays)
        self._sleep = sleep
        self._claims = Claims(ctx, Collection.REPLIES, ReplyState.SENDING.value)
        # Checking for a reply on its way and recording a new one must not interleave.
        self._queueing = asyncio.Lock()

    # -- drafts -------------------------------------------------------------------

    def draft(self, mention_id: str) -> Draft | None:
        """The saved draft for a mention, if any."""
        record = self.ctx.repo.get(Collection.DRAFTS, mention_id)
        return None if record is None else Draft.from_record(record)

    def drafted(self) -> frozenset[str]:
        """The ids of the mentions that have a saved draft."""
        return frozenset(str(r["mention_id"]) for r in self.ctx.repo.records(Collection.DRAFTS))

    def draft_changes(self, mention_id: str, text: str) -> ChangeSet:
        """The change that keeps ``text`` as the draft (or drops the draft when blank)."""
        current = self.draft(mention_id)
        if not text.strip():
            return ChangeSet().delete(Collection.DRAFTS, mention_id) if current else ChangeSet()
        if current is not None and current.text == text:
            return ChangeSet()
        draft = Draft(mention_id, text, self.ctx.clock())
        return ChangeSet().put(Collection.DRAFTS, draft.to_record())

    async def save_draft(self, mention_id: str, text: str) -> Changed:
        """Keep a draft (an empty text discards it); returns once it is on disk."""
        changes = self.draft_changes(mention_id, text)
        return await self.ctx.commit(changes) if changes else Changed(ids={})

    def save_draft_soon(self, mention_id: str, text: str) -> None:
        """Queue a draft save without waiting (for when the UI is closing).

        The store's writer finishes queued writes before it closes.
        """
        changes = self.draft_changes(mention_id, text)
        if changes:
            self.ctx.repo.submit(changes)

    async def discard_draft(self, mention_id: str) -> Changed:
        """Forget a mention's draft."""
        if self.draft(mention_id) is None:
            return Changed(ids={})
        return await self.ctx.commit(ChangeSet().delete(Collection.DRAFTS, mention_id))

    # -- replies ------------------------------------------------------------------

    def reply(self, reply_id: str) -> Reply:
        """The current state of a reply; raises NotFound."""
        return self.ctx.load(Reply, Collection.REPLIES, reply_id, "reply")

    def replies_to(self, mention_id: str) -> list[Reply]:
        """Every reply to a mention, oldest first."""
        found = [
            Reply.from_record(r)
            for r in self.ctx.repo.records(Collection.REPLIES)
            if r["mention_id"] == mention_id
        ]
        return sorted(found, key=lambda r: r.created_at)

    def unfinished(self) -> list[Reply]:
        """Replies not yet confirmed sent: queued, interrupted or failed."""
        return [
            Reply.from_record(r)
            for r in self.ctx.repo.records(Collection.REPLIES)
            if r["state"] != ReplyState.SENT.value
        ]

    def resumable(self) -> list[Reply]:
        """Replies to (re)send at start-up, oldest first.

        Queued ones, and ``sending`` ones whose claim was abandoned (their owner
        died or the lease ran out). Failed ones wait for a human to retry, and a
        reply another live process is sending is left to it. An incident's
        replies are left to :class:`~smm_tui.core.incident_sender.IncidentSender`,
        which paces them under the networks' limits.
        """
        found = [
            reply
            for reply in self.unfinished()
            if reply.incident_id is None
            and (
                reply.state is ReplyState.QUEUED
                or (reply.state is ReplyState.SENDING and self.abandoned(reply))
            )
        ]
        return sorted(found, key=lambda r: (r.created_at, r.id))

    def needs_force(self, reply: Reply) -> bool:
        """Whether a failed reply can only be sent again by a person who checked the chat.

        True when it may already be published on a network that cannot show threads.
        """
        return (
            reply.state is ReplyState.FAILED
            and reply.uncertain
            and UNVERIFIABLE in (reply.error or "")
        )

    def abandoned(self, reply: Reply) -> bool:
        """Whether a ``sending`` reply's claim may be taken over.

        True when nobody is recorded as its sender, the sender is not alive, or
        the claim is older than :data:`~smm_tui.core.sending.SEND_LEASE`.
        """
        return self._claims.abandoned(reply.claimed_by, reply.claimed_at)

    def on_its_way(self, mention_id: str) -> bool:
        """Whether a reply to the mention is queued or being sent."""
        return any(reply.state in UNSENT for reply in self.replies_to(mention_id))

    async def queue(self, mention_id: str, text: str, *, ticket_id: str | None = None) -> Reply:
        """Record a reply (and drop the draft) durably, before any network call.

        ``ticket_id`` makes it the public follow-up of that ticket: once it is
        sent, the ticket awaits the customer. Raises AlreadySending while
        another reply to the mention is on its way, so a send pressed twice
        records (and publishes) one reply.
        """
        async with self._queueing:
            if self.on_its_way(mention_id):
                raise AlreadySending("A reply to this mention is already being sent.")
            return await self._record(mention_id, text, ticket_id)

    def _new_reply(self, below: Mention, text: str, **fields: Any) -> Reply:
        """A reply by this user, now, below ``below`` (``fields``: its other members)."""
        return Reply(
            id=self.ctx.make_id(),
            mention_id=below.id,
            platform=below.platform,
            account=below.account,
            text=text,
            author=self.ctx.actor,
            created_at=self.ctx.clock(),
            **fields,
        )

    async def _record(self, mention_id: str, text: str, ticket_id: str | None) -> Reply:
        reply = self._new_reply(self.ctx.mention(mention_id), text, ticket_id=ticket_id)
        changes = ChangeSet().put(Collection.REPLIES, reply.to_record())
        if self.draft(mention_id) is not None:
            changes.delete(Collection.DRAFTS, mention_id)
        self.ctx.audit(changes, "reply", reply.id, "queue", mention_id=mention_id)
        await self.ctx.commit(changes)
        return self.reply(reply.id)

    def reply_under_post(
        self, changes: ChangeSet, head: Mention, text: str, *, contest_id: str
    ) -> Reply:
        """Add to ``changes`` a reply below the brand's own post ``head`` (a contest's
        commitment or announcement): sent like any reply, exactly once, in its thread."""
        reply = self._new_reply(head, text, contest_id=contest_id, head=head)
        changes.put(Collection.REPLIES, reply.to_record())
        self.ctx.audit(changes, "reply", reply.id, "queue", contest_id=contest_id)
        return reply

    def _below(self, reply: Reply) -> Mention:
        """What ``reply`` answers: its stored mention, or the post it goes under."""
        return reply.head if reply.head is not None else self.ctx.mention(reply.mention_id)

    async def send(self, reply_id: str, channel: ReplyChannel, *, force: bool = False) -> Reply:
        """Publish a queued or failed reply; its outcome is durable when this returns.

        A reply whose last attempt may have reached the network is first looked
        for in the thread; ``force`` skips that check (for networks that cannot
        show one, once a person has looked). A reply in ``sending`` is recovered
        (see :meth:`recover`) if its claim was abandoned, and otherwise returned
        unchanged: its sender is at work.
        """
        reply = self.reply(reply_id)
        if reply.state is ReplyState.SENT:
            return reply
        if reply.state is ReplyState.SENDING:
            return await self.recover(reply_id, channel)
        if not await self._claim(reply):
            return self.reply(reply_id)  # another process claimed it first
        mention = self._below(reply)
        if reply.uncertain and not force:
            return await self._check_then_post(reply, mention, channel)
        return await self._post(reply, mention, channel)

    async def recover(self, reply_id: str, channel: ReplyChannel) -> Reply:
        """Settle a reply whose send was abandoned mid-POST by looking for it in the thread.

        The claim is taken over first, so only one process recovers it; a reply
        that is not ``sending``, or whose sender is still at work, is returned as is.
        """
        reply = self.reply(reply_id)
        if reply.state is not ReplyState.SENDING or not self.abandoned(reply):
            return reply
        if not await self._claims.take_over(reply_id):
            return self.reply(reply_id)
        mention = self._below(reply)
        found = await self._look_for(reply, mention, channel, interrupted=True)
        if isinstance(found, Reply):
            return found
        if found is not None:
            return await self._confirm(reply_id, found.external_id, found.url)
        return await self._fail(
            reply_id, "interrupted while sending and not found in the thread; send it again"
        )

    async def _check_then_post(
        self, reply: Reply, mention: Mention, channel: ReplyChannel
    ) -> Reply:
        found = await self._look_for(reply, mention, channel, interrupted=False)
        if isinstance(found, Reply):
            return found
        if found is not None:
            return await self._confirm(reply.id, found.external_id, found.url)
        return await self._post(reply, mention, channel)

    async def _look_for(
        self, reply: Reply, mention: Mention, channel: ReplyChannel, *, interrupted: bool
    ) -> PublishedReply | Reply | None:
        """Our reply in the thread, None if absent, or the settled reply when we cannot tell."""
        prefix = "interrupted; " if interrupted else ""
        try:
            return await channel.find_reply(mention, reply.text)
        except Unverifiable:
            return await self._fail(reply.id, prefix + UNVERIFIABLE, uncertain=True)
        except AdapterError as exc:
            error = f"{prefix}may already be published; could not check the thread: {exc}"
            return await self._fail(reply.id, error, uncertain=True)

    async def _post(self, reply: Reply, mention: Mention, channel: ReplyChannel) -> Reply:
        """POST the reply, repeating it only while a repeat cannot publish it twice.

        Once one attempt may have reached the network, the reply stays
        ``uncertain`` whatever the later attempts say, so the next send looks
        for it in the thread first.
        """
        outcome = await post_with_care(
            lambda: channel.post_reply(mention, reply.text, idempotency_key=reply.id),
            idempotent=channel.idempotent_replies,
            retry_delays=self.retry_delays,
            sleep=self._sleep,
        )
        if isinstance(outcome, PublishedReply):
            return await self._confirm(reply.id, outcome.external_id, outcome.url)
        error = _maybe_sent(outcome.error) if outcome.maybe_sent else outcome.error
        return await self._fail(reply.id, error, outcome.maybe_sent, outcome.retry_at)

    async def _claim(self, reply: Reply) -> bool:
        """Move a queued or failed reply to ``sending`` in our name; False if someone was first."""
        return await self._claims.claim(reply.id, reply.state.value, reply.attempts)

    async def _fail(
        self,
        reply_id: str,
        error: str,
        uncertain: bool = False,
        retry_at: datetime | None = None,
    ) -> Reply:
        """Settle our claim as failed; ``retry_at`` keeps the network's rate limit on the
        reply, so that whichever process sends it next waits for it."""
        expect = await self._claims.still_ours(reply_id)
        if expect is None:
            return self.reply(reply_id)
        fields = {
            "state": ReplyState.FAILED.value,
            "error": error,
            "uncertain": uncertain,
            "retry_at": None if retry_at is None else to_iso(retry_at),
        }
        changes = ChangeSet().patch(Collection.REPLIES, reply_id, fields, expect=expect)
        self.ctx.audit(changes, "reply", reply_id, "failed", error=error)
        await self.ctx.commit(changes)
        return self.reply(reply_id)

    async def _confirm(self, reply_id: str, external_id: str, url: str) -> Reply:
        expect = await self._claims.still_ours(reply_id)
        if expect is None:
            return self.reply(reply_id)
        reply = self.reply(reply_id)
        now = self.ctx.clock()
        changes = ChangeSet().patch(
            Collection.REPLIES,
            reply_id,
            {
                "state": ReplyState.SENT.value,
                "sent_at": to_iso(now),
                "external_id": external_id,
                "url": url,
                "error": None,
                "uncertain": False,
                "retry_at": None,
            },
            expect=expect,
        )
        self.ctx.audit(changes, "reply", reply_id, "sent", url=url)
        if reply.head is None:  # a post of our own is no mention to mark answered
            self._mark_replied(changes, reply.mention_id, now)
        if reply.ticket_id is not None:
            awaiting_customer(self.ctx, changes, reply, now, self.confirm_within)
        await self.ctx.commit(changes)
        return self.reply(reply_id)

    def _mark_replied(self, changes: ChangeSet, mention_id: str, now: datetime) -> None:
        """An answered mention leaves the queue: replied (it keeps its ticket, and
        resolving the ticket leaves it replied), or done when it was a follow-up."""
        mention = self.ctx.mention(mention_id)
        fields: dict[str, object] = {}
        if mention.status is Status.FOLLOW_UP:
            fields["status"] = Status.DONE.value
        elif Status.REPLIED in TRANSITIONS[mention.status]:
            fields["status"] = Status.REPLIED.value
        if mention.first_response_at is None:
            fields["first_response_at"] = to_iso(now)
        if fields:
            change_mention(self.ctx, changes, mention_id, mention.status, fields, action="replied")


def _maybe_sent(error: str) -> str:
    return f"{error}; it may have been published: the thread is checked before it is sent again"
