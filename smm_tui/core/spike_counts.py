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
from itertools import chain
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

# A handle runs on through dots and a second @ (``@anna@mastodon.social``,
# ``@bank.bsky.social``): its pieces are not words of the text.
_TOKENS: Final = re.compile(r"https?://\S+|@[\w.@-]*\w|#?\w+")
_STEM_CACHE: dict[str, str] = {}
# A text is read as its runs (what lies between spaces, folded): neither alternative of
# _TOKENS spans a space, so a text's tokens are its runs' tokens, and runs repeat from
# text to text far more than texts do. Each run is read once, into the words of it that
# are counted (as typed, in order) and their keys; the two caches are filled and emptied
# together.
_RUN_WORDS: dict[str, tuple[str, ...]] = {}
_RUN_KEYS: dict[str, tuple[str, ...]] = {}
_CACHE_LIMIT: Final = 100_000


def _stem(word: str) -> str:
    stem = _STEM_CACHE.get(word)
    if stem is None:
        if len(_STEM_CACHE) >= _CACHE_LIMIT:
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
    for run in text_runs(text):
        words, keys = _read(run)
        yield from zip(keys, words, strict=True)


def text_runs(text: str) -> list[str]:
    """``text`` folded and split at spaces: what :func:`run_keys` and :func:`run_words` read."""
    return fold(text).split()


def run_keys(runs: list[str]) -> set[str]:
    """The keys of the words counted in ``runs`` (a text's :func:`text_runs`), each once."""
    try:
        # All of it in C: a mention's runs are almost always known.
        return set(chain.from_iterable(map(_RUN_KEYS.__getitem__, runs)))
    except KeyError:
        return {key for run in runs for key in _read(run)[1]}


def run_words(run: str) -> tuple[str, ...]:
    """The words and hashtags counted in one run, as typed (folded), repeats included."""
    return _read(run)[0]


def _read(run: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A run's counted words and their keys, read once."""
    words, keys = _RUN_WORDS.get(run), _RUN_KEYS.get(run)
    if words is None or keys is None:
        return _learn(run)
    return words, keys


def _learn(run: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if len(_RUN_WORDS) >= _CACHE_LIMIT:
        _RUN_WORDS.clear()
        _RUN_KEYS.clear()
    words = tuple(token for token in _TOKENS.findall(run) if _is_counted(token))
    keys = tuple(word if word[0] == "#" else _stem(word) for word in words)
    _RUN_WORDS[run], _RUN_KEYS[run] = words, keys
    return words, keys


def _is_counted(token: str) -> bool:
    if token[0] == "#":
        return len(token) > 1
    # Links and @handles are not: every mention of an account names it.
    return len(token) >= 3 and token.isalpha() and token not in STOP_WORDS


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
