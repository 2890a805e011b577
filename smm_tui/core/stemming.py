"""Word forms: a plain query word matches the forms of that word, in Russian and English.

A word typed in a query (not a quoted phrase, which stays exact) is looked for as
its Snowball stem: ``карта`` as ``карт``, which every form of the word begins with
(``карты``, ``карту``, ``картой``), so the substring search the feed's index runs
finds them all. Snowball's Russian algorithm only takes endings off, so a Russian
stem always begins its word. The English one sometimes ends a stem in letters the
word does not have (``reply`` → ``repli``, ``trading`` → ``trade``): for such words
the searchable text carries the stem too, on a line after the text
(:func:`extra_stems`), so the stem of any form finds them. Only English words cost
a stemmer call when a text is indexed, each distinct word once (a bounded cache).

Only the text's whole words carry such stems, not the author's handle and name, nor
a word run into another (``@jennyk``, ``#happyhour``): a word whose stem it does not
begin is therefore also searched as typed (see ``query_text.needles``), so it still
finds everything it found before it matched its forms.
"""

from __future__ import annotations

import re
import threading
from typing import Final

import snowballstemmer

_RUSSIAN: Final = snowballstemmer.stemmer("russian")
_ENGLISH: Final = snowballstemmer.stemmer("english")
#: The stemmers keep state between calls: one thread at a time (the index builds in a worker).
_LOCK: Final = threading.Lock()
#: Folded text: lower case, and ``ё`` already read as ``е``.
_CYRILLIC_WORD: Final = re.compile("[а-я]+")
_LATIN_WORD: Final = re.compile("[a-z]+")
_LATIN_WORDS: Final = re.compile("[a-z]{3,}")
#: English word → the stem it needs written beside it ("" when its stem begins it).
_EXTRA: dict[str, str] = {}
_EXTRA_LIMIT: Final = 100_000


def _stem(stemmer: snowballstemmer.basestemmer.BaseStemmer, word: str) -> str:
    with _LOCK:
        stem: str = stemmer.stemWord(word)
    return stem or word


def needle_for(word: str) -> str:
    """What a folded query word is searched as: its stem, for a Russian or English word.

    Anything else (digits, punctuation, mixed scripts, Arabic) is searched as typed.
    """
    if _CYRILLIC_WORD.fullmatch(word):
        return _stem(_RUSSIAN, word)
    if _LATIN_WORD.fullmatch(word):
        return _stem(_ENGLISH, word)
    return word


def _extra(word: str) -> str:
    extra = _EXTRA.get(word)
    if extra is None:
        if len(_EXTRA) >= _EXTRA_LIMIT:
            _EXTRA.clear()
        stem = _stem(_ENGLISH, word)
        extra = _EXTRA[word] = "" if word.startswith(stem) else stem
    return extra


def extra_stems(folded_text: str) -> str:
    """The stems a folded text must carry besides itself: those its words do not begin with.

    Space-separated, each once; usually empty.
    """
    if not folded_text:
        return ""
    found = {_extra(word) for word in _LATIN_WORDS.findall(folded_text)}
    found.discard("")
    return " ".join(sorted(found))
