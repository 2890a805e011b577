"""Priority: which open mention deserves attention first, and why, in words.

A mention's priority (0 to 100) adds up what a bank's team weighs: what the
author wants (a complaint before a question before praise; spam last), how
they feel, how far their words reach (followers), and alarm words such as
"мошенники" or "fraud". The stored priority is this static part, set at
ingest; the time left to answer adds to it when it is shown (:func:`explain`
with ``now``), while the queue already runs by due time first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from smm_tui.core import sla
from smm_tui.core.models import Intent, Mention, Sentiment

#: Words that call for a person now, whatever the rest of the text says.
DEFAULT_ALARMS: tuple[str, ...] = (
    "мошенник",
    "мошенники",
    "развод",
    "украли",
    "списали",
    "не работает",
    "заблокировали",
    "суд",
    "fraud",
    "scam",
    "stolen",
    "hacked",
    "charged twice",
    "not working",
    "lawyer",
    "احتيال",
    "سرقة",
)

_INTENT = {
    Intent.COMPLAINT: 40,
    Intent.QUESTION: 30,
    Intent.OTHER: 15,
    Intent.UNKNOWN: 15,
    Intent.PRAISE: 10,
    Intent.SPAM: 0,
}
_SENTIMENT = {Sentiment.NEGATIVE: 15, Sentiment.POSITIVE: -5}
_REACH = ((100_000, 20), (10_000, 12), (1_000, 5))
_ALARM = 25
_AT_RISK = 10
_BREACHED = 20


@dataclass(frozen=True, slots=True)
class Reason:
    """One part of a priority: how many points, and why."""

    points: int
    why: str


def reasons(mention: Mention, alarms: Sequence[str] = DEFAULT_ALARMS) -> list[Reason]:
    """The static parts of a mention's priority."""
    found = [Reason(_INTENT[mention.intent], f"intent: {mention.intent.value}")]
    if mention.sentiment in _SENTIMENT:
        found.append(Reason(_SENTIMENT[mention.sentiment], f"{mention.sentiment.value} tone"))
    followers = mention.author.followers or 0
    for threshold, points in _REACH:
        if followers >= threshold:
            found.append(Reason(points, f"reach: {followers:,} followers"))
            break
    text = mention.text.casefold().replace("ё", "е")
    hits = [word for word in alarms if word.casefold() in text]
    if hits:
        found.append(Reason(_ALARM, "alarm word: " + ", ".join(f"«{w}»" for w in hits[:3])))
    return found


def score(mention: Mention, alarms: Sequence[str] = DEFAULT_ALARMS) -> int:
    """The static priority, 0 to 100 (stored with the mention)."""
    return _clamp(sum(r.points for r in reasons(mention, alarms)))


def explain(
    mention: Mention,
    now: datetime,
    alarms: Sequence[str] = DEFAULT_ALARMS,
    warn_before: timedelta = sla.DEFAULT_WARN,
) -> tuple[int, list[Reason]]:
    """The priority as shown now (time left included), and every reason for it.

    What rules added at ingest is the difference between the stored priority
    and the static score; it is shown as its own reason.
    """
    found = reasons(mention, alarms)
    raised = mention.priority - score(mention, alarms)
    if raised and mention.rules:
        found.append(Reason(raised, "rules: " + ", ".join(mention.rules)))
    state = sla.state(mention, now, warn_before)
    if state is sla.SlaState.BREACHED:
        found.append(Reason(_BREACHED, "response target missed"))
    elif state is sla.SlaState.AT_RISK:
        found.append(Reason(_AT_RISK, "response target close"))
    return _clamp(sum(r.points for r in found)), found


def _clamp(points: int) -> int:
    return max(0, min(100, points))
