"""The query language's fields: their names, kinds, accepted values, help and examples.

:data:`FIELDS` is the table the help screen and completion show; the parser
(:mod:`smm_tui.core.query_parse`) checks a ``field:value`` against the rest, and
matching (:mod:`smm_tui.core.query_match`) reads which kind each field is.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from smm_tui.core.models import Intent, Platform, Sentiment, Status
from smm_tui.core.platforms import PLATFORMS

#: The longest duration ``older:``/``newer:``/``due:`` accept (ten years).
MAX_DURATION_S: Final = 3650 * 86400
#: Duration units, longest first, in seconds.
UNIT_SECONDS: Final[Mapping[str, int]] = MappingProxyType(
    {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
)


def _identity(values: Iterable[str]) -> dict[str, str]:
    return {value: value for value in values}


#: Every mention status, as stored.
STATUS_VALUES: Final = tuple(status.value for status in Status)

#: Enumerated fields: every accepted spelling → its canonical value.
SPELLINGS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "platform": {
            **_identity(platform.value for platform in Platform),
            **{alias: p.value for p, entry in PLATFORMS.items() for alias in entry.aliases},
        },
        "is": _identity(
            (
                "open",
                *STATUS_VALUES,
                "spam",
                "assigned",
                "unassigned",
                "breaching",
                "replied-to",
            )
        ),
        "status": _identity(STATUS_VALUES),
        "sentiment": {
            **_identity(sentiment.value for sentiment in Sentiment),
            "neg": "negative",
            "neu": "neutral",
            "pos": "positive",
        },
        "intent": _identity(intent.value for intent in Intent),
        "has": _identity(("url", "ticket")),
    }
)

#: Enumerated fields → their canonical values, in order (for help and completion).
CHOICES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {name: tuple(dict.fromkeys(spellings.values())) for name, spellings in SPELLINGS.items()}
)


def choice_list(name: str) -> str:
    """``vk, telegram (tg), …``: an enumerated field's canonical values with their aliases."""
    spellings = SPELLINGS[name]
    parts = []
    for value in CHOICES[name]:
        aliases = [s for s, canonical in spellings.items() if canonical == value and s != value]
        parts.append(f"{value} ({', '.join(aliases)})" if aliases else value)
    return ", ".join(parts)


#: Field name → one line of help. Enumerated fields list their values.
FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "platform": f"the network: {choice_list('platform')}",
        "account": "the brand account it came to, e.g. account:club_brand",
        "is": f"state: {choice_list('is')}; open is new, seen, ticketed or follow-up",
        "status": f"the exact status: {choice_list('status')}",
        "sentiment": f"the tone: {choice_list('sentiment')}",
        "intent": f"what the author wants: {choice_list('intent')}",
        "assignee": "who it is assigned to: a name, me or none",
        "tag": "tagged so, e.g. tag:refund (-tag:spam leaves spam out)",
        "lang": "the language code, e.g. lang:ru (alias language:)",
        "author": "@handle exactly, or part of the handle or name (alias from:)",
        "priority": "0–100, compared: priority:>=70, priority:<30, priority:50",
        "followers": "the author's followers, compared: followers:>1000, followers:>=5k",
        "older": "created at least this long ago: older:5m (s, m, h, d, w; 1h30m)",
        "newer": "created at most this long ago: newer:1h",
        "due": "awaiting a first response due within this time, or overdue: due:10m",
        "has": f"has a {choice_list('has')}",
    }
)

#: Alternative field names → the canonical one.
ALIASES: Final[Mapping[str, str]] = MappingProxyType({"from": "author", "language": "lang"})

#: Fields whose values are names, compared folded: ``tag:Refund`` is ``tag:refund``.
NAME_FIELDS: Final = frozenset({"account", "assignee", "tag", "lang"})
#: Fields compared as numbers: ``priority:>=70``.
NUMBER_FIELDS: Final = frozenset({"priority", "followers"})
#: Fields that take a span of time: ``older:5m``.
DURATION_FIELDS: Final = frozenset({"older", "newer", "due"})
#: Fields where ``f:a OR f:b`` is ``f:a,b``, and ``f:a`` narrows ``f:a,b``.
MERGEABLE: Final = frozenset({*SPELLINGS, *NAME_FIELDS})

#: An example of each field that is not enumerated, for "expects a value".
EXAMPLES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "account": "account:club_brand",
        "assignee": "assignee:me",
        "tag": "tag:refund",
        "lang": "lang:ru",
        "author": "author:@handle",
        "priority": "priority:>=70",
        "followers": "followers:>1000",
        "older": "older:5m",
        "newer": "newer:1h",
        "due": "due:10m",
    }
)
#: What a number field accepts, for "expects a number like …".
NUMBER_EXAMPLES: Final[Mapping[str, str]] = MappingProxyType(
    {"priority": "50, >=70 or <30", "followers": "1000, >1000 or <=5k"}
)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """``did you mean 'platform'?`` for the option closest to ``word``, or "" if none is close."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""
