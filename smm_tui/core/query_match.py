"""Running queries: compiling a tree of terms into a predicate over mention records.

Everything is worked out once per compile: cut-off times become ISO strings compared
with the stored ones, cheap tests run before text search, and the folded text of each
mention is kept in a bounded module cache (see :func:`warm_text_cache`). The cache
assumes, as the store guarantees, that records are replaced and never mutated in place.
The public entry point is :mod:`smm_tui.core.query`, which re-exports what callers need.
"""

from __future__ import annotations

import operator
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from smm_tui.core.indexed import IndexedRow, narrow
from smm_tui.core.models import OPEN_VALUES, to_iso
from smm_tui.core.query_parse import (
    _NAME_FIELDS,
    _SPELLINGS,
    _STATUS_VALUES,
    And,
    CompareTerm,
    DurationTerm,
    FieldTerm,
    Node,
    Not,
    Or,
    TextTerm,
    fold,
)
from smm_tui.core.stemming import extra_stems, needle_for

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]

#: How many mentions' folded text the cache keeps before starting afresh.
TEXT_CACHE_LIMIT: Final = 250_000
_SHORT_CACHE_LIMIT: Final = 50_000


# -- context --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What a query is evaluated against: the time, who ``me`` is, and the known users.

    ``now`` should be timezone-aware; a naive time is taken as UTC. ``users``
    (optional) lets :meth:`Query.validate` flag unknown ``assignee:`` names.
    """

    now: datetime
    me: str
    users: tuple[str, ...] = ()


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


#: What a text term looks for in :func:`searchable_text`: any one of these strings.
Needles = tuple[str, ...]


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


def clear_text_cache() -> None:
    """Forget every folded text (it refills as queries run)."""
    _HAYSTACKS.clear()
    _OTHERS.clear()
    _SHORT.clear()


# -- compiling ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Env:
    now: datetime
    now_iso: str
    me: str

    @classmethod
    def of(cls, ctx: QueryContext) -> _Env:
        now = ctx.now if ctx.now.tzinfo is not None else ctx.now.replace(tzinfo=UTC)
        return cls(now, _iso(now), fold(ctx.me))

    def shifted(self, seconds: int) -> str:
        """``now`` plus ``seconds`` as a stored-style ISO string, clamped to the calendar."""
        try:
            return _iso(self.now + timedelta(seconds=seconds))
        except OverflowError:
            return _iso(datetime.max.replace(tzinfo=UTC) if seconds > 0 else _MIN)


_MIN = datetime.min.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    text = to_iso(moment)
    assert text is not None
    return text


def _always(record: Record) -> bool:
    return True


def _all(predicates: list[Predicate]) -> Predicate:
    if not predicates:
        return _always
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda record: first(record) and second(record)
    if len(predicates) == 3:
        first, second, third = predicates
        return lambda record: first(record) and second(record) and third(record)

    def every(record: Record) -> bool:
        for predicate in predicates:  # noqa: SIM110 - a loop beats all() on a generator
            if not predicate(record):
                return False
        return True

    return every


def _any(predicates: list[Predicate]) -> Predicate:
    if len(predicates) == 1:
        return predicates[0]

    def some(record: Record) -> bool:
        for predicate in predicates:  # noqa: SIM110 - a loop beats any() on a generator
            if predicate(record):
                return True
        return False

    return some


def _negated(node: Node, env: _Env) -> Predicate:
    """The negation of a node; text and tags negate in place, saving a call per record."""
    if isinstance(node, TextTerm):
        return _text_predicate((needles(node),), negate=True)
    if isinstance(node, FieldTerm) and node.field == "tag":
        return _tag_predicate(frozenset(node.values), negate=True)
    predicate = _compile(node, env)
    return lambda record: not predicate(record)


#: Fields where ``f:a OR f:b`` is ``f:a,b``: merged into one set test when compiling.
_MERGEABLE = frozenset({*_SPELLINGS, *_NAME_FIELDS})


def _merged(children: tuple[Node, ...]) -> list[Node]:
    """Or's children with same-field terms merged: ``platform:vk OR platform:tg``."""
    merged: list[Node] = []
    by_field: dict[str, int] = {}
    for child in children:
        if not isinstance(child, FieldTerm) or child.field not in _MERGEABLE:
            merged.append(child)
        elif child.field in by_field:
            index = by_field[child.field]
            earlier = merged[index]
            assert isinstance(earlier, FieldTerm)
            values = tuple(dict.fromkeys((*earlier.values, *child.values)))
            merged[index] = FieldTerm(child.field, values)
        else:
            by_field[child.field] = len(merged)
            merged.append(child)
    return merged


def _cost(node: Node) -> int:
    """Rough relative cost, so cheap tests run first and short-circuit the rest."""
    if isinstance(node, TextTerm):
        return 20
    if isinstance(node, FieldTerm):
        return {"author": 10, "tag": 4, "account": 3, "assignee": 3, "lang": 3}.get(node.field, 1)
    if isinstance(node, CompareTerm | DurationTerm):
        return 2
    if isinstance(node, Not):
        return _cost(node.child)
    return sum(_cost(child) for child in node.children)


def _compile(node: Node, env: _Env) -> Predicate:
    if isinstance(node, And):
        return _compile_and(node, env)
    if isinstance(node, Or):
        return _any([_compile(child, env) for child in _merged(node.children)])
    if isinstance(node, Not):
        return _negated(node.child, env)
    if isinstance(node, TextTerm):
        return _text_predicate((needles(node),))
    if isinstance(node, CompareTerm):
        return _compare_predicate(node)
    if isinstance(node, DurationTerm):
        return _duration_predicate(node, env)
    return _field_predicate(node, env)


def _compile_and(node: And, env: _Env) -> Predicate:
    """Cheap tests first; every plain text term folded into one haystack lookup."""
    words = tuple(needles(c) for c in node.children if isinstance(c, TextTerm))
    rest = sorted((c for c in node.children if not isinstance(c, TextTerm)), key=_cost)
    predicates = [_compile(child, env) for child in rest]
    if words:
        text = _text_predicate(words)
        position = next((i for i, c in enumerate(rest) if _cost(c) > 20), len(rest))
        predicates.insert(position, text)
    return _all(predicates)


def _text_predicate(words: tuple[Needles, ...], negate: bool = False) -> Predicate:
    """Each word has one of its needles (folded) in the folded text, handle or display name."""
    if len(words) == 1 and len(words[0]) <= 2:
        return _word_predicate(*words[0], negate=negate)
    # Each word as (its first needle, the others): a word of one needle costs one test.
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


def _author_predicate(value: str) -> Predicate:
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


_OPS: Final[Mapping[str, Callable[[int, int], bool]]] = {
    "=": operator.eq,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def _compare_predicate(term: CompareTerm) -> Predicate:
    compare, number = _OPS[term.op], term.number
    if term.field == "priority":
        return lambda record: compare(record.get("priority") or 0, number)

    def followers(record: Record) -> bool:
        count = record["author"].get("followers")
        return count is not None and compare(count, number)

    return followers


def _duration_predicate(term: DurationTerm, env: _Env) -> Predicate:
    if term.field == "older":
        cutoff = env.shifted(-term.seconds)
        return lambda record: record["created_at"] <= cutoff
    if term.field == "newer":
        cutoff = env.shifted(-term.seconds)
        return lambda record: record["created_at"] >= cutoff
    return _due_predicate(env.shifted(term.seconds))


def _due_predicate(cutoff: str) -> Predicate:
    """Awaiting a first response (open, unanswered) that is due by ``cutoff``."""

    def due(record: Record) -> bool:
        if record.get("status") not in OPEN_VALUES:
            return False
        due_at = record.get("sla_due_at")
        return due_at is not None and due_at <= cutoff and record.get("first_response_at") is None

    return due


def _field_predicate(term: FieldTerm, env: _Env) -> Predicate:
    if term.field == "is":
        return _any([_is_predicate(value, env) for value in term.values])
    if term.field == "has":
        keys = ["url" if value == "url" else "ticket_id" for value in term.values]
        return _any([_has_predicate(key) for key in keys])
    if term.field == "author":
        return _author_predicate(term.values[0])
    if term.field in _NAME_FIELDS:
        return _name_predicate(term, env)
    return _enum_predicate(term.field, frozenset(term.values))


def _has_predicate(key: str) -> Predicate:
    return lambda record: bool(record.get(key))


def _enum_predicate(key: str, values: frozenset[str]) -> Predicate:
    if len(values) == 1:
        (value,) = values
        return lambda record: record.get(key) == value
    return lambda record: record.get(key) in values


def _is_predicate(value: str, env: _Env) -> Predicate:
    if value in _STATUS_VALUES:
        return _enum_predicate("status", frozenset({value}))
    if value == "open":
        return _enum_predicate("status", OPEN_VALUES)
    if value == "breaching":
        return _due_predicate(env.now_iso)
    if value == "spam":
        tagged = _tag_predicate(frozenset({"spam"}))
        return lambda record: record.get("intent") == "spam" or tagged(record)
    if value == "replied-to":
        return lambda record: record.get("first_response_at") is not None
    if value == "assigned":
        return lambda record: bool(record.get("assignee"))
    return lambda record: not record.get("assignee")


def _name_predicate(term: FieldTerm, env: _Env) -> Predicate:
    if term.field == "tag":
        return _tag_predicate(frozenset(term.values))
    if term.field == "account":
        return _short_predicate("account", frozenset(term.values))
    if term.field == "lang":
        return _short_predicate("language", frozenset(term.values))
    names = frozenset(env.me if value == "me" else value for value in term.values)
    wanted = _short_predicate("assignee", names - {"none"})
    if "none" not in names:
        return wanted
    return lambda record: not record.get("assignee") or wanted(record)


def _short_predicate(key: str, values: frozenset[str]) -> Predicate:
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


def _tag_predicate(values: frozenset[str], negate: bool = False) -> Predicate:
    """Tagged with one of ``values`` (already folded), ignoring case; or not, if ``negate``."""
    short, fold_short = _SHORT, _fold_short

    def tagged(record: Record) -> bool:
        for tag in record.get("tags") or ():
            if tag in values or (short.get(tag) or fold_short(tag)) in values:
                return not negate
        return negate

    return tagged
