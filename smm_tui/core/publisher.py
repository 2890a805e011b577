"""Sending posts: each delivery published exactly once, through the same rules as replies.

A delivery is claimed (``scheduled`` or ``failed`` → ``publishing``, durable
before the POST, in this process's name) and settled by its claimant:
``published`` with the network's id and URL, ``failed`` with the reason in
words, or back to ``scheduled`` after a rate limit, with ``not_before`` the
network's reset time. A POST is repeated automatically only when a repeat
cannot publish twice (see :func:`smm_tui.core.sending.post_with_care`).

An attempt that may have reached the network leaves the delivery
``uncertain``: before it is sent again, the account's own recent posts are
searched for it (:meth:`PostChannel.find_post`). On a network that cannot list
them (Telegram) it waits for a person, who checks the channel and forces it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import to_iso
from smm_tui.core.network import AdapterError, PostChannel, PublishedReply, Unverifiable
from smm_tui.core.posts import Delivery, DeliveryState
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sending import RETRY_DELAYS, Claims, SendFailure, Sleep, post_with_care

log = logging.getLogger(__name__)

#: How far before an attempt began its post may carry the network's own timestamp.
LOOK_BACK = timedelta(minutes=5)
#: The stored states of deliveries that may still be sent.
_WAITING = frozenset({DeliveryState.SCHEDULED.value, DeliveryState.PUBLISHING.value})
#: Why an uncertain post on a network that cannot list its posts is not sent again by itself.
UNVERIFIABLE = (
    "may already be published, and this network cannot list the account's posts: check "
    "the channel, then publish it again (R in the app, --force on the command line)"
)


class Publisher:
    """Publishes due deliveries through their account's channel, each exactly once."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        late_limit: timedelta = timedelta(hours=6),
        retry_delays: Sequence[float] = RETRY_DELAYS,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.ctx = ctx
        self.late_limit = late_limit
        self.retry_delays = tuple(retry_delays)
        self._sleep = sleep
        self._claims = Claims(ctx, Collection.DELIVERIES, DeliveryState.PUBLISHING.value)

    def delivery(self, record_id: str) -> Delivery:
        """The current delivery; raises NotFound."""
        return self.ctx.load(Delivery, Collection.DELIVERIES, record_id, "delivery")

    def _waiting(self) -> list[Delivery]:
        """The deliveries still to go out: scheduled, or caught mid-send.

        Read from the raw records first: this runs every second, and a year of
        published deliveries need not be decoded to be passed over.
        """
        return [
            Delivery.from_record(r)
            for r in self.ctx.repo.records(Collection.DELIVERIES)
            if r.get("state") in _WAITING
        ]

    # -- what is due ----------------------------------------------------------------

    def due(self, now: datetime) -> list[Delivery]:
        """Scheduled deliveries whose time has come (and no rate limit holds), oldest first.

        Held ones wait for a person; a ``publishing`` one whose sender died is due too.
        """
        found = [d for d in self._waiting() if self._is_due(d, now)]
        return sorted(found, key=lambda d: (d.scheduled_at or now, d.id))

    def _is_due(self, delivery: Delivery, now: datetime) -> bool:
        if delivery.state is DeliveryState.PUBLISHING:
            return self._claims.abandoned(delivery.claimed_by, delivery.claimed_at)
        return (
            delivery.state is DeliveryState.SCHEDULED
            and not delivery.held
            and delivery.scheduled_at is not None
            and delivery.scheduled_at <= now
            and (delivery.not_before is None or delivery.not_before <= now)
        )

    def next_due_at(self, after: datetime | None = None) -> datetime | None:
        """When the next scheduled delivery falls due (or may go after a rate limit).

        ``after`` leaves out those due by then (a pass over them has just been made).
        """
        times = [
            max(d.scheduled_at, d.not_before or d.scheduled_at)
            for d in self._waiting()
            if d.state is DeliveryState.SCHEDULED and not d.held and d.scheduled_at is not None
        ]
        return min((t for t in times if after is None or t > after), default=None)

    def late(self, now: datetime) -> list[Delivery]:
        """Due deliveries later than the late limit: they wait for a person, not the clock."""
        limit = now - self.late_limit
        return [d for d in self.due(now) if d.scheduled_at is not None and d.scheduled_at < limit]

    async def hold_late(self, now: datetime) -> list[Delivery]:
        """Hold every delivery more than the late limit overdue; the ones held."""
        late = [d for d in self.late(now) if d.state is DeliveryState.SCHEDULED]
        if not late:
            return []
        changes = ChangeSet()
        for delivery in late:
            changes.patch(
                Collection.DELIVERIES, delivery.id, {"held": True}, expect={"rev": delivery.rev}
            )
            self.ctx.audit(changes, "delivery", delivery.id, "held late")
        await self.ctx.commit(changes)
        return late

    def needs_force(self, delivery: Delivery) -> bool:
        """Whether a failed delivery can only be sent again by a person who checked the channel."""
        return (
            delivery.state is DeliveryState.FAILED
            and delivery.uncertain
            and UNVERIFIABLE in (delivery.error or "")
        )

    # -- sending --------------------------------------------------------------------

    async def send(self, record_id: str, channel: PostChannel, *, force: bool = False) -> Delivery:
        """Publish a scheduled or failed delivery; its outcome is durable when this returns.

        One that may already be out is first looked for on the account (``force``
        skips that, once a person has looked). A ``publishing`` one is recovered
        if its sender died, and otherwise left to its sender.
        """
        delivery = self.delivery(record_id)
        if delivery.state is DeliveryState.PUBLISHING:
            return await self.recover(record_id, channel)
        if delivery.state not in (DeliveryState.SCHEDULED, DeliveryState.FAILED):
            return delivery
        began = self.ctx.clock()
        claimed = await self._claims.claim(
            delivery.id,
            delivery.state.value,
            delivery.attempts,
            also={"attempted_at": to_iso(began), "held": False, "not_before": None},
            # What was read is what is sent: a post edited or moved meanwhile is left for later.
            expect={"rev": delivery.rev},
        )
        if not claimed:
            return self.delivery(record_id)
        if delivery.uncertain and not force:
            found = await self._look_for(delivery, channel, interrupted=False)
            if found is not None:
                return await self._settle_found(delivery, found)
        return await self._post(delivery, channel)

    async def recover(self, record_id: str, channel: PostChannel) -> Delivery:
        """Settle a delivery abandoned mid-POST by looking for it on the account."""
        delivery = self.delivery(record_id)
        abandoned = self._claims.abandoned(delivery.claimed_by, delivery.claimed_at)
        if delivery.state is not DeliveryState.PUBLISHING or not abandoned:
            return delivery
        if not await self._claims.take_over(record_id):
            return self.delivery(record_id)
        found = await self._look_for(delivery, channel, interrupted=True)
        if found is not None:
            return await self._settle_found(delivery, found)
        return await self._fail(
            record_id, "interrupted while publishing and not found on the account; publish again"
        )

    async def _settle_found(self, delivery: Delivery, found: PublishedReply | Delivery) -> Delivery:
        if isinstance(found, Delivery):
            return found
        return await self._confirm(delivery.id, found)

    async def _look_for(
        self, delivery: Delivery, channel: PostChannel, *, interrupted: bool
    ) -> PublishedReply | Delivery | None:
        """Our post on the account, None if absent, or the settled delivery when we cannot tell."""
        prefix = "interrupted; " if interrupted else ""
        since = (delivery.attempted_at or delivery.scheduled_at or self.ctx.clock()) - LOOK_BACK
        try:
            return await channel.find_post(delivery.text, delivery.id, since)
        except Unverifiable:
            return await self._fail(delivery.id, prefix + UNVERIFIABLE, uncertain=True)
        except AdapterError as exc:
            detail = str(exc)
        except Exception as exc:  # an adapter's bug must not leave the claim stuck
            log.exception("looking for %s", delivery.id)
            detail = unexpected_error(exc)
        error = f"{prefix}may already be published; could not check the account: {detail}"
        return await self._fail(delivery.id, error, uncertain=True)

    async def _post(self, delivery: Delivery, channel: PostChannel) -> Delivery:
        try:
            outcome = await post_with_care(
                lambda: channel.publish_post(delivery.text, delivery.id),
                idempotent=channel.idempotent_posts,
                retry_delays=self.retry_delays,
                sleep=self._sleep,
            )
        except Exception as exc:  # an adapter's bug: the POST may have gone out
            log.exception("publishing %s", delivery.id)
            outcome = SendFailure(unexpected_error(exc), maybe_sent=True)
        if isinstance(outcome, PublishedReply):
            return await self._confirm(delivery.id, outcome)
        if outcome.retry_at is not None:
            return await self._wait_for_limit(delivery.id, outcome)
        error = outcome.error
        if outcome.maybe_sent:
            error += "; it may have been published: the account is checked before it is sent again"
        return await self._fail(delivery.id, error, outcome.maybe_sent)

    async def _wait_for_limit(self, record_id: str, outcome: SendFailure) -> Delivery:
        """Back to ``scheduled`` until the network's reset time: nothing is lost."""
        assert outcome.retry_at is not None
        fields = {
            "state": DeliveryState.SCHEDULED.value,
            "not_before": to_iso(outcome.retry_at),
            "error": f"rate limited; it goes out after {to_iso(outcome.retry_at)}",
            "uncertain": outcome.maybe_sent,
        }
        return await self._settle(record_id, fields, "rate limited")

    async def _fail(self, record_id: str, error: str, uncertain: bool = False) -> Delivery:
        fields = {"state": DeliveryState.FAILED.value, "error": error, "uncertain": uncertain}
        return await self._settle(record_id, fields, "failed", error=error)

    async def _confirm(self, record_id: str, published: PublishedReply) -> Delivery:
        fields = {
            "state": DeliveryState.PUBLISHED.value,
            "published_at": to_iso(self.ctx.clock()),
            "external_id": published.external_id,
            "url": published.url,
            "error": None,
            "uncertain": False,
        }
        return await self._settle(record_id, fields, "published", url=published.url)

    async def _settle(
        self, record_id: str, fields: Mapping[str, object], action: str, **detail: object
    ) -> Delivery:
        """Write the outcome, guarded on our claim (a claim we lost is left to its owner)."""
        expect = await self._claims.still_ours(record_id)
        if expect is not None:
            changes = ChangeSet().patch(Collection.DELIVERIES, record_id, fields, expect=expect)
            self.ctx.audit(changes, "delivery", record_id, action, **detail)
            await self.ctx.commit(changes)
        return self.delivery(record_id)


def unexpected_error(exc: Exception) -> str:
    """An error no adapter should raise, in words: its type only (its message may hold a
    request URL, and a token in it)."""
    return f"unexpected error ({type(exc).__name__})"
