"""A local, rule-based classifier of tone and intent for short comments.

Russian and English, with basic Arabic, in one pass over the text: there is no
model, no network and no dependency beyond the standard library. It reads
comments under a bank's or a retailer's posts, so its lexicons are about cards,
transfers, apps, deliveries and the people who answer for them.

How a text is read:

1. Cleaned: only the first :data:`MAX_CHARS` characters; controls, zero-width and
   bidi characters removed; lower case, Cyrillic yo as ye, Arabic letter variants and
   diacritics folded; a letter repeated three times or more counts once
   (``ооочень`` → ``очень``, ``sooo`` → ``so``).
2. The leading @-addressing and our own accounts' handles are cut out unread. Spam
   evidence on the raw shape (links, phone numbers, sums of money, others' handles,
   promo emoji) and in words (``заработок``, ``пиши в лс``, ``giveaway``, ``DM me``);
   money, "free" and handles count only beside such real markers.
3. Word tokens, looked up exactly, then by stem (longest known prefix; for Arabic
   after stripping ``ال``/``و``/``ب``…), with phrases (of 2 to 4 words) first. Each hit
   has a kind: tone (good, bad), a concrete problem (issue), gratitude, a fix, a
   verb that is only bad when negated (``не работает``), a repetition
   (``опять``, ``again``), or spam.
4. Negation flips the next tone word within three words (``не плохо``,
   ``not happy``); intensifiers scale it; a contrast (``но``, ``but``) weakens what
   came before.
5. Sarcasm turns praise into blame: set phrases (``ну спасибо``, ``thanks for
   nothing``), eye-roll emoji, praise in scare quotes, 👏 next to a complaint. A
   concrete problem that nothing says was fixed outweighs praise too.
6. Intent: spam first; then a negative tone is a complaint (``почему опять не
   работает?!``); then a question; then a positive tone is praise; else other. In a
   question without "!", blame that comes from a negation or an "if" clause counts
   half: "Couldn't find it on the site?" asks.

The lexicon is data, one file per language (``core/lexicons/*.txt``), read by
:mod:`smm_tui.core.lexicon`; :mod:`smm_tui.core.classify_words`
looks words up in it, :mod:`smm_tui.core.classify_reading` reads a text into a tally of
evidence (steps 1 to 4), and this module weighs the tally (steps 5 and 6).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from smm_tui.core.addressing import own_keys
from smm_tui.core.classify_reading import (
    Tally,
    read_shapes,
    read_words,
    scare_quoted_praise,
    short_quote,
)
from smm_tui.core.classify_words import FOLD
from smm_tui.core.lexicon import CLAP, Kind
from smm_tui.core.models import Intent, Mention, Sentiment

__all__ = ["MAX_CHARS", "Classification", "classify", "classify_mention"]

#: Only this many characters of a text are read; comments are far shorter.
MAX_CHARS: Final = 10_000

#: A score at or above this is positive, at or below ``_NEGATIVE_AT`` negative.
_POSITIVE_AT: Final = 1.0
_NEGATIVE_AT: Final = -1.2
#: Spam evidence needed to call a text spam, of which this much must be real markers
#: (links, phones, crypto, "DM me"), not only money, "free" or handles.
_SPAM_AT: Final = 2.0
_SPAM_MARKERS_AT: Final = 1.0
_MAX_SIGNALS: Final = 8


@dataclass(frozen=True, slots=True)
class Classification:
    """The tone and intent of a text, with the reasons for both.

    ``signals`` are short one-line reasons for a person to read, strongest first,
    such as ``negative: «не работает»`` or ``question: ends with ?``.
    """

    sentiment: Sentiment
    intent: Intent
    signals: tuple[str, ...]


def _prepare(text: str) -> str:
    return text[:MAX_CHARS].lower().translate(FOLD)


# -- deciding ---------------------------------------------------------------------------------


def _tone(tally: Tally, folded: str, script: str) -> tuple[float, list[str]]:
    """The signed tone score, after sarcasm and fixes; plus the notes that explain it."""
    notes: list[str] = []
    hits = tally.hits
    if tally.question and not tally.exclaims:  # "?!" is indignation, not a question
        _soften_asked(tally)
    fixed = any(hit.kind == Kind.FIXED and hit.weight > 0 for hit in hits)
    positive = negative = issue = 0.0
    for hit in hits:
        if hit.weight > 0:
            positive += hit.weight
            continue
        if fixed and hit.kind == Kind.ISSUE:
            hit.weight *= 0.25  # "разобрались с блокировкой": the problem is over
        negative -= hit.weight
        if hit.kind == Kind.ISSUE:
            issue -= hit.weight
    if ("«" in folded or '"' in folded or "“" in folded) and not tally.sarcasm:
        tally.sarcasm = scare_quoted_praise(folded, script)
    cue = tally.sarcasm
    if cue == CLAP and negative == 0:
        cue = ""  # applause with nothing to complain about is applause
    if cue and positive > 0:
        notes.append(f"sarcasm: {cue} with praise")
        negative, positive = negative + positive, 0.0
    elif issue >= 1.5 and not fixed and positive > 0:
        notes.append("mixed: an unresolved problem outweighs the praise")
        positive = 0.0
    score = positive - negative
    if tally.exclaims >= 2:
        score *= 1.2
    return score, notes


def _soften_asked(tally: Tally) -> None:
    """In a question, a negation ("couldn't find it") or an "if" clause blames half as much."""
    for hit in tally.hits:
        if hit.negated:
            hit.weight *= 0.5
    for start, end in tally.conditions:
        for hit in tally.hits[start:end]:
            if hit.weight < 0:
                hit.weight *= 0.5


def _sentiment(score: float) -> Sentiment:
    if score >= _POSITIVE_AT:
        return Sentiment.POSITIVE
    if score <= _NEGATIVE_AT:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def _is_spam(tally: Tally, score: float) -> bool:
    if tally.spam < _SPAM_MARKERS_AT:
        return False
    evidence = tally.spam + tally.weak_spam
    # A warning about fraud quotes the fraud; strong blame keeps it a complaint.
    return evidence >= _SPAM_AT and not (score <= -3.0 and evidence < 3.5)


def _intent(sentiment: Sentiment, question: bool) -> Intent:
    if sentiment is Sentiment.NEGATIVE:
        return Intent.COMPLAINT
    if question:
        return Intent.QUESTION
    if sentiment is Sentiment.POSITIVE:
        return Intent.PRAISE
    return Intent.OTHER


def _signals(tally: Tally, notes: Iterable[str], spam: bool, folded: str) -> tuple[str, ...]:
    lines: list[str] = []
    if spam:
        lines.extend(f"spam: {quote}" for quote in tally.spam_quotes)
    lines.extend(notes)
    ranked = sorted(tally.hits, key=lambda hit: -abs(hit.weight))
    lines.extend(f"{hit.label}: «{short_quote(hit.quote)}»" for hit in ranked if hit.weight)
    if tally.question == "?":
        ends = folded.rstrip().endswith(("?", "؟"))
        lines.append("question: ends with ?" if ends else "question: has ?")
    elif tally.question:
        lines.append(f"question: {tally.question}")
    unique = list(dict.fromkeys(lines))
    return tuple(unique[:_MAX_SIGNALS])


def classify(text: str, language: str = "", own: Iterable[str] = ()) -> Classification:
    """Classify one comment's tone and intent, with the reasons.

    Pure and deterministic: the same text always gets the same answer. ``language``
    ("ru", "en", "ar" or "") is only a hint for words that mix Latin and Cyrillic
    letters; all lexicons are always read, since comments mix languages. An empty
    or unreadable text is neutral with intent ``other``. Only the first
    :data:`MAX_CHARS` characters are read.

    ``own`` names our own accounts (names or handles, in any network's spelling):
    mentions of them are not read, nor is the text's leading @-addressing.
    """
    folded = _prepare(text)
    script = language if language in ("ru", "en") else ""
    tally = Tally()
    words = read_shapes(folded, tally, own_keys(own) if own else frozenset())
    read_words(words, script, tally)
    score, notes = _tone(tally, folded, script)
    spam = _is_spam(tally, score)
    if spam:
        sentiment, intent = Sentiment.NEUTRAL, Intent.SPAM
    else:
        sentiment = _sentiment(score)
        intent = _intent(sentiment, bool(tally.question))
    return Classification(sentiment, intent, _signals(tally, notes, spam, folded))


def classify_mention(mention: Mention) -> Classification:
    """Classify a mention, never reading its own account's handle as evidence.

    Ingest asks several times per mention (its labels, then whether spam in it is
    certain): the answer for the last few texts is kept.
    """
    return _classified(mention.text, mention.language, mention.account)


@lru_cache(maxsize=1024)
def _classified(text: str, language: str, account: str) -> Classification:
    return classify(text, language, (account,))
