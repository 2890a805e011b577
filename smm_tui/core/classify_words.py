"""The classifier's word lookup: folding, tokens, and every language's lexicon as one.

The per-language tables of :data:`smm_tui.core.lexicon.LANGUAGES` (read from
``lexicons/*.txt``) are merged here, their keys folded as a text is: a token is looked
up exactly, then by its longest known stem, and for Arabic again after an attached
prefix. Function words get one role each (negator, intensifier, …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Final

from smm_tui.core.lexicon import CLAUSE_BREAKS, LANGUAGES, Entry, Row

#: Word tokens (with inner apostrophes) and the punctuation that breaks clauses.
TOKEN_RE: Final = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[.,!?;:…؟،]")
_RUNS_RE: Final = re.compile(r"([^\W\d_])\1{2,}")
_RUN_RE: Final = re.compile(r"(.)\1\1")
_LATIN_RE: Final = re.compile(r"[a-z]")
_CYRILLIC_RE: Final = re.compile(r"[а-я]")


def _fold_table() -> dict[int, str | None]:
    """One translate() table: drop controls and invisibles, fold letters and quotes."""
    table: dict[int, str | None] = {}
    for code in (*range(0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)):
        table[code] = " "
    for code in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070)):
        table[code] = None
    for code in (0xFE0F, 0xFE0E, 0xFEFF, 0x00AD, 0x0640, *range(0x064B, 0x0660), 0x0670):
        table[code] = None  # variation selectors, BOM, soft hyphen, tatweel, harakat
    table.update({ord(k): v for k, v in {"ё": "е", "’": "'", "‘": "'", "ʼ": "'", "`": "'"}.items()})
    table.update({ord(k): "ا" for k in "أإآٱ"})
    table[ord("ى")] = "ي"
    table[ord("ؤ")] = "و"
    return table


#: The ``str.translate`` table that folds a lower-cased text before it is read.
FOLD: Final = _fold_table()
_LATIN_TO_CYRILLIC: Final = str.maketrans("aceopxykmtbh", "асеорхукмтвн")
_CYRILLIC_TO_LATIN: Final = str.maketrans("асеорхукмтвн", "aceopxykmtbh")


# -- the lexicon, every language at once, folded ----------------------------------------------


def _words(rows: Iterable[Row]) -> Mapping[str, Entry]:
    folded = {
        word.translate(FOLD): (kind, weight) for kind, weight, text in rows for word in text.split()
    }
    return MappingProxyType(folded)


def _phrases(rows: Iterable[Row]) -> Mapping[tuple[str, ...], Entry]:
    return MappingProxyType(
        {
            tuple(word.translate(FOLD) for word in phrase.split()): (kind, weight)
            for kind, weight, text in rows
            for phrase in text.split("|")
        }
    )


_ALL: Final = tuple(LANGUAGES.values())


def _union(section: str) -> frozenset[str]:
    return frozenset().union(*(language.words(section) for language in _ALL))


_EXACT: Final = _words(row for language in _ALL for row in language.exact)
_STEMS: Final = _words(row for language in _ALL for row in language.stems)
#: Phrase (as folded tokens) → its entry.
PHRASES: Final = _phrases(row for language in _ALL for row in language.phrases)
#: The first tokens of the phrases: only these start a phrase lookup.
PHRASE_HEADS: Final = frozenset(key[0] for key in PHRASES)
_LONGEST_STEM: Final = max(map(len, _STEMS))

#: Words that open a question at the start of a clause, in any language.
QUESTION_OPENERS: Final = _union("question_openers")
#: "free or paid?" asks; "a fee though it is free" complains.
DISJUNCTIONS: Final = _union("disjunctions")
#: Hits that name a fee or a charge (with "free" in the text they are a complaint).
FEE_WORDS: Final = tuple(
    word for code in ("en", "ru", "ar") for word in LANGUAGES[code].ordered("fee_words")
)
#: "can't" with nothing after it that it negates is itself a problem ("cant login").
CANT: Final = LANGUAGES["en"].words("cant")
#: Auxiliaries open a question when a subject follows ("can I", "is there").
AUXILIARIES: Final = LANGUAGES["en"].words("auxiliaries")
SUBJECTS: Final = LANGUAGES["en"].words("subjects")
#: After Arabic "ما", these make it "what …?"; before a verb it is the dialect's "not".
WHAT_FOLLOWERS: Final = LANGUAGES["ar"].words("what_followers")
#: Attached Arabic prefixes stripped to find a word, longest first.
ARABIC_PREFIXES: Final = LANGUAGES["ar"].ordered("prefixes")

# -- what function words do -------------------------------------------------------------------

BREAK, NEGATOR, INTENSIFIER, POST_INTENSIFIER, CONTRAST, ASKS, CONDITION = range(7)
#: One lookup tells what a function word does; later groups win on overlap.
ROLES: Final[Mapping[str, int]] = MappingProxyType(
    {
        word: role
        for role, group in [
            (ASKS, _union("question_anywhere")),
            (CONDITION, _union("conditionals")),
            (CONTRAST, _union("contrast")),
            (POST_INTENSIFIER, _union("post_intensifiers")),
            (INTENSIFIER, _union("intensifiers")),
            (NEGATOR, _union("negators")),
            (BREAK, CLAUSE_BREAKS),
        ]
        for word in group
    }
)


# -- lookup -----------------------------------------------------------------------------------


def phrase_length(tokens: list[str], start: int) -> int:
    """The length of the lexicon phrase starting at ``start`` (longest first), or 0."""
    for size in (4, 3, 2):
        if start + size <= len(tokens) and tuple(tokens[start : start + size]) in PHRASES:
            return size
    return 0


def _stem_entry(token: str) -> Entry | None:
    entry = _EXACT.get(token)
    if entry is not None:
        return entry
    for size in range(min(len(token), _LONGEST_STEM), 2, -1):
        entry = _STEMS.get(token[:size])
        if entry is not None:
            return entry
    return None


@lru_cache(maxsize=1 << 16)
def read_token(token: str, script: str) -> tuple[str, Entry | None]:
    """A token's canonical form and lexicon entry; ``script`` breaks Latin/Cyrillic ties.

    The canonical form has letter runs collapsed ("ооочень" → "очень") and, in a
    word that mixes Latin and Cyrillic look-alikes, one script only.
    """
    if _RUN_RE.search(token):
        token = _RUNS_RE.sub(r"\1", token)
    if _LATIN_RE.search(token) and _CYRILLIC_RE.search(token):
        latin = len(_LATIN_RE.findall(token))
        cyrillic = len(_CYRILLIC_RE.findall(token))
        to_cyrillic = script == "ru" or (script != "en" and cyrillic >= latin)
        token = token.translate(_LATIN_TO_CYRILLIC if to_cyrillic else _CYRILLIC_TO_LATIN)
    entry = _stem_entry(token)
    if entry is not None or not ("\u0600" <= token[0] <= "\u06ff"):
        return token, entry
    for prefix in ARABIC_PREFIXES:
        if token.startswith(prefix) and len(token) - len(prefix) >= 2:
            entry = _stem_entry(token[len(prefix) :])
            if entry is not None:
                return token, entry
    return token, None


def clear_token_cache() -> None:
    """Forget the tokens read so far (to measure or test a cold start)."""
    read_token.cache_clear()
