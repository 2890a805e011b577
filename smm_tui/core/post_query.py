"""The Content pane's filter: a small query language over deliveries.

Example::

    status:scheduled,held account:bank-vk campaign:spring platform:vk "free delivery" -promo

Terms side by side must all match. ``field:value`` compares one field, a comma
list means any of its values, a leading ``-`` negates a term, and a word or a
``"phrase"`` matches the post's text (what goes out on the account, and its
main text) ignoring case. Fields: ``status`` (``draft``, ``scheduled``,
``held``, ``publishing``, ``published``, ``failed``), ``account`` (its name),
``campaign`` and ``platform`` (``vk``, ``tg``…).

The feed's language (:mod:`smm_tui.core.query`) is not reused: its parser
checks every field against the mention fields, and OR and brackets buy little
over a week of posts. Its :class:`QueryError` is, so a mistake is shown the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from smm_tui.core.calendar import Entry, Status
from smm_tui.core.platforms import PLATFORMS
from smm_tui.core.query_ast import fold
from smm_tui.core.query_fields import SPELLINGS, did_you_mean
from smm_tui.core.query_parse import QueryError, shown

#: Field → its accepted spellings and what each means (None: any value, compared as is).
_VALUES: Mapping[str, Mapping[str, str] | None] = {
    "status": {status.value: status.value for status in Status},
    "account": None,
    "campaign": None,
    # The feed's spellings (``vk``, ``telegram``, ``tg``…), and each network's label.
    "platform": {
        **SPELLINGS["platform"],
        **{entry.label.lower(): p.value for p, entry in PLATFORMS.items()},
    },
}
FIELDS: tuple[str, ...] = tuple(_VALUES)
#: One line for help.
QUERY_HELP = (
    "Filter: status:scheduled,failed,held,draft,published account:NAME campaign:NAME "
    'platform:vk, words or "a phrase" in the text, -term to leave out.'
)

_TOKEN = re.compile(r'\s*(-?)(?:([A-Za-z]+):)?("(?:[^"\\]|\\.)*"|[^\s"]+|")')
_UNESCAPE = re.compile(r'\\(["\\])')
_BARE_FIELD = re.compile(r"^[A-Za-z]+:$")


@dataclass(frozen=True, slots=True)
class Term:
    """One term: a field's values (any of them) or, with no field, words of the text."""

    field: str | None
    values: tuple[str, ...]
    negated: bool = False

    def matches(self, entry: Entry) -> bool:
        """Whether the entry matches the term (before negation)."""
        if self.field is None:
            text = fold(f"{entry.delivery.text}\n{entry.post.text}")
            return all(value in text for value in self.values)
        return _field_value(entry, self.field) in self.values


def _field_value(entry: Entry, field: str) -> str:
    if field == "status":
        return entry.status.value
    if field == "account":
        return fold(entry.account)
    if field == "campaign":
        return fold(entry.post.campaign)
    return entry.platform.value


@dataclass(frozen=True, slots=True)
class PostQuery:
    """A parsed filter: every term must match (none: everything matches)."""

    terms: tuple[Term, ...] = ()

    def matches(self, entry: Entry) -> bool:
        """Whether a delivery (as the pane places it) passes the filter."""
        return all(term.matches(entry) != term.negated for term in self.terms)


def parse_post_query(text: str) -> PostQuery:
    """Parse a filter; :class:`QueryError` says what is wrong and where."""
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
            terms.append(_field_term(fold(field), value, found.start(2), start, negated))
        position = found.end()
    return PostQuery(tuple(terms))


def _unquote(raw: str, start: int) -> str:
    if not raw.startswith('"'):
        return raw
    if len(raw) < 2 or not raw.endswith('"'):
        raise QueryError("a quote is not closed", start, end=start + len(raw))
    return _UNESCAPE.sub(r"\1", raw[1:-1])


def _field_term(name: str, value: str, at: int, start: int, negated: bool) -> Term:
    if name not in _VALUES:
        hint = did_you_mean(name, FIELDS) or f"fields: {', '.join(FIELDS)}"
        raise QueryError(f"unknown field {shown(name)}", at, hint, end=at + len(name))
    items = [fold(item.strip()) for item in value.split(",")] if value else []
    if not items or not all(items):
        raise QueryError(f"{name}: give a value", start)
    spellings = _VALUES[name]
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
