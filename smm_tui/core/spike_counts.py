"""What the spike watch counts: 5-minute buckets per scope, and the terms of a text.

Each mention is counted, by its creation time, into a bucket of three scopes
(the brand, its network, its account). A bucket holds the mention count, how
many had a known tone and how many of those were negative, and how many
mentions used each term: a folded word's stem, or a hashtag. Stop words, short
words, digits, links and ``@handles`` are not terms.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Final

from smm_tui.core.query_ast import fold
from smm_tui.core.stemming import needle_for

#: The length of a counting bucket.
BUCKET: Final = timedelta(minutes=5)
#: How far back the baseline reaches from the start of the window.
BASELINE: Final = timedelta(days=7)
#: How long buckets are kept: the baseline plus room for a window and late mentions.
KEEP: Final = timedelta(days=8)
#: The same spans in seconds, hours and buckets.
BUCKET_SECONDS: Final = int(BUCKET.total_seconds())
BUCKET_HOURS: Final = BUCKET / timedelta(hours=1)
BASELINE_BUCKETS: Final = int(BASELINE / BUCKET)
KEEP_BUCKETS: Final = int(KEEP / BUCKET)

#: A scope: ``("brand",)``, ``("network", "vk")`` or ``("account", "bank-vk")``.
Scope = tuple[str, ...]
BRAND: Final[Scope] = ("brand",)

#: Words too common to trend on their own (folded), besides the ``ignored`` setting.
_STOP_TEXT: Final = """
это что как так для вот все уже или они она оно его ее еще мне меня нас вас вам нам
был была было были быть есть нет только когда кто где там тут здесь если чтобы
потому очень можно надо без при про над под всех всем тоже даже ничего
почему зачем который которая которые свой свои мой моя наш ваш сейчас опять снова
the and for you your are was were this that with have has had but not just can will
what when from they them our out all any get got its about would could there their
been why how who which than then also into more some only very
"""
STOP_WORDS: Final = frozenset(_STOP_TEXT.split())

# -- terms -------------------------------------------------------------------------

_TOKENS: Final = re.compile(r"https?://\S+|[@#]?\w+")
_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_LIMIT: Final = 100_000


def _stem(word: str) -> str:
    stem = _STEM_CACHE.get(word)
    if stem is None:
        if len(_STEM_CACHE) >= _STEM_CACHE_LIMIT:
            _STEM_CACHE.clear()
        stem = _STEM_CACHE[word] = needle_for(word)
    return stem


def term_key(word: str) -> str:
    """What a word or ``#hashtag`` is counted under: its stem, or the folded hashtag."""
    folded = fold(word.strip())
    return folded if folded.startswith("#") else _stem(folded)


def text_terms(text: str) -> Iterator[tuple[str, str]]:
    """(key, form) for each word and hashtag of ``text`` that is counted, repeats included.

    The key is :func:`term_key`'s; stop words, short words, digits, links and
    ``@handles`` are left out, as the watch leaves them out.
    """
    for token in _TOKENS.findall(fold(text)):
        if token[0] == "#":
            if len(token) > 1:
                yield token, token
        elif len(token) >= 3 and token.isalpha() and token not in STOP_WORDS:
            yield _stem(token), token
        # Links and @handles are skipped: every mention of an account names it.


# -- buckets ---------------------------------------------------------------------


@dataclass(slots=True)
class Bucket:
    """One scope's counts in one bucket: mentions, those with a tone, the negative ones, terms."""

    volume: int = 0
    toned: int = 0
    negative: int = 0
    terms: Counter[str] = field(default_factory=Counter)


def bucket_index(at: datetime) -> int:
    """The number of the bucket ``at`` falls in (buckets count from the Unix epoch)."""
    return int(at.timestamp()) // BUCKET_SECONDS


@lru_cache(maxsize=8192)
def hour_of(bucket: int, zone: tzinfo) -> int:
    """The hour of the day, in ``zone``, at which a bucket starts."""
    return datetime.fromtimestamp(bucket * BUCKET_SECONDS, zone).hour
