"""The classifier's reading: a folded text turned into a tally of evidence.

:func:`read_shapes` reads what is not words (handles, links, phone numbers, money,
emoji, emoticons); :func:`read_words` reads the words, phrase by phrase, with
negation, intensifiers, contrast and "if" clauses. Both add to a :class:`Tally`,
which :mod:`smm_tui.core.classify` then weighs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from smm_tui.core.addressing import strip_handles
from smm_tui.core.classify_words import (
    ASKS,
    AUXILIARIES,
    BREAK,
    CANT,
    CONDITION,
    CONTRAST,
    DISJUNCTIONS,
    FEE_WORDS,
    INTENSIFIER,
    NEGATOR,
    PHRASE_HEADS,
    PHRASES,
    POST_INTENSIFIER,
    QUESTION_OPENERS,
    ROLES,
    SUBJECTS,
    TOKEN_RE,
    WHAT_FOLLOWERS,
    phrase_length,
    read_token,
)
from smm_tui.core.lexicon import CLAP, EMOJI, SARCASTIC_EMOJI, SPAM_EMOJI, Entry, Kind

_QUOTE_CHARS: Final = 30

_ANY_EMOJI_RE: Final = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b50]")
_DIGIT_RE: Final = re.compile(r"\d")
_EMOTICON_RE: Final = re.compile(r"(?<![\w(])[:;]-?[)d]|\){2,}|(?<!\w):-?\(|\({2,}")
_LINK_RE: Final = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|(?<![\w.-])(?:[a-z0-9-]{1,63}\.){1,4}(?:ru|com|net|org|io|me|ly|cc|co|xyz|info|biz|site"
    r"|online|shop|top|link|click|app|example|su|рф)\b(?:/\S*)?"
)
_PHONE_RE: Final = re.compile(r"(?<![\w+])\+?\d[\d\s()-]{8,16}\d(?!\w)")
_MONEY_RE: Final = re.compile(
    r"[$€£₽]\s?\d[\d.,]{0,9}"
    r"|(?<![\d.,])\d[\d.,]{0,9}\s?(?:[$€£₽]|k\b|к\b|usdt?\b|руб|тыс|دولار|ريال)"
)
_SCARE_QUOTES_RE: Final = re.compile(r"[«\"“]([^»\"”]{1,40})[»\"”]")


# -- the tally --------------------------------------------------------------------------------


@dataclass(slots=True)
class Hit:
    """One piece of evidence: its signed weight, kind, what it says and the words it quotes."""

    weight: float  # signed: > 0 speaks for a positive tone, < 0 for a negative one
    kind: str
    label: str
    quote: str
    #: Made by a negation ("не работает", "couldn't …"): in a question it asks as much as blames.
    negated: bool = False


@dataclass(slots=True)
class Tally:
    """Everything read from one text: tone hits, spam evidence, question and sarcasm cues."""

    hits: list[Hit] = field(default_factory=list)
    spam: float = 0.0
    spam_quotes: list[str] = field(default_factory=list)
    weak_spam: float = 0.0
    question: str = ""
    sarcasm: str = ""
    exclaims: int = 0
    fee: str = ""  # a fee or a charge is mentioned …
    free: bool = False  # … and so is "free": a charge for what was promised free
    #: Where each "if" clause's hits begin and end: "if I block my card, will …?"
    conditions: list[tuple[int, int]] = field(default_factory=list)

    def add(
        self, weight: float, kind: str, label: str, quote: str, *, negated: bool = False
    ) -> None:
        """Record a tone hit."""
        self.hits.append(Hit(weight, kind, label, quote, negated))

    def add_spam(self, weight: float, quote: str, *, weak: bool = False) -> None:
        """Record spam evidence; ``weak`` counts only beside real spam markers."""
        if weak:
            self.weak_spam += weight
        else:
            self.spam += weight
        self.spam_quotes.append(quote)


def short_quote(text: str) -> str:
    """``text`` on one line, cut to a few words for a signal."""
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1] + "…"


# -- reading ----------------------------------------------------------------------------------


def read_shapes(folded: str, tally: Tally, own: frozenset[str]) -> str:
    """Spam shapes, emoji and emoticons; returns the text left for word reading.

    Handles go first: the leading addressing and our own handles are not read at
    all, and a link-like tail (``@anna@mstdn.io``) is part of its handle.
    """
    if "@" in folded:
        folded, strangers = strip_handles(folded, own)
        if strangers:
            tally.add_spam(0.5, f"handle «{short_quote(strangers[0])}»", weak=True)
    links = _LINK_RE.findall(folded)
    if links:
        tally.add_spam(1.5, f"link «{short_quote(links[0])}»")
        folded = _LINK_RE.sub(" ", folded)
    if _DIGIT_RE.search(folded):
        if _PHONE_RE.search(folded):
            tally.add_spam(1.5, "phone number")
        money = _MONEY_RE.search(folded)
        if money:
            tally.add_spam(0.75, f"money «{short_quote(money.group())}»", weak=True)
    emojis = _ANY_EMOJI_RE.findall(folded)
    if emojis:
        _read_emoji(emojis, tally)
    if "(" in folded or ")" in folded:
        for emoticon in _EMOTICON_RE.findall(folded):
            sad = "(" in emoticon
            label = "negative" if sad else "positive"
            tally.add(-1.5 if sad else 1.0, Kind.BAD if sad else Kind.GOOD, label, emoticon[:4])
    return folded


def _read_emoji(emojis: list[str], tally: Tally) -> None:
    promo = [emoji for emoji in emojis if emoji in SPAM_EMOJI]
    if promo:
        tally.add_spam(min(1.5, 0.5 * len(promo)), f"promo emoji {''.join(promo[:3])}")
    if len(emojis) >= 3:
        tally.add_spam(0.5, "many emoji", weak=True)
    for emoji in emojis:
        weight = EMOJI.get(emoji)
        if weight is None:
            continue
        if emoji in SARCASTIC_EMOJI or emoji == CLAP:
            tally.sarcasm = tally.sarcasm or emoji
        if weight:
            label = "positive" if weight > 0 else "negative"
            tally.add(weight, Kind.GOOD if weight > 0 else Kind.BAD, label, emoji)


def _score_entry(tally: Tally, entry: Entry, quote: str, negator: str, boost: float) -> bool:
    """Record one lexicon hit; returns whether it used up a pending negation."""
    kind, weight = entry
    weight *= boost
    if kind == Kind.SPAM:
        tally.add_spam(weight, f"«{short_quote(quote)}»")
        return False
    if kind == Kind.WEAK_SPAM:
        tally.add_spam(weight, f"«{short_quote(quote)}»", weak=True)
        tally.free = True
        return False
    if kind in (Kind.ISSUE, Kind.REPEAT):  # negation does not undo a problem: "still no refund"
        if kind == Kind.ISSUE and not tally.fee and any(word in quote for word in FEE_WORDS):
            tally.fee = quote
        tally.add(-weight, kind, "complaint", quote)
        return False
    if kind == Kind.SARCASM:
        tally.sarcasm = tally.sarcasm or f"«{short_quote(quote)}»"
        tally.add(-weight, Kind.BAD, "sarcasm", quote)
        return False
    if kind == Kind.QUESTION:
        tally.question = tally.question or f"«{short_quote(quote)}»"
        return False
    if not negator:
        if kind in (Kind.GOOD, Kind.THANKS, Kind.FIXED):
            tally.add(weight, kind, "positive" if kind == Kind.GOOD else "praise", quote)
        elif kind == Kind.BAD:
            tally.add(-weight, kind, "negative", quote)
        return False
    negated = f"{negator} {quote}"
    if kind == Kind.BAD:
        tally.add(0.7 * weight, Kind.GOOD, "positive", negated)
    elif kind == Kind.GOOD:
        tally.add(-0.75 * weight, Kind.BAD, "negative", negated)
    elif kind in (Kind.WORKS, Kind.FIXED):
        tally.add(-weight, Kind.ISSUE, "complaint", negated, negated=True)
    return kind != Kind.IGNORE


def read_words(text: str, script: str, tally: Tally) -> None:
    """Score the words: phrases, negation windows, intensifiers, question openers."""
    read = [read_token(raw, script) for raw in TOKEN_RE.findall(text)]
    tokens = [token for token, _entry in read]
    negator, negation_left = "", 0
    boost, boost_left = 1.0, 0
    clause_start = True
    contrast_at = 0
    condition_at = -1
    i, count = 0, len(tokens)
    while i < count:
        token, entry = read[i]
        role = ROLES.get(token)
        if role == BREAK:
            _expire_negation(tally, negator)
            negator, negation_left, clause_start = "", 0, True
            if condition_at >= 0:
                tally.conditions.append((condition_at, len(tally.hits)))
                condition_at = -1
            if token in "?؟":
                tally.question = tally.question or "?"
            elif token == "!":
                tally.exclaims += 1
            i += 1
            continue
        if clause_start and _opens_question(tokens, i):
            tally.question = tally.question or f"«{token}»"
        clause_start = False
        size = phrase_length(tokens, i) if token in PHRASE_HEADS else 0
        if size:
            quote = " ".join(tokens[i : i + size])
            phrase = PHRASES[tuple(tokens[i : i + size])]
            i += size
            if phrase[0] == Kind.NEGATE:
                negator, negation_left = quote, 3
            elif phrase[0] != Kind.IGNORE and _score_entry(tally, phrase, quote, negator, boost):
                negator, negation_left = "", 0
            continue
        i += 1
        if role is not None:
            if role == NEGATOR:
                # Negative concord: "никто ничего не объясняет" stays negative.
                negator, negation_left = negator or token, 3
                continue
            if role == INTENSIFIER:
                boost, boost_left = 1.5, 2
                continue
            if role == POST_INTENSIFIER:
                if tally.hits:
                    tally.hits[-1].weight *= 1.5
                continue
            if role == CONTRAST:
                contrast_at = len(tally.hits)
            elif role == CONDITION:
                condition_at = len(tally.hits)
            elif role == ASKS:
                tally.question = tally.question or f"«{token}»"
        if entry is not None and _score_entry(tally, entry, token, negator, boost):
            negator, negation_left = "", 0
        negation_left -= 1
        if negator and negation_left <= 0:
            _expire_negation(tally, negator)
            negator = ""
        boost_left -= 1
        if boost_left <= 0:
            boost = 1.0
    _expire_negation(tally, negator)
    if condition_at >= 0:
        tally.conditions.append((condition_at, len(tally.hits)))
    for hit in tally.hits[:contrast_at]:
        hit.weight *= 0.6  # "спасибо, но…": what follows the contrast counts more
    if tally.fee and tally.free and DISJUNCTIONS.isdisjoint(tokens):
        tally.add(-1.5, Kind.ISSUE, "complaint", f"{tally.fee} … free")


def _expire_negation(tally: Tally, negator: str) -> None:
    if negator in CANT:
        tally.add(-1.5, Kind.ISSUE, "complaint", negator, negated=True)


def _opens_question(tokens: list[str], i: int) -> bool:
    token = tokens[i]
    if token == "ما":
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        return following in WHAT_FOLLOWERS or following.startswith("ال")
    if token == "чем" and i >= 2 and tokens[i - 1] == ",":
        return not tokens[i - 2].endswith(("ше", "ее", "же", "ле"))  # "меньше, чем …"
    if token in QUESTION_OPENERS:
        return True
    return token in AUXILIARIES and i + 1 < len(tokens) and tokens[i + 1] in SUBJECTS


def scare_quoted_praise(folded: str, script: str) -> str:
    """A positive word in quotes ("«быстрая доставка»") is usually sarcasm."""
    for quoted in _SCARE_QUOTES_RE.findall(folded):
        for token in TOKEN_RE.findall(quoted):
            entry = read_token(token, script)[1]
            if entry is not None and entry[0] in (Kind.GOOD, Kind.THANKS):
                return f"«{short_quote(quoted)}» in quotes"
    return ""
