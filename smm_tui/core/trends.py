"""Rising terms over the stored mentions, and the alerts a watch would have raised.

:func:`rising_terms` is what ``smm-tui trends`` lists and the Trends view shows:
the words and hashtags used far more in the last hour (or day) than in the 7
days before it. Terms are folded and stemmed exactly as :mod:`smm_tui.core.spikes`
counts them, and a term must pass the same three tests as a term spike
(``alpha``, ``min_count``, ``min_ratio``), so a flat stream lists nothing.

:func:`alerts_over` replays the stored mentions through a
:class:`~smm_tui.core.spikes.SpikeWatch`, for ``smm-tui alerts``.

Nothing here reads a clock or the store: the caller passes ``now`` and the mentions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from smm_tui.core.models import Mention
from smm_tui.core.spikes import (
    BASELINE,
    BUCKET,
    KEEP,
    Alert,
    SpikeWatch,
    TrendSettings,
    poisson_tail,
    term_key,
    text_terms,
)

#: The windows ``smm-tui trends --window`` offers.
WINDOWS: Final = {"1h": timedelta(hours=1), "1d": timedelta(days=1)}
#: How many example mention ids a rising term carries.
EXAMPLES: Final = 5
#: A baseline without a single use is read as half a use, as the watch reads it.
_UNSEEN_COUNT: Final = 0.5
#: The score of a tail too small for a float: -log10 of the smallest one kept.
_SMALLEST_TAIL: Final = 1e-300


@dataclass(frozen=True, slots=True)
class RisingTerm:
    """A word or hashtag used far more in the window than in the 7 days before it.

    ``score`` is ``-log10`` of the Poisson tail ``P(X ≥ count)`` for ``X ~
    Poisson(baseline)``: 4 means a count this high once in 10,000 by luck.
    """

    #: The commonest form used in the window (a query for it finds every form), or the hashtag.
    term: str
    #: How many mentions in the window used it (each mention once).
    count: int
    #: The expected count per window-length, from the 7 days before the window.
    baseline: float
    score: float
    #: Up to 5 ids of the window's mentions that used it, newest first.
    examples: tuple[str, ...]
    #: Uses per window-length, oldest first, the window last (for a sparkline).
    history: tuple[int, ...] = field(default=())


@dataclass(slots=True)
class _Tally:
    """One term's uses: per window-length slot (0 is the window) and its window's forms."""

    slots: Counter[int] = field(default_factory=Counter)
    forms: Counter[str] = field(default_factory=Counter)
    examples: list[tuple[datetime, str]] = field(default_factory=list)


def rising_terms(
    mentions: Iterable[Mention],
    now: datetime,
    *,
    window: timedelta,
    settings: TrendSettings,
    since: datetime | None = None,
) -> list[RisingTerm]:
    """The terms rising in the ``window`` ending ``now``, highest score first.

    The baseline is the 7 days before the window, at one flat rate (no hour of
    the day: the window is an hour or more). When the mentions reach back less
    than 7 days, the baseline is as long as they reach; shorter than
    ``settings.warmup``, there is no baseline and nothing is listed. ``since``
    is when the history began, if earlier than the oldest mention given (a
    caller may pass only the last 8 days). Terms in ``settings.ignored`` (any
    form) are never listed.
    """
    slot_count = int(BASELINE / window) + 1
    window_start = now - window
    ignored = frozenset(term_key(word) for word in settings.ignored)
    tallies: dict[str, _Tally] = {}
    earliest = since
    for mention in mentions:
        at = mention.created_at
        if at > now:
            continue
        earliest = at if earliest is None else min(earliest, at)
        slot = int((now - at) / window)
        if slot >= slot_count:
            continue
        _tally(tallies, mention, slot, ignored)
    if earliest is None:
        return []
    history = min(BASELINE, window_start - earliest)
    if history <= timedelta(0) or history < min(settings.warmup, BASELINE):
        return []
    per_window = window / history
    rising = (
        _rising(tally, slot_count, per_window, settings)
        for tally in tallies.values()
        if tally.slots[0] >= settings.min_count
    )
    found = [term for term in rising if term is not None]
    return sorted(found, key=lambda t: (-t.score, -t.count, t.term))


def _tally(
    tallies: dict[str, _Tally], mention: Mention, slot: int, ignored: frozenset[str]
) -> None:
    forms: dict[str, str] = {}
    for key, form in text_terms(mention.text):
        if key not in ignored:
            forms.setdefault(key, form)
    for key, form in forms.items():
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = _Tally()
        tally.slots[slot] += 1
        if slot == 0:
            tally.forms[form] += 1
            tally.examples.append((mention.created_at, mention.id))


def _rising(
    tally: _Tally, slot_count: int, per_window: float, settings: TrendSettings
) -> RisingTerm | None:
    """The term if it passes the watch's tests for a term spike, else None."""
    count = tally.slots[0]
    before = sum(tally.slots.values()) - count
    expected = max(before, _UNSEEN_COUNT) * per_window
    if count < settings.min_ratio * expected:
        return None
    tail = poisson_tail(count, expected)
    if tail >= settings.alpha:
        return None
    newest = sorted(tally.examples, reverse=True)[:EXAMPLES]
    return RisingTerm(
        term=tally.forms.most_common(1)[0][0],
        count=count,
        baseline=expected,
        score=-math.log10(max(tail, _SMALLEST_TAIL)),
        examples=tuple(mention_id for _, mention_id in newest),
        history=tuple(tally.slots[slot] for slot in reversed(range(slot_count))),
    )


def alerts_over(mentions: Iterable[Mention], now: datetime, settings: TrendSettings) -> list[Alert]:
    """Every alert a watch would have raised over the 8 days before ``now``, oldest first.

    The stored mentions of those 8 days are replayed through a fresh
    :class:`SpikeWatch`, checked at every 5-minute mark and at ``now``, as a
    poller checks once a poll: so ``smm-tui alerts`` lists what was raised
    without a running poller. The replay, not a record, is the answer: a
    mention the store no longer holds raises nothing, warm-up counts from the
    oldest mention replayed, and quiet hours raise nothing, as they would live.
    """
    start = now - KEEP
    stream = sorted(
        (m for m in mentions if start <= m.created_at <= now), key=lambda m: m.created_at
    )
    watch = SpikeWatch(settings)
    raised: list[Alert] = []
    added = 0
    for check in _checks(start, now):
        upto = added
        while upto < len(stream) and stream[upto].created_at <= check:
            upto += 1
        watch.add(stream[added:upto])
        added = upto
        raised.extend(watch.alerts(check))
    return raised


def _checks(start: datetime, now: datetime) -> Iterable[datetime]:
    """Each 5-minute mark after ``start`` up to ``now``, then ``now`` if it is not one."""
    step = BUCKET.total_seconds()
    first = math.floor(start.timestamp() / step) + 1
    last = math.floor(now.timestamp() / step)
    for mark in range(first, last + 1):
        yield datetime.fromtimestamp(mark * step, now.tzinfo)
    if now.timestamp() % step:
        yield now
