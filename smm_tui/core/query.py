"""One query language for the feed's ``/`` filter and for saved views.

Example::

    platform:vk is:open sentiment:neg assignee:me -tag:spam "карта" older:5m

Grammar (informal)::

    query   := [or]                      empty: matches everything
    or      := and ("OR" and)*           OR is upper-case; AND binds tighter
    and     := unary+                    terms side by side must all match
    unary   := "-"* atom                 "-" (glued to the term) negates it
    atom    := "(" or ")" | term         parentheses nest up to MAX_DEPTH
    term    := field ":" value | word | "phrase"
    value   := item ("," item)* | "quoted value"

- A *word* or *"phrase"* matches the text, the author's handle or display name,
  as a substring, ignoring case (``casefold``, and ``ё`` read as ye). Inside quotes
  ``\\"`` is a quote and ``\\\\`` a backslash. Quote ``OR``, a leading ``-``,
  parentheses or ``word:`` (for instance ``"re: card"``) to search for them.
- A field name is ASCII letters before a colon, any case; ``from:`` is
  ``author:`` and ``language:`` is ``lang:``. See :data:`FIELDS`.
- Comma lists mean *any of*: ``platform:vk,tg``, ``tag:refund,billing``,
  ``is:new,seen``. A quoted value is one value, commas and all.
- Numbers compare: ``priority:>=70``, ``priority:<30``, ``priority:50``,
  ``followers:>1k``. Durations are ``30s``, ``5m``, ``2h``, ``3d``, ``1w``
  and sums of them: ``1h30m``.

:func:`parse` turns text into an immutable :class:`Query`, or raises
:class:`QueryError` saying where the text is wrong (``unknown field
'platfrom' at 0 (did you mean 'platform'?)``). :meth:`Query.compile` makes a
predicate over stored mention records (the shape of
:meth:`~smm_tui.core.models.Mention.to_record`) with everything worked out
once: cut-off times become ISO strings compared with the stored ones, cheap
tests run before text search, and the folded text of each mention is kept in
a bounded module cache (about 0.6 KB a mention) so a keystroke does not fold
every text again. The first text search fills that cache; call
:func:`warm_text_cache` while idle to pay for it ahead. The cache assumes, as
the store guarantees, that records are replaced and never mutated in place.
:meth:`Query.refines` tells when a new query can only narrow the last one, so
a caller holding the last result can re-filter just that while someone types.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from smm_tui.core.query_ast import (
    EMPTY,
    And,
    CompareTerm,
    DurationTerm,
    FieldTerm,
    Node,
    Not,
    Or,
    Spelling,
    Term,
    TextTerm,
    fold,
    render,
    render_duration,
    write,
)
from smm_tui.core.query_fields import (
    ALIASES,
    CHOICES,
    FIELDS,
    MAX_DURATION_S,
    MERGEABLE,
    did_you_mean,
)
from smm_tui.core.query_match import QueryContext, compile_query
from smm_tui.core.query_parse import MAX_DEPTH, MAX_LENGTH, QueryError, parse_node, shown
from smm_tui.core.query_text import (
    TEXT_CACHE_LIMIT,
    Needles,
    Predicate,
    Record,
    clear_text_cache,
    covers,
    needles,
    searchable_text,
    warm_text_cache,
)
from smm_tui.core.sanitize import one_line

__all__ = [
    "ALIASES",
    "CHOICES",
    "FIELDS",
    "MAX_DEPTH",
    "MAX_DURATION_S",
    "MAX_LENGTH",
    "TEXT_CACHE_LIMIT",
    "And",
    "CompareTerm",
    "DurationTerm",
    "FieldTerm",
    "Needles",
    "Node",
    "Not",
    "Or",
    "Predicate",
    "Query",
    "QueryContext",
    "QueryError",
    "Record",
    "TextSplit",
    "TextTerm",
    "clear_text_cache",
    "describe",
    "fold",
    "parse",
    "searchable_text",
    "warm_text_cache",
]


def parse(text: str) -> Query:
    """Parse a query; raises :class:`QueryError` (a ValueError) saying where it is wrong."""
    return Query(parse_node(text))


# -- the query ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: a tree of terms, and its normalised text.

    Two queries are equal when their trees are; ``parse(q.text) == q``.
    """

    root: Node
    #: The normalised form: canonical field names and values, minimal quoting.
    text: str = dataclasses.field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", render(self.root))

    def __str__(self) -> str:
        return self.text

    @property
    def is_empty(self) -> bool:
        """Whether the query has no terms (and so matches everything)."""
        return self.root == EMPTY

    @property
    def time_dependent(self) -> bool:
        """Whether what it matches changes as time passes (``older:``, ``due:``, breaching)."""
        return _time_dependent(self.root)

    def compile(self, ctx: QueryContext) -> Predicate:
        """A fast test over mention records, with cut-off times and needles worked out once."""
        return compile_query(self.root, ctx)

    def matches(self, record: Record, ctx: QueryContext) -> bool:
        """Whether one record matches; for many records use :meth:`compile` once."""
        return self.compile(ctx)(record)

    def split_text(self) -> TextSplit:
        """The words every match must contain and must not contain, and the other terms.

        Each word is its :data:`Needles`, any one of which counts. A record
        matches this query exactly when one needle of each of ``needles`` is a
        substring of :func:`searchable_text` of it, no needle of ``absent`` is,
        and it matches ``rest``. A caller holding the searchable texts of many
        records can then test words with plain substring search before anything else.
        """
        found: list[Needles] = []
        absent: list[Needles] = []
        others: list[Node] = []
        for term in _conjuncts(self.root):
            if isinstance(term, TextTerm):
                found.append(needles(term))
            elif isinstance(term, Not) and isinstance(term.child, TextTerm):
                absent.append(needles(term.child))
            else:
                others.append(term)
        if not found and not absent:
            return TextSplit((), (), self)
        rest = others[0] if len(others) == 1 else And(tuple(others))
        return TextSplit(tuple(found), tuple(absent), Query(rest))

    def refines(self, previous: Query) -> bool:
        """Whether every record this query matches, ``previous`` matches too.

        True when each of ``previous``'s terms is implied by one of this
        query's: the same term, a text term this one extends (``карт`` →
        ``карта``), or a narrower list (``platform:vk`` after
        ``platform:vk,tg``). Terms that depend on the time (``older:``,
        ``newer:``, ``due:``, ``is:breaching``) never count, since ``now``
        moves between keystrokes. While someone types, a feed can then
        re-filter only what ``previous`` showed instead of every record.
        """
        mine = _conjuncts(self.root)
        return all(any(_implies(own, term) for own in mine) for term in _conjuncts(previous.root))

    def validate(self, ctx: QueryContext) -> None:
        """Raise :class:`QueryError` if ``assignee:`` names someone not in ``ctx.users``.

        Does nothing when ``ctx.users`` is empty. Positions refer to the text
        this query was parsed from.
        """
        if not ctx.users:
            return
        known = {fold(user) for user in ctx.users}
        for term in _terms(self.root):
            if isinstance(term, FieldTerm) and term.field == "assignee":
                _check_users(term, known, ctx.users)


@dataclass(frozen=True, slots=True)
class TextSplit:
    """A query as words to find, words to be absent, and its other terms (see ``split_text``)."""

    needles: tuple[Needles, ...]
    absent: tuple[Needles, ...]
    rest: Query


def _conjuncts(node: Node) -> tuple[Node, ...]:
    return node.children if isinstance(node, And) else (node,)


def _time_dependent(node: Node) -> bool:
    return any(
        isinstance(term, DurationTerm)
        or (isinstance(term, FieldTerm) and term.field == "is" and "breaching" in term.values)
        for term in _terms(node)
    )


def _implies(own: Node, term: Node) -> bool:
    """Whether a record matching ``own`` surely matches ``term`` (False when unsure)."""
    if _time_dependent(term):
        return False
    if own == term:
        return True
    if isinstance(own, TextTerm) and isinstance(term, TextTerm):
        return covers(needles(own), needles(term))
    if isinstance(own, Not) and isinstance(term, Not):
        if isinstance(own.child, TextTerm) and isinstance(term.child, TextTerm):
            return covers(needles(term.child), needles(own.child))
        return False
    if isinstance(own, FieldTerm) and isinstance(term, FieldTerm):
        same = own.field == term.field and own.field in MERGEABLE
        return same and set(own.values) <= set(term.values)
    return False


def _terms(node: Node) -> Iterable[Node]:
    if isinstance(node, And | Or):
        for child in node.children:
            yield from _terms(child)
    elif isinstance(node, Not):
        yield from _terms(node.child)
    else:
        yield node


def _check_users(term: FieldTerm, known: set[str], users: tuple[str, ...]) -> None:
    positions = term.positions or (0,) * len(term.values)
    for value, position in zip(term.values, positions, strict=True):
        if value not in ("me", "none") and value not in known:
            hint = did_you_mean(value, [fold(user) for user in users])
            raise QueryError(f"assignee: unknown user {shown(value)}", position, hint)


# -- describing -----------------------------------------------------------------------------------

_IS_WORDS = {
    "breaching": "past its response deadline",
    "replied-to": "answered",
    "spam": "spam",
}
_OP_WORDS = {"=": "=", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}
_DURATION_WORDS = {"older": "older than", "newer": "newer than", "due": "due within"}


def _describe_field(term: FieldTerm) -> str:
    values = " or ".join(term.values)
    if term.field == "is":
        return " or ".join(_IS_WORDS.get(v, v) for v in term.values)
    if term.field == "has":
        return f"with a {values}"
    if term.field == "tag":
        return f"tagged {values}"
    if term.field == "author":
        return f"by {values}"
    if term.field == "assignee":
        return f"assigned to {values}" if values != "none" else "unassigned"
    return f"{term.field} {values}"


_FOR_PEOPLE: Final = Spelling(
    negation="not ", and_joiner=", ", or_joiner=" or ", empty="everything", bracket_and_in_or=True
)


def _describe_term(term: Term) -> str:
    if isinstance(term, TextTerm):
        return f"“{one_line(term.needle)}”"
    if isinstance(term, FieldTerm):
        return _describe_field(term)
    if isinstance(term, CompareTerm):
        return f"{term.field} {_OP_WORDS[term.op]} {term.number}"
    return f"{_DURATION_WORDS[term.field]} {render_duration(term.seconds)}"


def describe(query: Query) -> str:
    """A short human summary, e.g. ``platform vk, open, not tagged spam, “карта”``."""
    return write(query.root, _describe_term, _FOR_PEOPLE)
