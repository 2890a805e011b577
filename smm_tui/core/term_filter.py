"""The small filter language of the Content pane and ``smm-tui ticket list``.

Example::

    status:scheduled,held account:bank-vk "free delivery" -promo

Terms side by side must all match. ``field:value`` compares one field, a comma
list means any of its values, a leading ``-`` negates a term, and a word or a
``"phrase"`` is looked for, ignoring case, in whatever text the caller
searches. Each caller names its fields and, for each, the spellings it accepts
(or None: any value, compared folded).

The feed's language (:mod:`smm_tui.core.query`) is not reused: its parser
checks every field against the mention fields, and OR and brackets buy little
over a week of posts or a board of tickets. Its :class:`QueryError` is, so a
mistake is shown the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from smm_tui.core.query_ast import fold
from smm_tui.core.query_fields import did_you_mean
from smm_tui.core.query_parse import QueryError, shown

#: Field → its accepted spellings and what each means (None: any value, compared folded).
Fields = Mapping[str, Mapping[str, str] | None]

_TOKEN = re.compile(r'\s*(-?)(?:([A-Za-z]+):)?("(?:[^"\\]|\\.)*"|[^\s"]+|")')
_UNESCAPE = re.compile(r'\\(["\\])')
_BARE_FIELD = re.compile(r"^[A-Za-z]+:$")


@dataclass(frozen=True, slots=True)
class Term:
    """One term: a field's values (any of them) or, with no field, words to look for."""

    field: str | None
    values: tuple[str, ...]
    negated: bool = False


def parse_terms(text: str, fields: Fields) -> tuple[Term, ...]:
    """The terms of a filter; :class:`QueryError` says what is wrong and where."""
    terms: list[Term] = []
    position = 0
    while text[position:].strip():
        found = _TOKEN.match(text, position)
        if found is None:  # pragma: no cover - the pattern takes any non-space run
            raise QueryError("cannot read the filter", position)
        negated, field, raw = found.group(1) == "-", found.group(2), found.group(3)
        start = found.start(3)
        value = _unquote(raw, start)
        if field is None and _BARE_FIELD.match(raw):
            raise QueryError(f"{raw[:-1]}: give a value", start + len(raw) - 1)
        if field is None:
            terms.append(Term(None, (fold(value),), negated))
        else:
            terms.append(_field_term(fields, fold(field), value, found.start(2), start, negated))
        position = found.end()
    return tuple(terms)


def _unquote(raw: str, start: int) -> str:
    if not raw.startswith('"'):
        return raw
    if len(raw) < 2 or not raw.endswith('"'):
        raise QueryError("a quote is not closed", start, end=start + len(raw))
    return _UNESCAPE.sub(r"\1", raw[1:-1])


def _field_term(fields: Fields, name: str, value: str, at: int, start: int, negated: bool) -> Term:
    if name not in fields:
        names = tuple(fields)
        hint = did_you_mean(name, names) or f"fields: {', '.join(names)}"
        raise QueryError(f"unknown field {shown(name)}", at, hint, end=at + len(name))
    items = [fold(item.strip()) for item in value.split(",")] if value else []
    if not items or not all(items):
        raise QueryError(f"{name}: give a value", start)
    spellings = fields[name]
    if spellings is None:
        return Term(name, tuple(items), negated)
    values = []
    for item in items:
        if item not in spellings:
            choices = ", ".join(dict.fromkeys(spellings.values()))
            raise QueryError(
                f"{name}: unknown value {shown(item)}",
                start,
                f"one of {choices}",
                start + len(value),
            )
        values.append(spellings[item])
    return Term(name, tuple(values), negated)
