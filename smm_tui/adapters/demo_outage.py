"""The demo's incident: some minutes into a live session, the bank's app goes down.

A working day's demo account (:meth:`~smm_tui.adapters.demo.DemoAdapter.working_day`,
what ``smm-tui demo`` opens) gets, :data:`OUTAGE_AFTER` after the demo opens, a burst
of complaints that say the same thing in their own words ("приложение не работает",
"не могу войти в приложение", "the app is down, can't log in"): 8 to 12 an account,
about 50 over the five networks, within :data:`OUTAGE_SPAN` and most in its first
minutes. Each is a core wording (:data:`~smm_tui.adapters.demo_corpus.OUTAGE_CORES`),
now and then with an opener or a closer (filler, a name) and a typo; about one in
ten is about something else. Russian ones outnumber English three to one, as in a
Russian bank's stream. The account's regular comments go on around them.

Against the demo's fortnight of history the spike watch raises term spikes at the
first check after the burst begins, and near-duplicate grouping gathers each
language's complaints into one incident (``tests/adapters/test_demo_outage.py``).

:data:`OUTAGE_ENV` moves it, for a tester who would rather not wait: minutes after the
demo opens (``0`` for at once, ``0.5`` for half a minute), or ``off``. The demo's spike
watch counts ten minutes of the live stream before it alerts, so an outage moved before
that is gathered and answered the same, without the alert.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from smm_tui.adapters import demo_corpus as corpus

__all__ = ["OUTAGE_AFTER", "OUTAGE_ENV", "OUTAGE_SPAN", "OutageComment", "outage_after", "plan"]

#: How long after the demo opens the app goes down: after the demo's spike watch has
#: counted its first minutes of the live stream (``runtime.trends_from``), so that the
#: burst is measured against them.
OUTAGE_AFTER: Final = timedelta(minutes=12)
#: How long the burst of complaints lasts.
OUTAGE_SPAN: Final = timedelta(minutes=10)
#: The environment variable that moves the outage: minutes after opening, or "off".
OUTAGE_ENV: Final = "SMM_TUI_DEMO_OUTAGE"
_OFF: Final = frozenset({"off", "no", "never", "false"})
_PER_ACCOUNT: Final = (8, 12)
_LANGUAGES: Final = ("ru", "en")
_LANGUAGE_WEIGHTS: Final = (0.75, 0.25)
_UNRELATED_SHARE: Final = 0.1
_OPENER_SHARE: Final = 0.4
_CLOSER_SHARE: Final = 0.4
_TYPO_SHARE: Final = 0.2
#: The first complaint comes this long after the outage begins, at most.
_FIRST_WITHIN_S: Final = 10.0


@dataclass(frozen=True, slots=True)
class OutageComment:
    """One comment of an account's burst, before the stream gives it an author and a post."""

    #: Seconds after the stream's start.
    offset_s: float
    language: str
    text: str
    #: False for the few written during the outage about something else.
    about_outage: bool


def outage_after(environ: Mapping[str, str]) -> timedelta | None:
    """When the demo's outage begins after it opens: :data:`OUTAGE_ENV`, else
    :data:`OUTAGE_AFTER`; None when it is turned off. A value that is not a number of
    minutes keeps the default."""
    value = environ.get(OUTAGE_ENV, "").strip().lower()
    if value in _OFF:
        return None
    try:
        minutes = float(value)
    except ValueError:
        return OUTAGE_AFTER
    if not 0 <= minutes < 24 * 60:
        return OUTAGE_AFTER
    return timedelta(minutes=minutes)


def plan(rng: random.Random, after: timedelta) -> tuple[OutageComment, ...]:
    """One account's burst, oldest first, beginning ``after`` the stream's start."""
    start = after.total_seconds()
    span = OUTAGE_SPAN.total_seconds()
    count = rng.randint(*_PER_ACCOUNT)
    # Squared draws crowd the complaints into the first minutes, as when an app goes down.
    offsets = [start + rng.uniform(1.0, _FIRST_WITHIN_S)]
    offsets += [start + span * rng.random() ** 2 for _ in range(count - 1)]
    return tuple(_comment(rng, offset) for offset in sorted(offsets))


def _comment(rng: random.Random, offset_s: float) -> OutageComment:
    language = rng.choices(_LANGUAGES, weights=_LANGUAGE_WEIGHTS)[0]
    if rng.random() < _UNRELATED_SHARE:
        return OutageComment(
            offset_s, language, rng.choice(corpus.OUTAGE_UNRELATED[language]), False
        )
    core = rng.choice(corpus.OUTAGE_CORES[language])
    if rng.random() < _TYPO_SHARE:
        core = _typo(rng, core)
    parts = [core]
    if rng.random() < _OPENER_SHARE:
        opener = rng.choice(corpus.OUTAGE_OPENERS[language])
        parts.insert(0, opener)
        parts[1] = parts[1][0].lower() + parts[1][1:]
    if rng.random() < _CLOSER_SHARE:
        parts.append(rng.choice(corpus.OUTAGE_CLOSERS[language]))
    return OutageComment(offset_s, language, " ".join(parts), True)


def _typo(rng: random.Random, text: str) -> str:
    """``text`` with two neighbouring letters of one longer word swapped."""
    words = text.split(" ")
    long_words = [n for n, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not long_words:
        return text
    n = rng.choice(long_words)
    word = words[n]
    at = rng.randrange(1, len(word) - 2)
    words[n] = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return " ".join(words)
