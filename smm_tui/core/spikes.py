"""Spikes in the mention stream: volume, the share of negative tone, and terms.

Each mention is counted, by its creation time, into a 5-minute bucket of three
scopes: the whole brand, its network and its account. A bucket holds the
mention count, how many had a known tone and how many of those were negative,
and how many mentions used each term (a folded word's stem, or a hashtag), each
term once per mention. Buckets older than 8 days are dropped, so the memory
and the work per batch stay bounded whatever the store holds.

At each check the last ``window`` of buckets is tested against the 7 days
before it (the baseline). The method, its parameters and the false-alert rate
measured on synthetic streams are written up in ``docs/trends.md``; in short:

* volume and terms: a Poisson test against a time-of-day-aware rate;
* negative share: a one-sided binomial test against the 7-day share;
* always with a minimum count, so a few mentions are never a spike.

An alert is raised once per episode, and none during quiet hours (counting goes
on). Nothing here reads a clock: the caller passes ``now``.

This module holds the watch and its settings; the buckets and terms it counts
are in :mod:`smm_tui.core.spike_counts` and the tail probabilities in
:mod:`smm_tui.core.tails`, their public names re-exported here.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Final

from smm_tui.core.models import Mention, Sentiment
from smm_tui.core.spike_counts import BASELINE as BASELINE
from smm_tui.core.spike_counts import (
    BASELINE_BUCKETS,
    BUCKET_HOURS,
    BUCKET_SECONDS,
    KEEP_BUCKETS,
    Bucket,
    bucket_index,
    hour_of,
)
from smm_tui.core.spike_counts import BRAND as BRAND
from smm_tui.core.spike_counts import BUCKET as BUCKET
from smm_tui.core.spike_counts import KEEP as KEEP
from smm_tui.core.spike_counts import STOP_WORDS as STOP_WORDS
from smm_tui.core.spike_counts import Scope as Scope
from smm_tui.core.spike_counts import term_key as term_key
from smm_tui.core.spike_counts import text_terms as text_terms
from smm_tui.core.tails import binomial_tail as binomial_tail
from smm_tui.core.tails import poisson_tail as poisson_tail

_PRUNE_EVERY: Final = 12
#: A week without a single mention is read as half a mention: an expected count is never 0.
_EMPTY_WEEK_COUNT: Final = 0.5
_FORMS_LIMIT: Final = 100_000


class Kind(enum.StrEnum):
    """What spiked."""

    VOLUME = "volume"
    NEGATIVE = "negative"
    TERM = "term"


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily span of local wall time (``start`` up to ``end``; it may cross midnight)."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """``"22:00-08:00"``; ValueError says what is wrong."""
        start, sep, end = text.partition("-")
        if not sep:
            raise ValueError(f"quiet hours must read like 22:00-08:00, not {text!r}")
        return cls(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))

    def covers(self, local: time) -> bool:
        """Whether a local wall time falls in the span."""
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


@dataclass(frozen=True, slots=True)
class TrendSettings:
    """How sensitive the watch is (``[trends]``); the defaults are argued in docs/trends.md."""

    #: The sensitivity: alert when the chance of a count this high by luck is below it.
    alpha: float = 1e-4
    #: The fewest mentions (or negatives, or uses of a term) in a window that can alert.
    min_count: int = 5
    #: Volume and terms must also reach this multiple of the expected count.
    min_ratio: float = 3.0
    #: The negative share must also be this far (0-1) above its baseline share.
    share_rise: float = 0.25
    #: The span each check looks at, ending now (rounded up to whole buckets).
    window: timedelta = timedelta(minutes=15)
    #: No alert is raised in these (local wall time); counting goes on.
    quiet: tuple[QuietHours, ...] = ()
    #: Words and hashtags that never alert (any form of a word: "карта" ignores "карту").
    ignored: tuple[str, ...] = ()
    #: The time zone of quiet hours and of the baseline's hours of the day.
    zone: tzinfo = UTC
    #: No alert until the watch has counted this long: a baseline needs history.
    warmup: timedelta = timedelta(days=1)
    #: How many hours' weight the 7-day rate gets in an hour of the day's rate.
    prior_hours: float = 4.0
    #: The share of negative tone assumed before any mention with a tone was seen...
    prior_share: float = 0.2
    #: ...and how many mentions' weight that assumption carries.
    prior_mentions: float = 10.0

    def is_quiet(self, now: datetime) -> bool:
        """Whether ``now`` falls in quiet hours."""
        local = now.astimezone(self.zone).time()
        return any(span.covers(local) for span in self.quiet)


@dataclass(frozen=True, slots=True)
class Alert:
    """One spike: ``observed`` in the ``window`` ending ``at`` against ``expected``.

    For :attr:`Kind.NEGATIVE`, ``observed`` counts negative mentions among ``total``
    with a known tone, and ``expected`` is ``total`` times the baseline share. For
    :attr:`Kind.TERM`, ``term`` is the term's commonest form (a query for it finds
    every form) or its hashtag.
    """

    at: datetime
    kind: Kind
    scope: Scope
    observed: int
    expected: float
    p_value: float
    window: timedelta
    term: str = ""
    total: int = 0


# -- the watch ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Exposure:
    """How many hours the baseline covers: in all, and at each hour of the day."""

    hours: float
    by_hour: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class _Window:
    """The buckets a check looks at, and how many hours of each have passed."""

    buckets: tuple[int, ...]
    hours: tuple[float, ...]
    baseline: range


@dataclass(slots=True)
class _Baseline:
    """One scope's counts over a run of buckets, by hour of the day: kept as the run
    slides (a bucket in, a bucket out) rather than summed again at every check."""

    buckets: range = range(0)
    volume: list[int] = dataclasses.field(default_factory=lambda: [0] * 24)
    terms: list[Counter[str]] = dataclasses.field(
        default_factory=lambda: [Counter() for _ in range(24)]
    )
    toned: int = 0
    negative: int = 0

    def take(self, counts: Bucket, hour: int, sign: int) -> None:
        """Add (``sign`` 1) or take away (-1) one bucket's counts."""
        self.volume[hour] += sign * counts.volume
        self.toned += sign * counts.toned
        self.negative += sign * counts.negative
        if sign > 0:
            self.terms[hour].update(counts.terms)
        else:
            self.terms[hour].subtract(counts.terms)

    def term_by_hour(self, key: str) -> tuple[list[int], int]:
        """A term's uses at each hour of the day, and in all."""
        by_hour = [hour[key] for hour in self.terms]
        return by_hour, sum(by_hour)


class SpikeWatch:
    """Counts mentions per scope and says, at each check, what spikes.

    Not thread-safe: one caller adds and checks.
    """

    def __init__(self, settings: TrendSettings | None = None, *, since: datetime | None = None):
        """``since``: when counting began (default: the first mention added)."""
        self.settings = settings or TrendSettings()
        self._since = since
        self._ignored = frozenset(term_key(word) for word in self.settings.ignored)
        self._scopes: dict[Scope, dict[int, Bucket]] = {}
        self._networks: dict[str, str] = {}
        self._ids: dict[int, list[str]] = {}
        self._seen: set[str] = set()
        self._forms: dict[str, Counter[str]] = {}
        #: (scope, kind, term) → the last check at which it spiked.
        self._episodes: dict[tuple[Scope, Kind, str], datetime] = {}
        self._oldest = 0
        self._last_exposure: tuple[range, _Exposure] | None = None
        self._baselines: dict[Scope, _Baseline] = {}

    # -- counting ------------------------------------------------------------------

    def add(self, mentions: Iterable[Mention]) -> None:
        """Count new mentions; one already counted, or older than 8 days, is skipped."""
        for mention in mentions:
            bucket = bucket_index(mention.created_at)
            if bucket < self._oldest or mention.id in self._seen:
                continue
            self._seen.add(mention.id)
            self._ids.setdefault(bucket, []).append(mention.id)
            if self._since is None or mention.created_at < self._since:
                self._since = mention.created_at
            self._count(mention, bucket)

    def _count(self, mention: Mention, bucket: int) -> None:
        keys = self._keys(mention.text)
        toned = mention.sentiment is not Sentiment.UNKNOWN
        negative = mention.sentiment is Sentiment.NEGATIVE
        self._networks[mention.account] = mention.platform.value
        for scope in (BRAND, ("network", mention.platform.value), ("account", mention.account)):
            counts = self._scopes.setdefault(scope, {}).get(bucket)
            if counts is None:
                counts = self._scopes[scope][bucket] = Bucket()
            counts.volume += 1
            counts.toned += toned
            counts.negative += negative
            counts.terms.update(keys)
            baseline = self._baselines.get(scope)
            if baseline is not None and bucket in baseline.buckets:
                one = Bucket(1, int(toned), int(negative), Counter(keys))
                baseline.take(one, hour_of(bucket, self.settings.zone), 1)

    def _keys(self, text: str) -> set[str]:
        keys: set[str] = set()
        for key, form in text_terms(text):
            keys.add(key)
            forms = self._forms.get(key)
            if forms is None:
                if len(self._forms) >= _FORMS_LIMIT:
                    self._forms.clear()
                forms = self._forms[key] = Counter()
            forms[form] += 1
        return keys

    def _forget_before(self, bucket: int) -> None:
        if bucket < self._oldest + _PRUNE_EVERY:
            return  # an hour's slack spares walking every bucket at each check
        for old in [b for b in self._ids if b < bucket]:
            self._seen.difference_update(self._ids.pop(old))
        for buckets in self._scopes.values():
            for old in [b for b in buckets if b < bucket]:
                del buckets[old]
        self._oldest = bucket

    # -- checking ------------------------------------------------------------------

    def alerts(self, now: datetime) -> list[Alert]:
        """The spikes that began since the last check (none in quiet hours or the warm-up)."""
        settings = self.settings
        if self._since is None or now - self._since < settings.warmup or settings.is_quiet(now):
            self._forget_before(bucket_index(now) - KEEP_BUCKETS)
            return []
        ended = now - settings.window
        self._episodes = {k: at for k, at in self._episodes.items() if at > ended}
        window = self._window(now)
        for scope, buckets in self._scopes.items():
            self._slide(scope, buckets, window.baseline)
        # Only now: a baseline slid past its oldest buckets first.
        self._forget_before(bucket_index(now) - KEEP_BUCKETS)
        raised: list[Alert] = []
        for scope, buckets in self._scopes.items():
            for term, alert in self._spikes(now, scope, buckets, window):
                key = (scope, alert.kind, term)
                if key not in self._episodes:
                    raised.append(alert)
                self._episodes[key] = now
        return self._narrowest(raised)

    def _window(self, now: datetime) -> _Window:
        last = bucket_index(now)
        first = last - max(1, math.ceil(self.settings.window / BUCKET)) + 1
        buckets = tuple(range(first, last + 1))
        elapsed = (now.timestamp() - last * BUCKET_SECONDS) / 3600
        hours = tuple(BUCKET_HOURS if b < last else max(elapsed, 0.0) for b in buckets)
        start = first - BASELINE_BUCKETS
        if self._since is not None:
            start = max(start, bucket_index(self._since))
        return _Window(buckets, hours, range(start, first))

    def _exposure(self, baseline: range) -> _Exposure:
        """Worked out only when a series is tested, and once per baseline."""
        if self._last_exposure is not None and self._last_exposure[0] == baseline:
            return self._last_exposure[1]
        by_hour = [0.0] * 24
        zone = self.settings.zone
        for bucket in baseline:
            by_hour[hour_of(bucket, zone)] += BUCKET_HOURS
        exposure = _Exposure(len(baseline) * BUCKET_HOURS, tuple(by_hour))
        self._last_exposure = (baseline, exposure)
        return exposure

    def _slide(self, scope: Scope, buckets: dict[int, Bucket], wanted: range) -> None:
        """Bring a scope's baseline to ``wanted``: the buckets that entered it in, those
        that left it out; counted afresh when the two runs do not overlap."""
        baseline = self._baselines.get(scope)
        if baseline is None or not _overlap(baseline.buckets, wanted):
            baseline = self._baselines[scope] = _Baseline(buckets=range(0))
            entering, leaving = [wanted], []
        else:
            had = baseline.buckets
            entering = [range(wanted.start, had.start), range(had.stop, wanted.stop)]
            leaving = [range(had.start, wanted.start), range(wanted.stop, had.stop)]
        zone = self.settings.zone
        for run in entering:
            for bucket in run:
                if (counts := buckets.get(bucket)) is not None:
                    baseline.take(counts, hour_of(bucket, zone), 1)
        for run in leaving:
            for bucket in run:
                if (counts := buckets.get(bucket)) is not None:
                    baseline.take(counts, hour_of(bucket, zone), -1)
        baseline.buckets = wanted

    def _spikes(
        self,
        now: datetime,
        scope: Scope,
        buckets: dict[int, Bucket],
        window: _Window,
    ) -> Iterator[tuple[str, Alert]]:
        """(the term's key, or "", and the alert) for each series of a scope that spikes."""
        seen = [buckets[b] for b in window.buckets if b in buckets]
        if not window.baseline or not seen:
            return
        settings = self.settings
        volume = sum(bucket.volume for bucket in seen)
        negative = sum(bucket.negative for bucket in seen)
        window_terms: Counter[str] = Counter()
        for bucket in seen:
            window_terms.update(bucket.terms)
        terms = [
            (key, used)
            for key, used in window_terms.items()
            if used >= settings.min_count and key not in self._ignored
        ]
        if volume < settings.min_count and negative < settings.min_count and not terms:
            return  # nothing could alert: spare the baseline's walk
        exposure = self._exposure(window.baseline)
        base = self._baselines[scope]
        if volume >= settings.min_count:
            uses = (base.volume, sum(base.volume))
            for alert in self._poisson(now, scope, Kind.VOLUME, volume, uses, window, exposure):
                yield "", alert
        if negative >= settings.min_count:
            toned = sum(bucket.toned for bucket in seen)
            for alert in self._negative(now, scope, negative, toned, base):
                yield "", alert
        for key, used in terms:
            uses = base.term_by_hour(key)
            for alert in self._poisson(now, scope, Kind.TERM, used, uses, window, exposure):
                yield key, dataclasses.replace(alert, term=self._shown(key))

    def _poisson(
        self,
        now: datetime,
        scope: Scope,
        kind: Kind,
        observed: int,
        uses: tuple[list[int], int],
        window: _Window,
        exposure: _Exposure,
    ) -> Iterator[Alert]:
        expected = self._expected(uses, window, exposure)
        if observed < self.settings.min_ratio * expected:
            return
        p_value = poisson_tail(observed, expected)
        if p_value < self.settings.alpha:
            yield Alert(now, kind, scope, observed, expected, p_value, self.settings.window)

    def _expected(self, uses: tuple[list[int], int], window: _Window, exposure: _Exposure) -> float:
        """The window's expected count: each bucket at its hour of the day's blended rate.

        ``uses`` is the baseline's count at each hour of the day, and in all. An hour's
        rate is (its count + prior_hours * the 7-day rate) / (its hours + prior_hours):
        a sparse hour leans on the week, a well-seen one on itself.
        """
        by_hour, total = uses
        zone = self.settings.zone
        overall = max(total, _EMPTY_WEEK_COUNT) / exposure.hours
        prior = self.settings.prior_hours
        expected = 0.0
        for bucket, hours in zip(window.buckets, window.hours, strict=True):
            hour = hour_of(bucket, zone)
            rate = (by_hour[hour] + prior * overall) / (exposure.by_hour[hour] + prior)
            expected += rate * hours
        return expected

    def _negative(
        self,
        now: datetime,
        scope: Scope,
        negative: int,
        toned: int,
        base: _Baseline,
    ) -> Iterator[Alert]:
        settings = self.settings
        weight = settings.prior_mentions
        had = base.negative + weight * settings.prior_share
        share = had / (base.toned + weight)
        if negative / toned < share + settings.share_rise:
            return
        p_value = binomial_tail(negative, toned, share)
        if p_value < settings.alpha:
            expected = toned * share
            yield Alert(
                now, Kind.NEGATIVE, scope, negative, expected, p_value, settings.window, total=toned
            )

    def _shown(self, key: str) -> str:
        forms = self._forms.get(key)
        return forms.most_common(1)[0][0] if forms else key

    def _narrowest(self, alerts: list[Alert]) -> list[Alert]:
        """Drop a brand or network alert that one scope inside it fully explains.

        When one account makes the whole spike, its network and the brand see the
        same count: one alert, the narrowest, says it.
        """
        explained = {
            (parent, alert.kind, alert.term, alert.observed)
            for alert in alerts
            for parent in self._parents(alert.scope)
        }
        return [a for a in alerts if (a.scope, a.kind, a.term, a.observed) not in explained]

    def _parents(self, scope: Scope) -> tuple[Scope, ...]:
        if scope[0] == "account" and scope[1] in self._networks:
            return (("network", self._networks[scope[1]]), BRAND)
        if scope[0] == "network":
            return (BRAND,)
        return ()


def _overlap(first: range, second: range) -> bool:
    """Whether two runs of buckets share one."""
    return max(first.start, second.start) < min(first.stop, second.stop)
