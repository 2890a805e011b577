"""What replies and posts share on their way out: claims, and a POST repeated only when safe.

Several processes may share a data dir, so starting to send a record is a
claim: a compare-and-set that moves it to its sending state and records the
claiming process (``claimed_by``, ``host:pid``) and when (``claimed_at``).
Only the claimant settles it. A claim whose owner died, or that is older than
:data:`SEND_LEASE`, may be taken over by whoever then checks the network for
the record before anything is sent again.

A POST is repeated automatically only when it certainly did not reach the
network (:class:`NotSent`), or when the network drops repeats of the same key.
Any other failure after the request went out leaves the outcome uncertain.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import to_iso
from smm_tui.core.network import (
    AdapterError,
    NotSent,
    PublishedReply,
    RateLimited,
    TransientError,
)
from smm_tui.core.repository import ChangeSet, Collection

#: How long a claim to send holds even if its owner looks alive.
SEND_LEASE = timedelta(minutes=10)
#: Pauses (seconds) before each automatic repeat of a POST that is safe to repeat.
RETRY_DELAYS: tuple[float, ...] = (1.0, 4.0)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class SendFailure:
    """Why a POST did not give a published id.

    ``maybe_sent``: an attempt may have reached the network (look before sending
    again). ``retry_at``: the network's rate limit, before which nothing is sent.
    """

    error: str
    maybe_sent: bool = False
    retry_at: datetime | None = None


async def post_with_care(
    attempt: Callable[[], Awaitable[PublishedReply]],
    *,
    idempotent: bool,
    retry_delays: Sequence[float] = RETRY_DELAYS,
    sleep: Sleep = asyncio.sleep,
) -> PublishedReply | SendFailure:
    """Call ``attempt`` (one POST), repeating it only while a repeat cannot publish twice.

    Once one attempt may have reached the network, the failure stays
    ``maybe_sent`` whatever the later attempts say.
    """
    maybe_sent = False
    for delay in (*retry_delays, None):
        try:
            return await attempt()
        except RateLimited as exc:
            return SendFailure(str(exc), maybe_sent, exc.retry_at)
        except NotSent as exc:
            error = str(exc)
        except TransientError as exc:
            error, maybe_sent = str(exc), True
            if not idempotent:
                break
        except AdapterError as exc:
            error = str(exc) or type(exc).__name__
            break
        if delay is None:
            break
        await sleep(delay)
    return SendFailure(error, maybe_sent)


class Claims:
    """Claims on the records of one collection that move through a sending state."""

    def __init__(self, ctx: ServiceContext, collection: Collection, sending: str) -> None:
        self.ctx = ctx
        self.collection = collection
        self.sending = sending

    def abandoned(self, claimed_by: str | None, claimed_at: datetime | None) -> bool:
        """Whether a claim may be taken over: nobody holds it, its holder is not
        alive, or it is older than :data:`SEND_LEASE`."""
        if claimed_by is None or claimed_at is None:
            return True
        if self.ctx.clock() - claimed_at >= SEND_LEASE:
            return True
        return not self.ctx.owner_alive(claimed_by)

    async def claim(
        self,
        record_id: str,
        state: str,
        attempts: int,
        also: Mapping[str, object] | None = None,
        expect: Mapping[str, object] | None = None,
    ) -> bool:
        """Move a record from ``state`` to sending in our name; False if someone was first.

        ``also`` sets more fields in the same write (when the attempt began);
        ``expect`` guards on more fields (the revision that was read, so a
        record changed meanwhile is not sent as it was).
        """
        fields = {**(also or {}), "state": self.sending, "attempts": attempts + 1}
        guard = {**(expect or {}), "state": state, "attempts": attempts}
        return await self._commit(record_id, fields, guard)

    async def take_over(self, record_id: str) -> bool:
        """Put an abandoned sending claim in our name; False if it changed meanwhile."""
        record = self.ctx.repo.get(self.collection, record_id)
        if record is None:
            return False
        expect = {
            "state": self.sending,
            "claimed_by": record.get("claimed_by"),
            "rev": record.get("rev"),
        }
        return await self._commit(record_id, {}, expect)

    async def still_ours(self, record_id: str) -> dict[str, object] | None:
        """The guard that settles our claim, or None when the claim is no longer ours.

        Checked on fresh state first, so that the audit event and other changes
        committed with the outcome are not written for a claim we lost.
        """
        expect: dict[str, object] = {"state": self.sending, "claimed_by": self.ctx.owner}
        await asyncio.wrap_future(self.ctx.repo.refresh())
        record = self.ctx.repo.get(self.collection, record_id)
        if record is None or any(record.get(k) != v for k, v in expect.items()):
            return None
        return expect

    async def _commit(
        self, record_id: str, fields: Mapping[str, object], expect: Mapping[str, object]
    ) -> bool:
        now = to_iso(self.ctx.clock())
        claim = {**fields, "claimed_by": self.ctx.owner, "claimed_at": now}
        changed = await self.ctx.commit(
            ChangeSet().patch(self.collection, record_id, claim, expect=expect)
        )
        return bool(changed.applied)
