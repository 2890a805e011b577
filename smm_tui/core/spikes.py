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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Final, NamedTuple

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
    run_keys,
    run_words,
    text_runs,
)
from smm_tui.core.spike_counts import BRAND as BRAND
from smm_tui.core.spike_counts import BUCKET as BUCKET
from smm_tui.core.spike_counts import KEEP as KEEP
from smm_tui.core.spike_counts import STOP_WORDS as STOP_WORDS
from smm_tui.core.spike_counts import Scope as Scope
from smm_tui.core.spike_counts import term_key as term_key
from smm_tui.core.spike_counts import text_terms as text_terms
from smm_tui.core.tails import binomial_tail as binomial_tail
from smm_tui.core.tails import poisson_below
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
    """How many hours the baseline covers (in all, and at each window bucket's hour of the
    day) and the window's: what a check's expected counts are worked out from."""

    hours: float
    #: For each bucket of the window, the baseline's hours at its hour of the day plus
    #: ``prior_hours``: the denominator of that hour's rate.
    weights: tuple[float, ...]
    #: For each bucket of the window, the hours of it that have passed.
    hours_in: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class _Window:
    """The buckets a check looks at, and how many hours of each have passed."""

    buckets: tuple[int, ...]
    hours: tuple[float, ...]
    baseline: range
    #: The hour of the day each bucket starts at.
    day_hours: tuple[int, ...]


@dataclass(slots=True)
class _Baseline:
    """One scope's counts over a run of buckets, by hour of the day: kept as the run
    slides (a bucket in, a bucket out) rather than summed again at every check."""

    buckets: range = range(0)
    volume: list[int] = dataclasses.field(default_factory=lambda: [0] * 24)
    terms: list[Counter[str]] = dataclasses.field(
        default_factory=lambda: [Counter() for _ in range(24)]
    )
    #: Each term's uses at all hours: a check reads it, not 24 hours' counts, per term.
    term_totals: Counter[str] = dataclasses.field(default_factory=Counter)
    toned: int = 0
    negative: int = 0

    def take(self, counts: Bucket, hour: int, sign: int) -> None:
        """Add (``sign`` 1) or take away (-1) one bucket's counts."""
        self.volume[hour] += sign * counts.volume
        self.toned += sign * counts.toned
        self.negative += sign * counts.negative
        if sign > 0:
            self.terms[hour].update(counts.terms)
            self.term_totals.update(counts.terms)
        else:
            self.terms[hour].subtract(counts.terms)
            self.term_totals.subtract(counts.terms)

    def term_by_hour(self, key: str) -> tuple[list[int], int]:
        """A term's uses at each hour of the day, and in all."""
        by_hour = [hour[key] for hour in self.terms]
        return by_hour, sum(by_hour)

    def term_uses(self, key: str, day_hours: tuple[int, ...]) -> tuple[list[int], int]:
        """A term's uses at each of ``day_hours``, and at all hours."""
        terms = self.terms
        return [terms[hour][key] for hour in day_hours], self.term_totals[key]


@dataclass(slots=True)
class _Counted:
    """What one :meth:`SpikeWatch.add` counts of an account in a bucket: its terms are
    gathered in a list and counted in one go (a Counter counts a list in C), then added
    to the bucket of each of the account's three scopes."""

    volume: int = 0
    toned: int = 0
    negative: int = 0
    #: Each mention's keys, each once per mention.
    keys: list[str] = dataclasses.field(default_factory=list)


class _Spike(NamedTuple):
    """A series found spiking at a check: an :class:`Alert` is made only if it is new."""

    key: str
    kind: Kind
    observed: int
    expected: float
    p_value: float
    total: int = 0


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
        #: Every form a term was counted in (in the order first seen), and each form's uses.
        self._forms: dict[str, list[str]] = {}
        self._form_uses: Counter[str] = Counter()
        #: (scope, kind, term) → the last check at which it spiked.
        self._episodes: dict[tuple[Scope, Kind, str], datetime] = {}
        self._oldest = 0
        self._last_exposure: tuple[_Window, _Exposure] | None = None
        self._baselines: dict[Scope, _Baseline] = {}

    # -- counting ------------------------------------------------------------------

    def add(self, mentions: Iterable[Mention]) -> None:
        """Count new mentions; one already counted, or older than 8 days, is skipped."""
        runs: list[str] = []
        counted: dict[tuple[str, str, int], _Counted] = {}
        for mention in mentions:
            bucket = bucket_index(mention.created_at)
            if bucket < self._oldest or mention.id in self._seen:
                continue
            self._seen.add(mention.id)
            self._ids.setdefault(bucket, []).append(mention.id)
            if self._since is None or mention.created_at < self._since:
                self._since = mention.created_at
            its_runs = text_runs(mention.text)
            runs += its_runs
            where = (mention.account, mention.platform.value, bucket)
            found = counted.get(where)
            if found is None:
                found = counted[where] = _Counted()
            found.volume += 1
            found.toned += mention.sentiment is not Sentiment.UNKNOWN
            found.negative += mention.sentiment is Sentiment.NEGATIVE
            found.keys += run_keys(its_runs)
        for (account, network, bucket), found in counted.items():
            self._networks[account] = network
            terms = Counter(found.keys)
            for scope in (BRAND, ("network", network), ("account", account)):
                self._count(scope, bucket, found, terms)
        self._note_forms(Counter(runs))

    def _count(self, scope: Scope, bucket: int, found: _Counted, terms: Counter[str]) -> None:
        """Add what one call counted in a bucket (``terms``: its keys, counted) to a
        scope's, and to the scope's baseline if the bucket is in it."""
        buckets = self._scopes.get(scope)
        if buckets is None:
            buckets = self._scopes[scope] = {}
        counts = buckets.get(bucket)
        if counts is None:
            counts = buckets[bucket] = Bucket()
        counts.volume += found.volume
        counts.toned += found.toned
        counts.negative += found.negative
        counts.terms.update(terms)
        baseline = self._baselines.get(scope)
        if baseline is not None and bucket in baseline.buckets:
            late = Bucket(found.volume, found.toned, found.negative, terms)
            baseline.take(late, hour_of(bucket, self.settings.zone), 1)

    def _note_forms(self, runs: Counter[str]) -> None:
        """Count the forms terms were used in (from the runs of text they were in, and how
        often each run came), to name a term by its commonest form."""
        uses, forms = self._form_uses, self._forms
        for run, count in runs.items():
            for form in run_words(run):
                used = uses.get(form)
                if used is None:
                    if len(forms) >= _FORMS_LIMIT:
                        forms.clear()
                        uses.clear()
                    forms.setdefault(term_key(form), []).append(form)
                    used = 0
                uses[form] = used + count

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
            for spike in self._spikes(scope, buckets, window):
                key = (scope, spike.kind, spike.key)
                if key not in self._episodes:
                    raised.append(self._alert(now, scope, spike))
                self._episodes[key] = now
        return self._narrowest(raised)

    def _alert(self, now: datetime, scope: Scope, spike: _Spike) -> Alert:
        term = self._shown(spike.key) if spike.kind is Kind.TERM else ""
        return Alert(
            now,
            spike.kind,
            scope,
            spike.observed,
            spike.expected,
            spike.p_value,
            self.settings.window,
            term=term,
            total=spike.total,
        )

    def _window(self, now: datetime) -> _Window:
        last = bucket_index(now)
        first = last - max(1, math.ceil(self.settings.window / BUCKET)) + 1
        buckets = tuple(range(first, last + 1))
        elapsed = (now.timestamp() - last * BUCKET_SECONDS) / 3600
        hours = tuple(BUCKET_HOURS if b < last else max(elapsed, 0.0) for b in buckets)
        start = first - BASELINE_BUCKETS
        if self._since is not None:
            start = max(start, bucket_index(self._since))
        day_hours = tuple(hour_of(bucket, self.settings.zone) for bucket in buckets)
        return _Window(buckets, hours, range(start, first), day_hours)

    def _unseen_hours(self, baseline: range) -> float:
        """The hours of the baseline's first bucket that passed before counting began."""
        if not baseline or self._since is None or bucket_index(self._since) != baseline[0]:
            return 0.0
        return (self._since.timestamp() - baseline[0] * BUCKET_SECONDS) / 3600

    def _exposure(self, window: _Window) -> _Exposure:
        """Worked out only when a series is tested, and once per check."""
        if self._last_exposure is not None and self._last_exposure[0] == window:
            return self._last_exposure[1]
        by_hour = [0.0] * 24
        zone = self.settings.zone
        for bucket in window.baseline:
            by_hour[hour_of(bucket, zone)] += BUCKET_HOURS
        hours = len(window.baseline) * BUCKET_HOURS
        # Counting that began within the baseline's first bucket saw only the rest of it.
        unseen = self._unseen_hours(window.baseline)
        if unseen:
            by_hour[hour_of(window.baseline[0], zone)] -= unseen
            hours -= unseen
        prior = self.settings.prior_hours
        weights = tuple(by_hour[hour] + prior for hour in window.day_hours)
        exposure = _Exposure(hours, weights, window.hours)
        self._last_exposure = (window, exposure)
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

    def _spikes(self, scope: Scope, buckets: dict[int, Bucket], window: _Window) -> list[_Spike]:
        """Each series of a scope that spikes (its key is the term's, or "")."""
        seen = [buckets[b] for b in window.buckets if b in buckets]
        if not window.baseline or not seen:
            return []
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
            return []  # nothing could alert: spare the baseline's walk
        exposure = self._exposure(window)
        base = self._baselines[scope]
        found: list[_Spike | None] = []
        episodes = self._episodes
        if volume >= settings.min_count:
            uses = ([base.volume[hour] for hour in window.day_hours], sum(base.volume))
            ongoing = (scope, Kind.VOLUME, "") in episodes
            found.append(self._poisson("", Kind.VOLUME, volume, uses, exposure, ongoing))
        if negative >= settings.min_count:
            toned = sum(bucket.toned for bucket in seen)
            found.append(self._negative(negative, toned, base))
        for key, used in terms:
            uses = base.term_uses(key, window.day_hours)
            ongoing = (scope, Kind.TERM, key) in episodes
            found.append(self._poisson(key, Kind.TERM, used, uses, exposure, ongoing))
        return [spike for spike in found if spike is not None]

    def _poisson(
        self,
        key: str,
        kind: Kind,
        observed: int,
        uses: tuple[list[int], int],
        exposure: _Exposure,
        ongoing: bool,
    ) -> _Spike | None:
        """The series if it spikes; ``ongoing`` when its episode goes on, which raises no
        alert, so only whether it spikes is worked out, not its p-value."""
        expected = self._expected(uses, exposure)
        if observed < self.settings.min_ratio * expected:
            return None
        if ongoing:
            if poisson_below(observed, expected, self.settings.alpha):
                return _Spike(key, kind, observed, expected, math.nan)
            return None
        p_value = poisson_tail(observed, expected)
        if p_value < self.settings.alpha:
            return _Spike(key, kind, observed, expected, p_value)
        return None

    def _expected(self, uses: tuple[list[int], int], exposure: _Exposure) -> float:
        """The window's expected count: each bucket at its hour of the day's blended rate.

        ``uses`` is the baseline's count at the hour of the day of each of the window's
        buckets, and in all. An hour's rate is (its count + prior_hours * the 7-day
        rate) / (its hours + prior_hours): a sparse hour leans on the week, a well-seen
        one on itself.
        """
        at_hours, total = uses
        lift = self.settings.prior_hours * (max(total, _EMPTY_WEEK_COUNT) / exposure.hours)
        expected = 0.0
        for count, weight, hours in zip(at_hours, exposure.weights, exposure.hours_in, strict=True):
            expected += (count + lift) / weight * hours
        return expected

    def _negative(self, negative: int, toned: int, base: _Baseline) -> _Spike | None:
        settings = self.settings
        weight = settings.prior_mentions
        had = base.negative + weight * settings.prior_share
        share = had / (base.toned + weight)
        if negative / toned < share + settings.share_rise:
            return None
        p_value = binomial_tail(negative, toned, share)
        if p_value < settings.alpha:
            return _Spike("", Kind.NEGATIVE, negative, toned * share, p_value, total=toned)
        return None

    def _shown(self, key: str) -> str:
        """The form a term was used in most (the first seen of equals)."""
        forms = self._forms.get(key)
        return max(forms, key=self._form_uses.__getitem__) if forms else key

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
