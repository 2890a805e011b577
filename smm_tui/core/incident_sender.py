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

The sender runs on the app's event loop and looks for work before every send, so it
never walks every reply stored (a year's tens of thousands): an incident's replies
are known by id, and it reads one a member of the incidents that may have some to
send (open ones, resolved ones with a follow-up), skipping those it found settled
until they change. An error it did not expect (a record it cannot read, a failing
write) is logged with the account and reported once; the account's worker is started
again at the next look, and the other accounts carry on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TypeVar

from smm_tui.core.codec import Recorded
from smm_tui.core.context import NotFound, ServiceContext
from smm_tui.core.incident_progress import current_reply_id
from smm_tui.core.incidents import Incident, IncidentProgress, IncidentService, IncidentState
from smm_tui.core.models import Platform, Reply, ReplyState, from_iso
from smm_tui.core.network import ReplyChannel
from smm_tui.core.outbox import OutboxService
from smm_tui.core.pacing import DEFAULT_PACES, Pace, Pacer
from smm_tui.core.repository import Collection, Record, RepositoryError
from smm_tui.core.sending import Sleep

log = logging.getLogger(__name__)
_R = TypeVar("_R", bound=Recorded)

#: Seconds between looks for new work in the long-running sender (:meth:`IncidentSender.run`).
IDLE_EVERY = 5.0


@dataclass(frozen=True, slots=True)
class SendEvent:
    """One reply the sender settled: sent, failed, or put off by a rate limit."""

    incident_id: str
    reply: Reply
    progress: IncidentProgress


OnProgress = Callable[[SendEvent], None]
#: Told, once each, of an error the long-running sender did not expect: the account
#: whose worker stopped ("" when looking for work failed), and the error.
OnError = Callable[[str, BaseException], None]


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
class _Plan:
    """An account's next reply, and until when nothing may be sent to it."""

    reply: Reply | None = None
    #: The latest rate limit on the account still running.
    blocked_until: datetime | None = None
    #: When a reply put off by a rate limit falls due (none due now).
    wake: datetime | None = None
    elsewhere: int = 0


@dataclass(frozen=True, slots=True)
class _Unsent:
    """A reply of an incident not yet sent, and where its member stands in the incident."""

    incident: Incident
    index: int
    reply: Reply

    @property
    def sendable(self) -> bool:
        """Whether its incident sends now (it is not paused)."""
        return not self.incident.paused


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
        self._pacers: dict[str, Pacer] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._woken = asyncio.Event()
        #: Incidents (id, rev) found with nothing left to send: none is, until they change.
        self._settled: set[tuple[object, object]] = set()
        #: Account ("" for looking for work) → the error last reported for it, said once.
        self._reported: dict[str, str] = {}
        self._on_error: OnError | None = None
        #: Records ("reply ID", "incident ID") that could not be read, logged once each.
        self._unreadable: set[str] = set()

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

    async def run(self, on_progress: OnProgress, on_error: OnError | None = None) -> None:
        """Send due replies forever (for the poller): a worker per account with work, new
        work looked for every :attr:`idle_every` seconds.

        An error it did not expect is logged and told to ``on_error``, once while it
        repeats; looking for work goes on at the next look, and an account's worker that
        stopped on one is started again then.
        """
        self._on_error = on_error
        try:
            while True:
                try:
                    await self._refresh()
                    self._start_workers(on_progress)
                    self._reported.pop("", None)
                except RepositoryError as exc:
                    log.warning("incident replies: %s", exc)
                except Exception as exc:  # one bad record must not stop the sending for good
                    self._report("", exc)
                await self._idle()
        finally:
            for worker in self._workers.values():
                worker.cancel()

    def _start_workers(self, on_progress: OnProgress) -> None:
        for account in self._accounts_with_work(None):
            worker = self._workers.get(account)
            if worker is None or worker.done():
                worker = asyncio.create_task(
                    self._drain(account, on_progress, SendReport(), None, False)
                )
                worker.add_done_callback(partial(self._worker_done, account))
                self._workers[account] = worker

    def _worker_done(self, account: str, worker: asyncio.Task[None]) -> None:
        """Retrieve what a worker ended on: an error is reported, a clean end clears it."""
        error = None if worker.cancelled() else worker.exception()
        if error is None:
            self._reported.pop(account, None)
        else:
            self._report(account, error)

    def _report(self, account: str, error: BaseException) -> None:
        """Log ``error`` with its traceback and tell ``on_error``, unless it is the one
        reported for ``account`` last time (it would come back at every look)."""
        said = f"{type(error).__name__}: {error}"
        if self._reported.get(account) == said:
            log.debug("incident replies to %r: %s, again", account, said)
            return
        self._reported[account] = said
        where = f"to {account}" if account else "(looking for work)"
        log.error("incident replies %s stopped on an error", where, exc_info=error)
        if self._on_error is not None:
            self._on_error(account, error)

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
        for unsent in self._unsent(account):
            reply = unsent.reply
            limit = reply.retry_at if reply.state is ReplyState.FAILED else None
            if limit is not None and limit > now:
                plan.blocked_until = max(limit, plan.blocked_until or limit)
            if not unsent.sendable or (only is not None and unsent.incident.id != only):
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

    def _unsent(self, account: str) -> list[_Unsent]:
        """The account's incident replies not yet sent, in member order."""
        found = [unsent for unsent in self._incident_replies() if unsent.reply.account == account]
        return sorted(found, key=lambda u: (u.index, u.reply.created_at, u.reply.id))

    def _incident_replies(self) -> list[_Unsent]:
        """The replies not yet sent of the incidents that may have some: each read by its
        id, a member at a time (open incidents' replies, resolved ones' follow-ups)."""
        found: list[_Unsent] = []
        for record in self.ctx.repo.records(Collection.INCIDENTS):
            if (record.get("id"), record.get("rev")) in self._settled:
                continue
            incident = self._readable(Incident, record)
            if incident is None:
                continue
            unsent = list(self._unsent_of(incident)) if _may_send(incident) else []
            if not unsent:
                # Only queueing (which changes the incident) gives it a reply to send.
                self._settled.add((incident.id, incident.rev))
            found.extend(unsent)
        return found

    def _unsent_of(self, incident: Incident) -> Iterator[_Unsent]:
        for index, member in enumerate(incident.members):
            record = self.ctx.repo.get(Collection.REPLIES, current_reply_id(incident, member))
            if record is None or record.get("state") == ReplyState.SENT.value:
                continue
            reply = self._readable(Reply, record)
            if reply is not None:
                yield _Unsent(incident, index, reply)

    def _readable(self, model: type[_R], record: Record) -> _R | None:
        """The record read as ``model``, or None (logged once) when it cannot be: one bad
        record must not stop the other replies."""
        try:
            return model.from_record(record)
        except (KeyError, TypeError, ValueError):
            what = f"{model.__name__.lower()} {record.get('id')}"
            if what not in self._unreadable:
                self._unreadable.add(what)
                log.exception("incident replies: the %s cannot be read; left alone", what)
            return None

    def _accounts_with_work(self, only: str | None) -> list[str]:
        accounts = {
            unsent.reply.account
            for unsent in self._incident_replies()
            if unsent.sendable and (only is None or unsent.incident.id == only)
        }
        return sorted(accounts)

    def _pacer(self, account: str) -> Pacer:
        pacer = self._pacers.get(account)
        if pacer is None:
            pacer = self._pacers[account] = self._seeded(account)
        return pacer

    def _seeded(self, account: str) -> Pacer:
        """A pacer that remembers the sends to the account any process has recorded."""
        records = [r for r in self.ctx.repo.records(Collection.REPLIES) if r["account"] == account]
        platform = Platform(records[0]["platform"]) if records else Platform.DEMO
        pacer = Pacer(self.paces.get(platform, DEFAULT_PACES[Platform.DEMO]))
        starts = sorted(_times(records, "claimed_at"))
        pacer.starts.extend(starts)
        ends = [*starts, *_times(records, "sent_at")]
        pacer.last_end = max(ends, default=None)
        # A rate limit a reply outside the incidents met holds for the account too.
        limits = [r for r in records if r["state"] == ReplyState.FAILED.value]
        pacer.blocked_until = max(_times(limits, "retry_at"), default=None)
        return pacer

    async def _refresh(self) -> None:
        """See what other processes wrote (a pause, a reply they settled)."""
        await asyncio.wrap_future(self.ctx.repo.refresh())


def _may_send(incident: Incident) -> bool:
    """Whether the incident may have replies to send: open, or resolved with a follow-up."""
    return incident.state is IncidentState.OPEN or incident.following_up


def _times(records: Iterable[Record], key: str) -> list[datetime]:
    found = (from_iso(record.get(key)) for record in records if record.get(key))
    return [moment for moment in found if moment is not None]
