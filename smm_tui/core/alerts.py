"""Spike alerts as stored: one record per alert raised, with what opens its mentions.

The process that polls raises alerts live (:mod:`smm_tui.core.alert_watch`) and
stores each in ``Collection.ALERTS`` under an id made of what spiked and when, so
two processes never store one alert twice. Every smm-tui on the data dir shows
them from the store: the newest on the health strip for an hour, or until it is
dismissed (for the whole team: the dismissal is stored), and all of them in the
alerts list.

Nothing here reads a clock: the caller passes ``now``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, Final

from smm_tui.core.codec import Recorded, stored, to_iso
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Platform
from smm_tui.core.platforms import PLATFORMS
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sanitize import one_line
from smm_tui.core.spike_counts import BUCKET_SECONDS, bucket_index, term_key
from smm_tui.core.spikes import Alert, Kind, Scope

#: How long an alert stays on the health strip when nobody dismisses it.
ON_STRIP: Final = timedelta(hours=1)
#: The glyph that starts an alert's line.
GLYPH: Final = "▲"


def _seconds(span: timedelta) -> float:
    return span.total_seconds()


def _span(seconds: object) -> timedelta:
    return timedelta(seconds=float(str(seconds)))


@dataclass(frozen=True, slots=True)
class SpikeAlert(Recorded):
    """An alert as stored: the watch's :class:`~smm_tui.core.spikes.Alert`, and its mentions.

    ``query`` finds the mentions of what spiked (scope, tone, term) without a time;
    :meth:`feed_query` adds the time, from ``since`` on.
    """

    id: str
    at: datetime
    kind: Kind
    scope: Scope
    observed: int
    expected: float
    window: timedelta = field(metadata=stored(encode=_seconds, decode=_span))
    #: When the first of the alert's mentions in its window was written.
    since: datetime
    term: str = ""
    total: int = 0
    p_value: float = 0.0
    query: str = ""
    #: Up to 5 of the alert's mention ids, newest first.
    examples: tuple[str, ...] = ()
    dismissed_at: datetime | None = None
    dismissed_by: str = ""

    record_extras: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def raised(cls, alert: Alert, since: datetime, examples: Iterable[str]) -> SpikeAlert:
        """The record of a new alert whose mentions began at ``since``."""
        return cls(
            id=alert_id(alert),
            at=alert.at,
            kind=alert.kind,
            scope=tuple(alert.scope),
            observed=alert.observed,
            expected=alert.expected,
            window=alert.window,
            since=min(since, alert.at),
            term=alert.term,
            total=alert.total,
            p_value=alert.p_value,
            query=series_query(alert.kind, alert.scope, alert.term),
            examples=tuple(examples),
        )

    @property
    def series(self) -> tuple[Kind, Scope, str]:
        """What spiked: the kind, the scope and the term's key ("" for none)."""
        return self.kind, self.scope, term_key(self.term) if self.term else ""

    def on_strip(self, now: datetime) -> bool:
        """Whether the health strip shows it at ``now``: not dismissed, and under an hour old."""
        return self.dismissed_at is None and self.at <= now < self.at + ON_STRIP

    def feed_query(self, now: datetime) -> str:
        """A feed query for its mentions at ``now``: :attr:`query`, from :attr:`since` on."""
        return f"{self.query} {since_query(self.since, now)}".strip()


def since_query(since: datetime, now: datetime) -> str:
    """The query for every mention written from ``since`` on, at ``now``: ``newer:12m``."""
    minutes = max(1, math.ceil((now - since).total_seconds() / 60))
    return f"newer:{minutes}m"


def alert_id(alert: Alert) -> str:
    """The same for the same series spiking at the same 5 minutes, in any process."""
    scope = ":".join(alert.scope)
    key = term_key(alert.term) if alert.term else ""
    made = f"{alert.kind.value}|{scope}|{key}|{bucket_index(alert.at) * BUCKET_SECONDS}"
    return "alert-" + hashlib.blake2b(made.encode(), digest_size=10).hexdigest()


def series_query(kind: Kind, scope: Scope, term: str) -> str:
    """The query that finds a series' mentions, time left out."""
    parts: list[str] = []
    if scope[0] == "network":
        parts.append(f"platform:{scope[1]}")
    elif scope[0] == "account":
        parts.append(f"account:{_quoted(scope[1])}")
    if kind is Kind.NEGATIVE:
        parts.append("sentiment:negative")
    elif kind is Kind.TERM and term:
        parts.append(_quoted(term))
    return " ".join(parts)


def _quoted(word: str) -> str:
    """A name or term as one query value (a term is letters or a hashtag already)."""
    if word.replace("-", "").replace("_", "").replace("#", "").isalnum():
        return word
    return '"' + word.replace('"', "") + '"'


# -- wording ------------------------------------------------------------------------


def scope_label(scope: Scope) -> str:
    """``VK``, ``bank-vk`` or ``all networks``."""
    if scope[0] == "network":
        try:
            return PLATFORMS[Platform(scope[1])].name
        except ValueError:
            return one_line(scope[1])
    if scope[0] == "account":
        return one_line(scope[1])
    return "all networks"


def minutes_text(alert: SpikeAlert) -> str:
    """``10 min``: from the first of its mentions to the alert, at least a minute."""
    minutes = max(1, math.ceil((alert.at - alert.since).total_seconds() / 60))
    return f"{minutes} min"


def alert_line(alert: SpikeAlert) -> str:
    """The alert in one line, as the health strip and the toast say it (the glyph included).

    A term reads as the issue put it (``spike: 'приложение' x14 in 10 min, VK``, with
    a multiplication sign); volume and the negative share have their own wording.
    The term is network text: made safe, on one line.
    """
    where, span = scope_label(alert.scope), minutes_text(alert)
    expected = expected_text(alert.expected)
    if alert.kind is Kind.TERM:
        return f"{GLYPH} spike: '{one_line(alert.term)}' ×{alert.observed} in {span}, {where}"
    if alert.kind is Kind.NEGATIVE:
        return (
            f"{GLYPH} negative: {alert.observed} of {alert.total} mentions in {span}"
            f" ({expected} expected), {where}"
        )
    return f"{GLYPH} volume: {alert.observed} mentions in {span} ({expected} expected), {where}"


def expected_text(expected: float) -> str:
    """``≈2.4``, ``≈31``; below a tenth, ``<0.1`` (a rounded 0 would read as never)."""
    if expected < 0.1:
        return "<0.1"
    return f"≈{expected:.1f}" if expected < 10 else f"≈{expected:.0f}"


def what_text(alert: SpikeAlert) -> str:
    """What spiked, for a list: ``'приложение' 14 vs ≈0.4``, ``9 of 12 vs ≈2.4``."""
    expected = expected_text(alert.expected)
    if alert.kind is Kind.TERM:
        return f"'{one_line(alert.term)}' {alert.observed} vs {expected}"
    if alert.kind is Kind.NEGATIVE:
        return f"{alert.observed} of {alert.total} vs {expected}"
    return f"{alert.observed} vs {expected}"


# -- the stored alerts ---------------------------------------------------------------

#: Of alerts raised together, which says most: a term names what is wrong.
_KIND_ORDER: Final = {Kind.TERM: 0, Kind.NEGATIVE: 1, Kind.VOLUME: 2}


def _telling(alert: SpikeAlert) -> tuple[float, int, int, str]:
    return (-alert.at.timestamp(), _KIND_ORDER[alert.kind], -alert.observed, alert.id)


class AlertBook:
    """The stored alerts: listed, stored once each, and dismissed."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def all(self) -> list[SpikeAlert]:
        """Every stored alert, newest first; of those raised together, the most telling first."""
        alerts = [SpikeAlert.from_record(r) for r in self._ctx.repo.records(Collection.ALERTS)]
        return sorted(alerts, key=_telling)

    def on_strip(self) -> list[SpikeAlert]:
        """The alerts the health strip may show now, as :meth:`all` orders them."""
        now = self._ctx.clock()
        return [alert for alert in self.all() if alert.on_strip(now)]

    def store(self, alerts: Iterable[SpikeAlert], *, repeat_after: timedelta) -> list[SpikeAlert]:
        """Store the alerts no process stored yet; returns those this call stored (blocking).

        An alert whose series was stored less than ``repeat_after`` before it is not
        stored either: a poller that took over mid-episode does not raise it again.
        """
        latest: dict[tuple[Kind, Scope, str], datetime] = {}
        for known in self.all():
            latest.setdefault(known.series, known.at)
        changes = ChangeSet()
        wanted: dict[str, SpikeAlert] = {}
        for alert in alerts:
            last = latest.get(alert.series)
            if last is not None and alert.at - last < repeat_after:
                continue
            latest[alert.series] = alert.at
            wanted[alert.id] = alert
            changes.insert_new(Collection.ALERTS, alert.to_record())
        if not changes:
            return []
        changed = self._ctx.repo.commit(changes)
        return [wanted[op.id] for op in changed.applied if op.id in wanted]

    async def dismiss(self, alert_id: str) -> SpikeAlert:
        """Take an alert off the strip, for everyone (it stays in the list)."""
        alert = self._ctx.load(SpikeAlert, Collection.ALERTS, alert_id, "alert")
        if alert.dismissed_at is not None:
            return alert
        fields = {"dismissed_at": to_iso(self._ctx.clock()), "dismissed_by": self._ctx.actor}
        changes = ChangeSet().patch(Collection.ALERTS, alert_id, fields, {"dismissed_at": None})
        await self._ctx.commit(changes)
        return self._ctx.load(SpikeAlert, Collection.ALERTS, alert_id, "alert")
