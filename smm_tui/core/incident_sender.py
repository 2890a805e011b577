"""Sending an incident's replies: every account at once, each one's replies in turn, paced.

Hundreds of replies in a few minutes look like spam to a network, and each network
limits how fast one account may write. So each account's replies go one after
another, no closer than its network's :class:`Pace` allows, while different accounts
send at the same time. A pace is at most ``count`` sends per ``window`` and at least
``gap`` from the end of one send to the start of the next; ``[incidents] per_minute``
in the config sets another for a network.

Everything goes through :meth:`OutboxService.send`, so each reply is claimed before
its POST, settled after it, and never published twice. What the networks say is
honoured across processes: a reply turned away by a rate limit keeps the limit's end
(``retry_at``) on its record, nothing more goes to that account before it, and the
reply is sent again then, by itself, since it was not published. A reply left
``sending`` by a process that died is recovered (looked for in its thread first).
One that failed in a way only a person can settle waits for them, as the outbox
always has them do. A paused incident sends nothing more from its next reply on.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from smm_tui.core.context import NotFound, ServiceContext
from smm_tui.core.incidents import IncidentProgress, IncidentService, IncidentState
from smm_tui.core.models import Platform, Reply, ReplyState, from_iso
from smm_tui.core.network import ReplyChannel
from smm_tui.core.outbox import OutboxService
from smm_tui.core.repository import Collection, Record, RepositoryError
from smm_tui.core.sending import Sleep

log = logging.getLogger(__name__)

#: Seconds between looks for new work in the long-running sender (:meth:`IncidentSender.run`).
IDLE_EVERY = 5.0


@dataclass(frozen=True, slots=True)
class Pace:
    """How fast one account may be sent replies: at most ``count`` per ``window``, and
    ``gap`` from the end of one send to the start of the next."""

    count: int
    window: timedelta
    gap: timedelta

    @classmethod
    def per_minute(cls, count: float) -> Pace:
        """``count`` a minute, evenly spread (``[incidents] per_minute``)."""
        return cls(max(1, int(count)), timedelta(minutes=1), timedelta(seconds=60 / count))


#: Each network's pace, under its documented limits (``docs/platform-apis.md`` for the
#: replies, ``docs/publishing-apis.md`` for writes in general).
DEFAULT_PACES: Mapping[Platform, Pace] = MappingProxyType(
    {
        # platform-apis.md, VK "Errors & rate limits": 3 requests a second per client
        # [V11]; a community token's limit is unknown, and repeated comments meet flood
        # control (error 9). So one a second, and 20 a minute.
        Platform.VK: Pace(20, timedelta(minutes=1), timedelta(seconds=1)),
        # publishing-apis.md: creating posts is limited to 100 per 15 minutes per user
        # [PX6] (platform-apis.md saw 200 per 15 minutes on an app [X2]: the lower holds).
        Platform.X: Pace(100, timedelta(minutes=15), timedelta(seconds=3)),
        # publishing-apis.md: statuses 300 per 3 hours [PM7], and 300 requests per
        # 5 minutes per account [PM6] shared with polling: one every 2 seconds at most.
        Platform.MASTODON: Pace(300, timedelta(hours=3), timedelta(seconds=2)),
        # platform-apis.md, Bluesky: writes are 5,000 points an hour per account and a
        # create costs 3 (about 1,666 posts an hour) [B8]; one a second under that.
        Platform.BLUESKY: Pace(1600, timedelta(hours=1), timedelta(seconds=1)),
        # platform-apis.md, Telegram: about 1 message a second per chat and 20 a minute
        # per group (guidance, unverified ✖); the replies mostly go to one group.
        Platform.TELEGRAM: Pace(20, timedelta(minutes=1), timedelta(seconds=1)),
        # The demo's simulated accounts have no limits: fast enough to watch.
        Platform.DEMO: Pace(120, timedelta(minutes=1), timedelta(seconds=0.5)),
    }
)


@dataclass(frozen=True, slots=True)
class SendEvent:
    """One reply the sender settled: sent, failed, or put off by a rate limit."""

    incident_id: str
    reply: Reply
    progress: IncidentProgress


OnProgress = Callable[[SendEvent], None]


@dataclass(slots=True)
class SendReport:
    """What :meth:`IncidentSender.send_all` did."""

    sent: int = 0
    #: Reply id → the reply, for those that failed and wait for a person.
    failed: dict[str, Reply] = field(default_factory=dict)
    #: Accounts with replies to send that have no adapter here (not configured, no token).
    no_account: set[str] = field(default_factory=set)
    #: Replies another live process is sending.
    elsewhere: int = 0
    #: Replies whose mention is no longer stored.
    gone: int = 0


@dataclass(slots=True)
class _Pacer:
    """When an account may be sent its next reply."""

    pace: Pace
    starts: deque[datetime] = field(default_factory=deque)
    last_end: datetime | None = None

    def ready_at(self, now: datetime) -> datetime:
        while self.starts and self.starts[0] <= now - self.pace.window:
            self.starts.popleft()
        at = now
        if self.last_end is not None:
            at = max(at, self.last_end + self.pace.gap)
        if len(self.starts) >= self.pace.count:
            at = max(at, self.starts[-self.pace.count] + self.pace.window)
        return at


@dataclass(slots=True)
class _Plan:
    """An account's next reply, and until when nothing may be sent to it."""

    reply: Reply | None = None
    #: The latest rate limit on the account still running.
    blocked_until: datetime | None = None
    #: When a reply put off by a rate limit falls due (none due now).
    wake: datetime | None = None
    elsewhere: int = 0


class IncidentSender:
    """Sends the replies of open, unpaused incidents (and resolved ones' follow-ups)."""

    def __init__(
        self,
        ctx: ServiceContext,
        outbox: OutboxService,
        incidents: IncidentService,
        sources: Mapping[str, ReplyChannel],
        paces: Mapping[Platform, Pace] = DEFAULT_PACES,
        *,
        sleep: Sleep = asyncio.sleep,
        idle_every: float = IDLE_EVERY,
    ) -> None:
        self.ctx = ctx
        self.outbox = outbox
        self.incidents = incidents
        self.sources = sources
        self.paces = {**DEFAULT_PACES, **paces}
        self.idle_every = idle_every
        self._sleep = sleep
        self._pacers: dict[str, _Pacer] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._woken = asyncio.Event()

    async def send_all(
        self,
        on_progress: OnProgress,
        *,
        incident_id: str | None = None,
        retry_failed: bool = False,
    ) -> SendReport:
        """Send what is due (of one incident, or of all) until nothing is: rate limits are
        waited out. ``retry_failed`` also sends failed replies again, once each, unless
        only a person can (this is a person asking)."""
        report = SendReport()
        await self._refresh()
        accounts = self._accounts_with_work(incident_id)
        await asyncio.gather(
            *(
                self._drain(account, on_progress, report, incident_id, retry_failed)
                for account in accounts
            )
        )
        return report

    async def run(self, on_progress: OnProgress) -> None:
        """Send due replies forever (for the poller): a worker per account with work, new
        work looked for every :attr:`idle_every` seconds."""
        try:
            while True:
                try:
                    await self._refresh()
                    for account in self._accounts_with_work(None):
                        worker = self._workers.get(account)
                        if worker is None or worker.done():
                            self._workers[account] = asyncio.create_task(
                                self._drain(account, on_progress, SendReport(), None, False)
                            )
                except RepositoryError as exc:
                    log.warning("incident replies: %s", exc)
                await self._idle()
        finally:
            for worker in self._workers.values():
                worker.cancel()

    def wake(self) -> None:
        """Look for new work now rather than at the next :attr:`idle_every` (replies were
        just queued, or an incident was resumed); call it on the sender's event loop."""
        self._woken.set()

    async def _idle(self) -> None:
        """Wait :attr:`idle_every` seconds, or until :meth:`wake`."""
        sleeping = asyncio.ensure_future(self._sleep(self.idle_every))
        woken = asyncio.ensure_future(self._woken.wait())
        try:
            await asyncio.wait({sleeping, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeping.cancel()
            woken.cancel()
            self._woken.clear()

    # -- one account --------------------------------------------------------------

    async def _drain(
        self,
        account: str,
        on_progress: OnProgress,
        report: SendReport,
        only: str | None,
        retry_failed: bool,
    ) -> None:
        """Send the account's due replies in order, paced, until none is due or waiting.

        A failed reply is sent again (with ``retry_failed``) once: one that failed in
        this run is not, unless it failed when it was recovered from a process that died.
        """
        tried: set[str] = set()
        stale = True
        while True:
            if stale:
                await self._refresh()
            # A send ends by re-reading the store (the outbox checks its claim is still
            # ours), so only a wait leaves the view stale: a pause made meanwhile.
            stale = True
            plan = self._plan(account, only, retry_failed, tried)
            if plan.reply is None and plan.wake is None:
                report.elsewhere += plan.elsewhere
                return
            channel = self.sources.get(account)
            if channel is None:
                report.no_account.add(account)
                return
            now = self.ctx.clock()
            start = max(self._pacer(account).ready_at(now), plan.blocked_until or now)
            if plan.reply is None and plan.wake is not None:
                start = max(start, plan.wake)
            if start > now:
                # Then look again: the incident may have been paused meanwhile.
                await self._sleep((start - now).total_seconds())
                continue
            assert plan.reply is not None
            if plan.reply.state is not ReplyState.SENDING:
                tried.add(plan.reply.id)
            settled = await self._send(account, plan.reply, channel)
            stale = False
            if settled is None:
                tried.add(plan.reply.id)
                report.gone += 1
            else:
                self._tell(settled, report, on_progress)

    async def _send(self, account: str, reply: Reply, channel: ReplyChannel) -> Reply | None:
        pacer = self._pacer(account)
        pacer.starts.append(self.ctx.clock())
        try:
            return await self.outbox.send(reply.id, channel)
        except NotFound as exc:  # its mention is gone from the store
            log.warning("incident reply %s: %s", reply.id, exc)
            return None
        finally:
            pacer.last_end = self.ctx.clock()

    def _tell(self, settled: Reply, report: SendReport, on_progress: OnProgress) -> None:
        report.failed.pop(settled.id, None)
        if settled.state is ReplyState.SENT:
            report.sent += 1
        elif settled.state is ReplyState.FAILED and settled.retry_at is None:
            report.failed[settled.id] = settled
        assert settled.incident_id is not None
        progress = self.incidents.progress(settled.incident_id)
        on_progress(SendEvent(settled.incident_id, settled, progress))

    def _plan(self, account: str, only: str | None, retry_failed: bool, tried: set[str]) -> _Plan:
        """The account's next reply due now, the rate limit on it, or when one falls due."""
        now = self.ctx.clock()
        plan = _Plan()
        phases = self._phases(only)
        for reply in self._unsent(account):
            limit = reply.retry_at if reply.state is ReplyState.FAILED else None
            if limit is not None and limit > now:
                plan.blocked_until = max(limit, plan.blocked_until or limit)
            if not _in_phase(reply, phases):
                continue
            if reply.state is ReplyState.SENDING and not self.outbox.abandoned(reply):
                plan.elsewhere += 1
                continue
            due = self._due_at(reply, now, retry_failed, tried)
            if due is None:
                continue
            if due <= now:
                plan.reply = plan.reply or reply
            else:
                plan.wake = min(due, plan.wake or due)
        return plan

    def _due_at(
        self, reply: Reply, now: datetime, retry_failed: bool, tried: set[str]
    ) -> datetime | None:
        """When ``reply`` should be sent (now, or when its rate limit ends), or None."""
        if reply.state is ReplyState.SENDING:
            return now
        if reply.state is ReplyState.QUEUED:
            return None if reply.id in tried else now
        if self.outbox.needs_force(reply):
            return None
        if reply.retry_at is not None:
            return reply.retry_at
        return now if retry_failed and reply.id not in tried else None

    def _unsent(self, account: str) -> list[Reply]:
        """The account's replies not yet sent, incidents' in member order."""
        found = [
            Reply.from_record(record)
            for record in self.ctx.repo.records(Collection.REPLIES)
            if record["account"] == account and record["state"] != ReplyState.SENT.value
        ]
        order = self._member_order()
        return sorted(found, key=lambda r: (order.get(r.id, (1, 0)), r.created_at, r.id))

    def _member_order(self) -> dict[str, tuple[int, int]]:
        order: dict[str, tuple[int, int]] = {}
        for incident in self.incidents.all():
            for index, member in enumerate(incident.members):
                order[f"{incident.id}.r.{member}"] = order[f"{incident.id}.f.{member}"] = (
                    0,
                    index,
                )
        return order

    def _phases(self, only: str | None) -> set[str]:
        """The reply-id prefixes to send: an open incident's replies, a resolved one's
        follow-ups; none of a paused one."""
        return {
            f"{incident.id}.{'f' if incident.state is IncidentState.RESOLVED else 'r'}."
            for incident in self.incidents.all()
            if not incident.paused and (only is None or incident.id == only)
        }

    def _accounts_with_work(self, only: str | None) -> list[str]:
        phases = self._phases(only)
        accounts = {
            str(record["account"])
            for record in self.ctx.repo.records(Collection.REPLIES)
            if record["state"] != ReplyState.SENT.value and _record_in_phase(record, phases)
        }
        return sorted(accounts)

    def _pacer(self, account: str) -> _Pacer:
        pacer = self._pacers.get(account)
        if pacer is None:
            pacer = self._pacers[account] = self._seeded(account)
        return pacer

    def _seeded(self, account: str) -> _Pacer:
        """A pacer that remembers the sends to the account any process has recorded."""
        records = [r for r in self.ctx.repo.records(Collection.REPLIES) if r["account"] == account]
        platform = Platform(records[0]["platform"]) if records else Platform.DEMO
        pacer = _Pacer(self.paces.get(platform, DEFAULT_PACES[Platform.DEMO]))
        starts = sorted(_times(records, "claimed_at"))
        pacer.starts.extend(starts)
        ends = [*starts, *_times(records, "sent_at")]
        pacer.last_end = max(ends, default=None)
        return pacer

    async def _refresh(self) -> None:
        """See what other processes wrote (a pause, a reply they settled)."""
        await asyncio.wrap_future(self.ctx.repo.refresh())


def _in_phase(reply: Reply, phases: set[str]) -> bool:
    return reply.incident_id is not None and reply.id[: reply.id.rfind(".") + 1] in phases


def _record_in_phase(record: Record, phases: set[str]) -> bool:
    reply_id = str(record["id"])
    return bool(record.get("incident_id")) and reply_id[: reply_id.rfind(".") + 1] in phases


def _times(records: Iterable[Record], key: str) -> list[datetime]:
    found = (from_iso(record.get(key)) for record in records if record.get(key))
    return [moment for moment in found if moment is not None]
