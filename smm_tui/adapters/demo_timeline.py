"""When each comment of a demo account's stream is written.

Items 1 to ``history`` lie in the fortnight before the backlog (most of them before
today's shift), the next ``backlog`` items in the window just before ``start``,
and live items follow with exponential gaps, as on a busy brand page. An outage's
burst (:mod:`smm_tui.adapters.demo_outage`) takes its place among the live items at
the times it was planned for; the regular items keep theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from smm_tui.adapters.demo_identities import Seed

__all__ = ["HISTORY_SPAN", "Timeline"]

#: How far back a working day's history reaches.
HISTORY_SPAN = timedelta(days=14)
#: The share of the history written in the last 20 hours (today's shift), the rest before.
_TODAY_SHARE = 0.3
_TODAY = timedelta(hours=20)


class Timeline:
    """When each item of one account's stream is written, around ``start``."""

    def __init__(
        self,
        seed: Seed,
        *,
        history: int,
        backlog: int,
        backlog_window: timedelta,
        rate_per_minute: float,
        start: datetime,
        outage: Sequence[float] = (),
    ) -> None:
        """``outage``: when each comment of an outage's burst is written, in seconds after
        ``start``, in order (none by default)."""
        #: How many items come before the backlog: never fetched as new.
        self.history = history
        self._seed = seed
        self._backlog = backlog
        self._backlog_window_s = backlog_window.total_seconds()
        self._rate = rate_per_minute
        self._start = start
        # Moves the whole timeline earlier when a cursor from a previous run is ahead of it.
        self._shift_s = 0.0
        self._live_offsets: list[float] = []
        # Gaps are drawn in order as the offsets cache grows, so any instance draws the same.
        self._gap_rng = seed.rng("gaps")
        self._regular_last = 0.0
        self._regular_next: float | None = None
        self._outage = tuple(outage)
        #: Live item (from 1) → its place in the outage's burst, for the burst's items.
        self._outage_items: dict[int, int] = {}
        self._history_offsets = self._build_history_offsets()

    def time_of(self, number: int) -> datetime:
        """When item ``number`` was written; history and backlog lie before ``start``."""
        return self._start + timedelta(seconds=self.offset_s(number) + self._shift_s)

    def before_start(self, age_s: float) -> datetime:
        """The moment ``age_s`` seconds before ``start``, moved with the timeline."""
        return self._start + timedelta(seconds=self._shift_s - age_s)

    def offset_s(self, number: int) -> float:
        """Seconds from ``start`` (negative before it) to item ``number``, as first laid out."""
        if number <= self.history:
            return self._history_offsets[number - 1]
        backlog = number - self.history
        if backlog <= self._backlog:
            jitter = self._seed.rng("when", number).uniform(-0.35, 0.35)
            slots = self._backlog - backlog + 0.5 + jitter
            return -self._backlog_window_s * slots / self._backlog
        live = backlog - self._backlog
        while len(self._live_offsets) < live:
            self._lay_next_live()
        return self._live_offsets[live - 1]

    def outage_item(self, number: int) -> int | None:
        """The place in the outage's burst of item ``number``, or None for a regular item."""
        live = number - self.history - self._backlog
        if live < 1 or not self._outage:
            return None
        self.offset_s(number)
        return self._outage_items.get(live)

    def _lay_next_live(self) -> None:
        """The next live item: the outage's next comment if it comes first, else a regular one."""
        if self._regular_next is None:
            gap = self._gap_rng.expovariate(self._rate / 60)
            self._regular_next = self._regular_last + gap
        taken = len(self._outage_items)
        if taken < len(self._outage) and self._outage[taken] < self._regular_next:
            self._live_offsets.append(self._outage[taken])
            self._outage_items[len(self._live_offsets)] = taken
            return
        self._live_offsets.append(self._regular_next)
        self._regular_last, self._regular_next = self._regular_next, None

    def rebase_if_ahead(self, last: int, now: datetime) -> None:
        """Move the timeline earlier so that item ``last`` was written by ``now``."""
        # A restarted app brings a cursor its new timeline has not reached yet; without
        # this, the stream would stay silent until the new clock caught up with it.
        if last <= self.history + self._backlog:
            return
        ahead = self.time_of(last) - now
        if ahead > timedelta(0):
            self._shift_s -= ahead.total_seconds()

    def _build_history_offsets(self) -> list[float]:
        """Seconds before ``start`` of each history comment, oldest first."""
        rng = self._seed.rng("history")
        newest = self._backlog_window_s + 60
        today = _TODAY.total_seconds()
        offsets = []
        for _ in range(self.history):
            if rng.random() < _TODAY_SHARE:
                offsets.append(-rng.uniform(newest, today))
            else:
                offsets.append(-rng.uniform(today, HISTORY_SPAN.total_seconds()))
        return sorted(offsets)
