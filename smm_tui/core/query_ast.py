"""The query language's tree of terms, and its normalised text.

:func:`smm_tui.core.query_parse.parse_node` builds a :data:`Node`; matching
(:mod:`smm_tui.core.query_match`) and the query itself (:mod:`smm_tui.core.query`)
read it. Nodes are immutable and compare by value. Names and handles in them are
folded (:func:`fold`). :func:`render` writes a tree back as the text that parses to it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from smm_tui.core.query_fields import UNIT_SECONDS

#: ``name:`` at the start of a word: a field, unless the word is quoted.
FIELD_NAME: Final = re.compile(r"([A-Za-z_]+):")
#: Characters that end an unquoted word.
STOP: Final = frozenset('"()')


@dataclass(frozen=True, slots=True)
class TextTerm:
    """A word or phrase to find in the text, handle or display name (as typed).

    A word matches its word forms (see :mod:`smm_tui.core.stemming`) and itself as
    typed (in a handle or name: ``timothy``); a quoted phrase (``exact``) matches
    only as written.
    """

    needle: str
    exact: bool = False


@dataclass(frozen=True, slots=True)
class FieldTerm:
    """``field:value[,value…]``: canonical field name and values; any value may match."""

    field: str
    values: tuple[str, ...]
    #: Where each value starts in the parsed text (for :meth:`Query.validate`).
    positions: tuple[int, ...] = dataclasses.field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class CompareTerm:
    """``priority:>=70``, ``followers:<100``: a number compared with ``op``."""

    field: str
    op: str
    number: int


@dataclass(frozen=True, slots=True)
class DurationTerm:
    """``older:5m``, ``newer:1h``, ``due:10m``: a span of time in seconds."""

    field: str
    seconds: int


@dataclass(frozen=True, slots=True)
class Not:
    """The negation of a term or group."""

    child: Node


@dataclass(frozen=True, slots=True)
class And:
    """Every child matches; no children means everything matches."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child matches."""

    children: tuple[Node, ...]


Node = TextTerm | FieldTerm | CompareTerm | DurationTerm | Not | And | Or
#: A term: a node that is not a group or a negation.
Term = TextTerm | FieldTerm | CompareTerm | DurationTerm

#: The empty query: no terms, so everything matches.
EMPTY: Final = And(())


def fold(text: str) -> str:
    """Text made comparable regardless of case: ``casefold``, and the letter ``ё`` read as ye."""
    return text.casefold().replace("ё", "е")


@dataclass(frozen=True, slots=True)
class Spelling:
    """How :func:`write` spells the operators: the normalised text, or a summary for people."""

    negation: str
    and_joiner: str
    or_joiner: str
    #: What an empty ``And`` reads as.
    empty: str = ""
    #: Whether an ``And`` inside an ``Or`` is bracketed (it binds tighter, but people may not know).
    bracket_and_in_or: bool = False


def write(node: Node, term: Callable[[Term], str], spelling: Spelling) -> str:
    """``node`` as text: each term by ``term``, groups and negations as ``spelling`` says.

    A negated group and an ``Or`` inside an ``And`` are always bracketed.
    """
    if isinstance(node, Not):
        inner = write(node.child, term, spelling)
        bracketed = isinstance(node.child, And | Or)
        return f"{spelling.negation}({inner})" if bracketed else f"{spelling.negation}{inner}"
    if isinstance(node, And):
        parts = (
            f"({write(child, term, spelling)})"
            if isinstance(child, Or)
            else write(child, term, spelling)
            for child in node.children
        )
        return spelling.and_joiner.join(parts) or spelling.empty
    if isinstance(node, Or):
        bracket = spelling.bracket_and_in_or
        return spelling.or_joiner.join(
            f"({write(child, term, spelling)})"
            if bracket and isinstance(child, And)
            else write(child, term, spelling)
            for child in node.children
        )
    return term(node)


# -- the normalised text --------------------------------------------------------------------------


def _needs_quotes(text: str) -> bool:
    if not text or text == "OR" or text[0] == "-" or FIELD_NAME.match(text):
        return True
    return any(c.isspace() or c in STOP for c in text)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_duration(seconds: int) -> str:
    """``5400`` → ``1h30m``: a span in the largest units that add up to it."""
    parts = []
    for unit, size in UNIT_SECONDS.items():
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _render_value(term: FieldTerm) -> str:
    if len(term.values) == 1:
        value = term.values[0]
        if not value or any(c.isspace() or c in STOP or c == "," for c in value):
            return _quote(value)
        return value
    return ",".join(term.values)


_AS_TYPED: Final = Spelling(negation="-", and_joiner=" ", or_joiner=" OR ")


def _render_term(term: Term) -> str:
    if isinstance(term, TextTerm):
        quoted = term.exact or _needs_quotes(term.needle)
        return _quote(term.needle) if quoted else term.needle
    if isinstance(term, FieldTerm):
        return f"{term.field}:{_render_value(term)}"
    if isinstance(term, CompareTerm):
        return f"{term.field}:{'' if term.op == '=' else term.op}{term.number}"
    return f"{term.field}:{render_duration(term.seconds)}"


def render(node: Node) -> str:
    """The normalised text of a tree: canonical names and values, minimal quoting."""
    return write(node, _render_term, _AS_TYPED)
