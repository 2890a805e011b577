"""Account growth and post performance: follower readings and published posts' counters.

Each account's follower count is read on its own slow schedule (hourly by
default; an account never read is due at once) and kept as a series of
readings, each the count the network gave at that time. Each published post's
counters are read about 1 hour, 24 hours and 7 days after it went out, and
whenever a person asks. A figure a network cannot give stays None.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import from_iso, to_iso
from smm_tui.core.network import PostChannel, PostCounters
from smm_tui.core.posts import Delivery, DeliveryState, FollowerReading
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sources import AccountSource

#: When a published post's counters are read, after it went out.
CHECKPOINTS: tuple[timedelta, ...] = (timedelta(hours=1), timedelta(hours=24), timedelta(days=7))
#: The note on a published post the network no longer finds.
NOT_FOUND = "not found on the account any more (deleted?)"
#: The spans the accounts screen and the Content pane show the change over.
SPANS: tuple[timedelta, ...] = (timedelta(days=1), timedelta(days=7), timedelta(days=30))


@dataclass(frozen=True, slots=True)
class History:
    """One account's follower readings, oldest first."""

    readings: tuple[FollowerReading, ...]

    @property
    def latest(self) -> FollowerReading | None:
        """The newest reading, if any."""
        return self.readings[-1] if self.readings else None

    def change(self, span: timedelta, now: datetime) -> int | None:
        """How the count moved over ``span`` up to now; None without a reading that old."""
        start = now - span
        before = [r for r in self.readings if r.at <= start]
        if not before:
            return None
        return self.readings[-1].followers - before[-1].followers

    def series(self, since: datetime) -> list[int]:
        """The counts read since ``since``, oldest first (for a sparkline)."""
        return [r.followers for r in self.readings if r.at >= since]


class GrowthService:
    """Keeps follower readings and post counters, and says which are due."""

    def __init__(
        self,
        ctx: ServiceContext,
        sources: Mapping[str, AccountSource],
        *,
        every: timedelta = timedelta(hours=1),
    ) -> None:
        self.ctx = ctx
        self.sources = sources
        self.every = every

    # -- followers ------------------------------------------------------------------

    def readings(self, account: str | None = None) -> list[FollowerReading]:
        """Every follower reading (of one account), oldest first."""
        found = [
            FollowerReading.from_record(r)
            for r in self.ctx.repo.records(Collection.FOLLOWERS)
            if account is None or r["account"] == account
        ]
        return sorted(found, key=lambda r: (r.account, r.at))

    def history(self, account: str) -> History:
        """An account's readings, decoded once, to ask several questions of."""
        return History(tuple(self.readings(account)))

    def latest(self, account: str) -> FollowerReading | None:
        """The newest reading of an account, if any."""
        return self.history(account).latest

    def followers_due(self, now: datetime) -> list[str]:
        """The accounts whose count is due: never read, or read longer than ``every`` ago."""
        # Stored times are fixed-width UTC ISO strings: the newest sorts last, undecoded.
        newest: dict[str, str] = {}
        for record in self.ctx.repo.records(Collection.FOLLOWERS):
            newest[record["account"]] = max(record["at"], newest.get(record["account"], ""))
        due = []
        for name in self.sources:
            read_at = from_iso(newest.get(name))
            if read_at is None or now - read_at >= self.every:
                due.append(name)
        return due

    async def read_followers(self, account: str, channel: PostChannel) -> FollowerReading:
        """Ask the network for the account's count now and keep it (AdapterError passes on)."""
        count = await channel.follower_count()
        reading = FollowerReading(account, self.sources[account].platform, self.ctx.clock(), count)
        await self.ctx.commit(ChangeSet().put(Collection.FOLLOWERS, reading.to_record()))
        return reading

    def change(self, account: str, span: timedelta, now: datetime) -> int | None:
        """How the count moved over ``span`` up to now; None without a reading that old."""
        return self.history(account).change(span, now)

    def series(self, account: str, since: datetime) -> list[int]:
        """The counts read since ``since``, oldest first (for a sparkline)."""
        return self.history(account).series(since)

    # -- post counters --------------------------------------------------------------

    def counters_due(self, now: datetime) -> list[Delivery]:
        """Published deliveries whose next counter reading (1 h, 24 h, 7 days) has come."""
        due = []
        for record in self.ctx.repo.records(Collection.DELIVERIES):
            if record.get("state") != DeliveryState.PUBLISHED.value:
                continue  # decode only the published ones: most of a year's are not due
            delivery = Delivery.from_record(record)
            checks = delivery.metrics_checks
            if (
                delivery.state is DeliveryState.PUBLISHED
                and delivery.published_at is not None
                and delivery.external_id
                and checks < len(CHECKPOINTS)
                and now >= delivery.published_at + CHECKPOINTS[checks]
            ):
                due.append(delivery)
        return due

    async def read_counters(
        self, deliveries: Sequence[Delivery], channel: PostChannel, *, scheduled: bool = True
    ) -> list[Delivery]:
        """Read and keep the counters of some of one account's published deliveries.

        ``scheduled`` readings move each one past its checkpoint; an on-demand
        reading (``m``) leaves the schedule as it was. AdapterError passes on.
        """
        wanted = {d.external_id: d for d in deliveries if d.external_id}
        if not wanted:
            return []
        got = await channel.post_counters(list(wanted))
        now = self.ctx.clock()
        changes = ChangeSet()
        for external_id, delivery in wanted.items():
            counters = got.get(external_id)
            if counters is not None:
                fields = _counter_fields(counters, now)
            elif scheduled:
                # Gone from the account (deleted?): its checkpoint passes, or it is due forever.
                fields = {"metrics_note": NOT_FOUND}
            else:
                continue
            if scheduled:
                fields["metrics_checks"] = _checks_passed(delivery, now)
            changes.patch(Collection.DELIVERIES, delivery.id, fields)
        if changes:
            await self.ctx.commit(changes)
        return [self._delivery(d.id) for d in wanted.values()]

    def _delivery(self, record_id: str) -> Delivery:
        return self.ctx.load(Delivery, Collection.DELIVERIES, record_id, "delivery")


def by_account(deliveries: Iterable[Delivery]) -> dict[str, list[Delivery]]:
    """Deliveries grouped by account, in the order met."""
    grouped: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        grouped.setdefault(delivery.account, []).append(delivery)
    return grouped


def _counter_fields(counters: PostCounters, now: datetime) -> dict[str, object]:
    fields = dataclasses.asdict(counters)
    note = fields.pop("note")
    return {**fields, "metrics_note": note, "metrics_at": to_iso(now)}


def _checks_passed(delivery: Delivery, now: datetime) -> int:
    """How many checkpoints lie behind ``now`` (a late reading covers those it missed)."""
    assert delivery.published_at is not None
    return sum(1 for offset in CHECKPOINTS if now >= delivery.published_at + offset)
