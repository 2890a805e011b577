"""Live spike alerts: the poller's watch over the mentions it stores, and the alerts it raises.

:class:`AlertWatch` runs a :class:`~smm_tui.core.spikes.SpikeWatch` in a running
process (the one that polls):

- :meth:`~AlertWatch.warm` counts the stored mentions of the last 8 days (it
  blocks: run it in a thread, once the archive is read);
- :meth:`~AlertWatch.arrived` is handed the ids ingest inserted, from the store's
  writer thread: it only queues them;
- :meth:`~AlertWatch.check` counts what was queued, asks the watch what spikes
  now, and stores each new alert once (:class:`~smm_tui.core.alerts.AlertBook`),
  with the examples and the query that open its mentions. It blocks too.

Warming and checking take turns under one lock; queuing needs none of it, so
the writer thread never waits on a check.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Final

from smm_tui.core.alerts import ON_STRIP, AlertBook, SpikeAlert
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Mention, Sentiment
from smm_tui.core.repository import Changed, Collection
from smm_tui.core.spike_counts import BUCKET, BUCKET_SECONDS, bucket_index
from smm_tui.core.spikes import KEEP, Alert, Kind, SpikeWatch, TrendSettings, term_key, text_terms
from smm_tui.core.trend_view import stored_since

#: The longest wait between two checks of a running watch, polls or not.
CHECK_EVERY: Final = 60.0
#: How many example mention ids an alert keeps.
EXAMPLES: Final = 5


class AlertWatch:
    """Warms a spike watch from the store, feeds it what arrives, and stores what it raises."""

    def __init__(
        self,
        ctx: ServiceContext,
        settings: TrendSettings,
        book: AlertBook | None = None,
        *,
        counting_from: datetime | None = None,
    ) -> None:
        """``counting_from``: count only mentions written from then on (the demo's live
        stream: its stored fortnight is a sparse sample that every live minute would beat)."""
        self._ctx = ctx
        self.settings = settings
        self._counting_from = counting_from
        self._book = book or AlertBook(ctx)
        self._watch = SpikeWatch(settings)
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._pending_lock = threading.Lock()
        #: The mentions counted that may still be in a window: an alert's examples.
        self._recent: list[Mention] = []
        self._warmed = False

    @property
    def warmed(self) -> bool:
        """Whether :meth:`warm` has run (no check raises anything before)."""
        return self._warmed

    def arrived(self, changed: Changed) -> None:
        """Queue the mentions a change inserted (safe from any thread; never waits long)."""
        ids = changed.inserted(Collection.MENTIONS)
        if ids:
            with self._pending_lock:
                self._pending.extend(ids)

    def warm(self) -> int:
        """Count the stored mentions of the last 8 days; returns how many (blocking).

        The warm-up counts from the oldest mention stored, so a store with a week's
        history alerts at once.
        """
        with self._lock:
            now = self._ctx.clock()
            records = self._ctx.repo.records(Collection.MENTIONS)
            start = now - KEEP
            if self._counting_from is not None:
                start = max(start, self._counting_from)
            oldest, recent = stored_since(records, start)
            self._watch = SpikeWatch(self.settings, since=self._counting_from or oldest)
            self._watch.add(recent)
            self._remember(recent, now)
            self._warmed = True
            return len(recent)

    def check(self) -> list[SpikeAlert]:
        """Count what arrived, and store the alerts raised now; returns those stored (blocking).

        Before :meth:`warm` has run it does nothing: what arrived stays queued.
        """
        with self._lock:
            if not self._warmed:
                return []
            mentions = self._take_arrived()
            if self._counting_from is not None:
                mentions = [m for m in mentions if m.created_at >= self._counting_from]
            self._watch.add(mentions)
            now = self._ctx.clock()
            self._remember(mentions, now)
            raised = [self._record(alert) for alert in self._watch.alerts(now)]
        if not raised:
            return []
        return self._book.store(raised, repeat_after=ON_STRIP)

    def _take_arrived(self) -> list[Mention]:
        with self._pending_lock:
            ids, self._pending = self._pending, []
        found = (self._ctx.repo.get(Collection.MENTIONS, mention_id) for mention_id in ids)
        return sorted(
            (Mention.from_record(record) for record in found if record is not None),
            key=lambda mention: mention.created_at,
        )

    def _remember(self, mentions: Iterable[Mention], now: datetime) -> None:
        """Keep the mentions a window ending now or later can hold, and no older."""
        start = _window_start(now, self.settings) - BUCKET
        kept = [m for m in self._recent if m.created_at >= start]
        kept.extend(m for m in mentions if m.created_at >= start)
        self._recent = kept

    def _record(self, alert: Alert) -> SpikeAlert:
        """The alert with its mentions in the window: the first one's time, the newest ids."""
        start = _window_start(alert.at, self.settings)
        matching = [
            m for m in self._recent if start <= m.created_at <= alert.at and _belongs(m, alert)
        ]
        matching.sort(key=lambda m: m.created_at, reverse=True)
        since = matching[-1].created_at if matching else start
        return SpikeAlert.raised(alert, since, (m.id for m in matching[:EXAMPLES]))


def _window_start(now: datetime, settings: TrendSettings) -> datetime:
    """The start of the window a check at ``now`` looks at (whole buckets, as the watch's)."""
    buckets = max(1, math.ceil(settings.window / BUCKET))
    first = bucket_index(now) - buckets + 1
    return datetime.fromtimestamp(first * BUCKET_SECONDS, now.tzinfo)


def _belongs(mention: Mention, alert: Alert) -> bool:
    """Whether a mention counts in an alert's scope and series."""
    kind, scope = alert.scope[0], alert.scope[1:]
    if kind == "network" and mention.platform.value != scope[0]:
        return False
    if kind == "account" and mention.account != scope[0]:
        return False
    if alert.kind is Kind.NEGATIVE:
        return mention.sentiment is Sentiment.NEGATIVE
    if alert.kind is Kind.TERM:
        key = term_key(alert.term)
        return any(found == key for found, _ in text_terms(mention.text))
    return True
