"""What the Trends pane shows: the terms rising in the last hour or day, their example
mentions, and why nothing rises when nothing does.

It reads the stored mentions (a blocking call: run it in a thread) and leaves the
counting to :func:`smm_tui.core.trends.rising_terms`, as ``smm-tui trends`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from smm_tui.core.codec import from_iso, to_iso
from smm_tui.core.models import Mention
from smm_tui.core.repository import Collection, Record, Repository
from smm_tui.core.spikes import BASELINE, TrendSettings
from smm_tui.core.trends import WINDOWS, RisingTerm, rising_terms

#: What each window is called on screen.
WINDOW_NAMES: Mapping[str, str] = {"1h": "the last hour", "1d": "the last day"}


@dataclass(frozen=True, slots=True)
class Trends:
    """The rising terms of one window, highest score first, and their example mentions."""

    window: str
    terms: tuple[RisingTerm, ...]
    #: The example mentions of every term, by id (one deleted since is missing).
    examples: Mapping[str, Mention]
    #: Why the list is empty ("" when it is not).
    empty: str = ""


def stored_since(
    records: Iterable[Record], since: datetime
) -> tuple[datetime | None, list[Mention]]:
    """When the stored history begins, and the mentions from ``since`` on, oldest first.

    Older records are passed over before they are decoded.
    """
    cutoff = to_iso(since) or ""
    oldest: str | None = None
    recent: list[Mention] = []
    for record in records:
        created: str = record["created_at"]
        if oldest is None or created < oldest:
            oldest = created
        if created >= cutoff:
            recent.append(Mention.from_record(record))
    recent.sort(key=lambda mention: mention.created_at)
    return from_iso(oldest), recent


def read_trends(repo: Repository, now: datetime, window: str, settings: TrendSettings) -> Trends:
    """The terms rising in ``window`` (``1h`` or ``1d``) ending ``now``."""
    length = WINDOWS[window]
    oldest, recent = stored_since(repo.records(Collection.MENTIONS), now - length - BASELINE)
    terms = tuple(rising_terms(recent, now, window=length, settings=settings, since=oldest))
    wanted = {mention_id for term in terms for mention_id in term.examples}
    examples = {m.id: m for m in recent if m.id in wanted}
    empty = "" if terms else _why_empty(oldest, now - length, settings, window)
    return Trends(window, terms, examples, empty)


def _why_empty(
    oldest: datetime | None, window_start: datetime, settings: TrendSettings, window: str
) -> str:
    if oldest is None:
        return "Nothing is rising: no mentions are stored yet."
    history = max(window_start - oldest, timedelta(0))
    needed = min(settings.warmup, BASELINE)
    if history < needed:
        return (
            f"Warming up: rising terms need {_hours(needed)} of history before "
            f"{WINDOW_NAMES[window]} to compare with; there are {_hours(history)} so far."
        )
    return f"Nothing is rising: {WINDOW_NAMES[window]} looks like the 7 days before it."


def _hours(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours} hour" if hours == 1 else f"{hours} hours"
