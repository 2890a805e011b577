"""Text search for queries: folded texts and their caches, needles, and the text predicates.

A word or phrase is looked for in a mention's :func:`searchable_text`: its folded text,
handle and display name. The folded text of each mention is kept in a bounded module
cache (see :func:`warm_text_cache`), which assumes, as the store guarantees, that
records are replaced and never mutated in place. Tags, accounts and other short names
are compared folded too, through a cache of their own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from smm_tui.core.indexed import IndexedRow, narrow
from smm_tui.core.query_ast import TextTerm, fold
from smm_tui.core.stemming import extra_stems, needle_for

#: A stored mention record (the shape of :meth:`~smm_tui.core.models.Mention.to_record`).
Record = Mapping[str, Any]
#: A compiled query: whether a record matches.
Predicate = Callable[[Record], bool]

#: How many mentions' folded text the cache keeps before starting afresh.
TEXT_CACHE_LIMIT: Final = 250_000
_SHORT_CACHE_LIMIT: Final = 50_000

# -- folding and its caches -----------------------------------------------------------------------


#: What the cache keeps per text: the author record it came with, the folded
#: ``text\nhandle\ndisplay name``, and where the folded text and handle end in it.
_Entry = tuple[Any, str, int, int]
#: Raw text → its entry. Keyed by the text itself, which a status change (a new record,
#: the same strings) keeps, so one lookup finds it. The author is checked (by identity
#: first: the store replaces records, it never mutates them), as many can send one text.
_HAYSTACKS: dict[str, _Entry] = {}
#: (text, handle, display name) → entry, for texts :data:`_HAYSTACKS` holds for another
#: author: copy-pasted complaints, "+1", "спасибо!".
_OTHERS: dict[tuple[str, str, str], _Entry] = {}
#: Short, often repeated strings (accounts, tags, languages, assignees) → folded.
_SHORT: dict[str, str] = {}


def _fold_record(text: str, author: Mapping[str, Any]) -> _Entry:
    """The entry of a text and author that :data:`_HAYSTACKS` does not hold."""
    handle, name = author["handle"], author.get("display_name") or ""
    key = (text, handle, name)
    entry = _OTHERS.get(key)
    if entry is None:
        if len(_HAYSTACKS) >= TEXT_CACHE_LIMIT or len(_OTHERS) >= TEXT_CACHE_LIMIT:
            clear_text_cache()
        folded_text, folded_handle = _with_stems(fold(text)), fold(handle)
        haystack = _haystack(folded_text, folded_handle, fold(name))
        entry = (author, haystack, len(folded_text), len(folded_text) + 1 + len(folded_handle))
        if text in _HAYSTACKS:
            _OTHERS[key] = entry
        else:
            _HAYSTACKS[text] = entry
    return entry


def _entry(record: Record) -> _Entry:
    text, author = record["text"], record["author"]
    entry = _HAYSTACKS.get(text)
    if entry is not None and (entry[0] is author or entry[0] == author):
        return entry
    return _fold_record(text, author)


def _fold_short(text: str) -> str:
    folded = _SHORT.get(text)
    if folded is None:
        if len(_SHORT) >= _SHORT_CACHE_LIMIT:
            _SHORT.clear()
        folded = _SHORT[text] = fold(text)
    return folded


def searchable_text(record: Record, *, cached: bool = True) -> str:
    """The folded text, handle and display name a word or phrase is looked for in.

    A text term matches exactly when its folded needle is a substring of this.
    ``cached=False`` works it out without keeping it in the module cache, for
    callers that keep it themselves.
    """
    if cached:
        return _entry(record)[1]
    author = record["author"]
    name = author.get("display_name") or ""
    return _haystack(_with_stems(fold(record["text"])), fold(author["handle"]), fold(name))


#: What a text term looks for in :func:`searchable_text`: any one of these strings. A
#: phrase or a word its stem begins is one needle; another word is its stem and itself.
Needles = tuple[str] | tuple[str, str]


def needles(term: TextTerm) -> Needles:
    """What a text term looks for in :func:`searchable_text`; any one of them matches.

    A phrase is itself. A word is its stem and, when the stem does not begin it
    (``timothy`` → ``timothi``), the word as typed too: only the text's whole words
    carry their stems (see :func:`_with_stems`), so a handle, a name or a word run
    into another (``Timothy Smith``, ``@jennyk``, ``#happyhour``) is found as written,
    as it was before words matched their forms. A Russian stem always begins its
    word, so a Russian word is one needle.
    """
    folded = fold(term.needle)
    if term.exact:
        return (folded,)
    stem = needle_for(folded)
    return (stem,) if stem in folded else (stem, folded)


def common_start(word: Needles) -> str:
    """The longest beginning all of ``word``'s needles share ("" if none).

    Every text holding one of them holds it: one substring test rules most texts out.
    """
    # Character by character is what is wanted here: these are words, not paths.
    return os.path.commonprefix(list(word))  # noqa: RUF071


def covers(found: Needles, wanted: Needles) -> bool:
    """Whether a text holding one of ``found`` surely holds one of ``wanted``."""
    return all(any(part in whole for part in wanted) for whole in found)


def _with_stems(folded_text: str) -> str:
    """The folded text, then (on a line of its own) the stems its words do not begin with."""
    stems = extra_stems(folded_text)
    return f"{folded_text}\n{stems}" if stems else folded_text


def _haystack(folded_text: str, folded_handle: str, folded_name: str) -> str:
    """What text terms search: the three parts on lines of their own, so no match spans two.

    ``folded_text`` ends with the stems line of :func:`_with_stems`, if it has one.

    Handle and name are one line each (sanitize sees to it; this, for data that
    bypassed it), so the last two line breaks always mark where they start.
    """
    handle, name = folded_handle.replace("\n", " "), folded_name.replace("\n", " ")
    return f"{folded_text}\n{handle}\n{name}"


def warm_text_cache(records: Iterable[Record]) -> None:
    """Fold the records' text ahead of the first search (for example while idle)."""
    for record in records:
        _entry(record)


def text_cache_size() -> int:
    """How many folded texts the cache holds now."""
    return len(_HAYSTACKS) + len(_OTHERS)


def clear_text_cache() -> None:
    """Forget every folded text (it refills as queries run)."""
    _HAYSTACKS.clear()
    _OTHERS.clear()
    _SHORT.clear()


def text_predicate(words: tuple[Needles, ...], negate: bool = False) -> Predicate:
    """Each word has one of its needles (folded) in the folded text, handle or display name."""
    if len(words) == 1:
        return _word_predicate(*words[0], negate=negate)
    # Each word as (its first needle, the other if any): a word of one needle costs one test.
    split = tuple((word[0], word[1:]) for word in words)
    narrowed = tuple((narrow(first), tuple(map(narrow, others))) for first, others in split)

    def contains_all(record: Record) -> bool:
        if type(record) is IndexedRow:
            folded, wanted = record.haystack, narrowed
        else:
            folded, wanted = _entry(record)[1], split
        for first, others in wanted:
            if first not in folded and not (others and any(n in folded for n in others)):
                return negate
        return not negate

    return contains_all


def _word_predicate(needle: str, word: str | None = None, *, negate: bool = False) -> Predicate:
    """One word: ``needle`` (its stem), or ``word`` as typed, in the folded haystack."""
    cache, fold_record = _HAYSTACKS, _fold_record
    row_needle = narrow(needle)
    if word is None:

        def contains(record: Record) -> bool:
            if type(record) is IndexedRow:  # an index row carries its haystack
                return (row_needle in record.haystack) is not negate
            # _entry inlined: this runs once per record per keystroke.
            text, author = record["text"], record["author"]
            entry = cache.get(text)
            if entry is None or not (entry[0] is author or entry[0] == author):
                entry = fold_record(text, author)
            return (needle in entry[1]) is not negate

        return contains

    row_word, common = narrow(word), common_start((needle, word))
    row_common = narrow(common)

    def contains_either(record: Record) -> bool:
        if type(record) is IndexedRow:
            hay = record.haystack
            found = row_common in hay and (row_needle in hay or row_word in hay)
            return found is not negate
        text, author = record["text"], record["author"]
        entry = cache.get(text)
        if entry is None or not (entry[0] is author or entry[0] == author):
            entry = fold_record(text, author)
        hay = entry[1]
        return (common in hay and (needle in hay or word in hay)) is not negate

    return contains_either


def author_predicate(value: str) -> Predicate:
    """``@handle``: that handle exactly (``@`` optional); otherwise part of handle or name."""
    if value.startswith("@"):
        handle = value.lstrip("@")
        narrowed_handle = narrow(handle)

        def exactly(record: Record) -> bool:
            folded, text_end, handle_end = _author_part(record)
            wanted = narrowed_handle if type(record) is IndexedRow else handle
            return folded[text_end + 1 : handle_end].lstrip("@") == wanted

        return exactly

    narrowed = narrow(value)

    def by(record: Record) -> bool:
        folded, text_end, _handle_end = _author_part(record)
        return folded.find(narrowed if type(record) is IndexedRow else value, text_end + 1) != -1

    return by


def _author_part(record: Record) -> tuple[str, int, int]:
    """The folded haystack, and where its text and its handle end."""
    if type(record) is IndexedRow:
        # Handle and name never hold a line break (sanitize makes them one line).
        haystack = record.haystack
        handle_end = haystack.rfind("\n")
        return haystack, haystack.rfind("\n", 0, handle_end), handle_end
    _, folded, text_end, handle_end = _entry(record)
    return folded, text_end, handle_end


def short_predicate(key: str, values: frozenset[str]) -> Predicate:
    """The record's ``key`` equals one of ``values`` (already folded), ignoring case."""
    short, fold_short = _SHORT, _fold_short

    def matches(record: Record) -> bool:
        value = record.get(key)
        if not value:
            return False
        if value in values:
            return True
        return (short.get(value) or fold_short(value)) in values

    return matches


def tag_predicate(values: frozenset[str], negate: bool = False) -> Predicate:
    """Tagged with one of ``values`` (already folded), ignoring case; or not, if ``negate``."""
    short, fold_short = _SHORT, _fold_short

    def tagged(record: Record) -> bool:
        for tag in record.get("tags") or ():
            if tag in values or (short.get(tag) or fold_short(tag)) in values:
                return not negate
        return negate

    return tagged
