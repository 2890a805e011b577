"""The publishing loop: due posts out on time, and follower counts and counters read.

It runs in whichever smm-tui holds the poller lease (the app or ``smm-tui
poll``), so one process publishes. It wakes at the next post's time (and at
least every :data:`MAX_WAIT` seconds, for posts scheduled elsewhere), never
sends before the time, and reads growth on its own slower beat. At start it
holds posts that are more than the late limit overdue (a person confirms them)
and says in one line how many overdue ones it is publishing now.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from smm_tui.core.growth import GrowthService, by_account
from smm_tui.core.network import AdapterError
from smm_tui.core.posts import Delivery
from smm_tui.core.publisher import Publisher, unexpected_error
from smm_tui.core.repository import RepositoryError
from smm_tui.core.sanitize import one_line
from smm_tui.core.sending import Sleep
from smm_tui.core.sources import AccountSource
from smm_tui.core.wording import plural

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The longest the loop sleeps, so a post scheduled by another process is seen in time.
MAX_WAIT = 1.0
#: How often follower counts and post counters are checked for being due (seconds).
NUMBERS_EVERY = 60.0
#: A post this much overdue at start fell due while nothing was running.
MISSED = timedelta(seconds=30)


@dataclass(slots=True)
class NumbersReport:
    """What one reading of follower counts and post counters did."""

    followers: list[str] = field(default_factory=list)
    counters: int = 0
    errors: list[str] = field(default_factory=list)


class PublishingEngine:
    """Publishes due deliveries and reads growth, for the process that holds the poller lease."""

    def __init__(
        self,
        publisher: Publisher,
        growth: GrowthService,
        sources: Mapping[str, AccountSource],
        clock: Callable[[], datetime],
        *,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.publisher = publisher
        self.growth = growth
        self.sources = sources
        self.clock = clock
        self._sleep = sleep

    # -- one pass -------------------------------------------------------------------

    async def start_notice(self) -> str | None:
        """Hold posts past the late limit; one line on what was missed, or None."""
        now = self.clock()
        held = await self.publisher.hold_late(now)
        missed = [
            d for d in self.publisher.due(now) if d.scheduled_at and d.scheduled_at < now - MISSED
        ]
        parts = []
        if missed:
            parts.append(
                f"{plural(len(missed), 'post')} fell due while smm-tui was not running: "
                "publishing now"
            )
        if held:
            hours = self.publisher.late_limit.total_seconds() / 3600
            parts.append(
                f"{plural(len(held), 'post')} more than {hours:g} h late "
                f"{'waits' if len(held) == 1 else 'wait'} for you to confirm (Content pane, p)"
            )
        return "; ".join(parts) or None

    async def publish_due(self) -> list[Delivery]:
        """Send every due delivery now: accounts side by side, one account's in order."""
        due = self.publisher.due(self.clock())
        groups = by_account(due)
        results = await asyncio.gather(*(self._send(name, group) for name, group in groups.items()))
        return [delivery for settled in results for delivery in settled]

    async def _send(self, account: str, deliveries: Sequence[Delivery]) -> list[Delivery]:
        source = self.sources.get(account)
        if source is None:
            return []  # the account left the config: its posts wait, visibly scheduled
        settled = []
        for delivery in deliveries:
            try:
                settled.append(await self.publisher.send(delivery.id, source))
            except RepositoryError as exc:
                log.warning("publishing %s: %s", delivery.id, exc)
            except Exception:  # a bug must not stop the account's other posts, or the loop
                log.exception("publishing %s failed", delivery.id)
        return settled

    async def read_numbers(self) -> NumbersReport:
        """Read the follower counts and post counters that are due; errors as lines."""
        report = NumbersReport()
        now = self.clock()
        for name in self.growth.followers_due(now):
            if (source := self.sources.get(name)) is None:
                continue
            reading = self.growth.read_followers(name, source)
            if await _reading(report, name, "followers", reading) is not None:
                report.followers.append(name)
        for name, deliveries in by_account(self.growth.counters_due(now)).items():
            if (source := self.sources.get(name)) is None:
                continue
            read = await _reading(
                report, name, "counters", self.growth.read_counters(deliveries, source)
            )
            report.counters += len(read or ())
        return report

    # -- running --------------------------------------------------------------------

    async def run(
        self,
        settled: Callable[[Delivery], None],
        notice: Callable[[str], None],
    ) -> None:
        """Publish on time and read the numbers until cancelled; tell the listeners."""
        line = await self.start_notice()
        if line:
            notice(line)
        await asyncio.gather(self._publish_loop(settled), self._numbers_loop(notice))

    async def _publish_loop(self, settled: Callable[[Delivery], None]) -> None:
        while True:
            began = self.clock()
            try:
                # Posts scheduled by another smm-tui on this data dir are due here too.
                await asyncio.wrap_future(self.publisher.ctx.repo.refresh())
                for delivery in await self.publish_due():
                    settled(delivery)
            except RepositoryError as exc:
                log.warning("publishing: %s", exc)
            await self._sleep(self._wait(began))

    def _wait(self, began: datetime) -> float:
        """Seconds until the next post is due, at most :data:`MAX_WAIT`.

        Those due when the pass ``began`` had their turn: one that is still
        scheduled (its account left the config) must not make the loop spin.
        """
        next_at = self.publisher.next_due_at(after=began)
        if next_at is None:
            return MAX_WAIT
        return min(max((next_at - self.clock()).total_seconds(), 0.0), MAX_WAIT)

    async def _numbers_loop(self, notice: Callable[[str], None]) -> None:
        while True:
            try:
                report = await self.read_numbers()
            except RepositoryError as exc:
                log.warning("reading growth: %s", exc)
            else:
                for error in report.errors:
                    log.info("growth: %s", error)
            await self._sleep(NUMBERS_EVERY)


async def _reading(report: NumbersReport, account: str, what: str, work: Awaitable[T]) -> T | None:
    """``work``'s result, or None with a line in ``report`` saying why it failed.

    An adapter's bug is reported too: the other accounts are still read.
    """
    try:
        return await work
    except AdapterError as exc:
        report.errors.append(f"{account}: {what} not read: {one_line(str(exc))}")
    except Exception as exc:
        log.exception("reading %s's %s failed", account, what)
        report.errors.append(f"{account}: {what} not read: {unexpected_error(exc)}")
    return None
