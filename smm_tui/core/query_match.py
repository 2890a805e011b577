"""Running queries: compiling a tree of terms into a predicate over mention records.

Everything is worked out once per compile: cut-off times become ISO strings compared
with the stored ones, and cheap tests run before text search (which is in
:mod:`smm_tui.core.query_text`). The public entry point is :mod:`smm_tui.core.query`,
which re-exports what callers need.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from smm_tui.core import query_ast as nodes
from smm_tui.core.models import OPEN_VALUES, to_iso
from smm_tui.core.query_ast import fold
from smm_tui.core.query_fields import MERGEABLE, NAME_FIELDS, STATUS_VALUES
from smm_tui.core.query_text import (
    Predicate,
    Record,
    author_predicate,
    needles,
    short_predicate,
    tag_predicate,
    text_predicate,
)

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


# -- compiling ------------------------------------------------------------------------------------


def compile_query(root: nodes.Node, ctx: QueryContext) -> Predicate:
    """A fast test over mention records, with cut-off times and needles worked out once."""
    return _compile(root, _Env.of(ctx))


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


def _negated(node: nodes.Node, env: _Env) -> Predicate:
    """The negation of a node; text and tags negate in place, saving a call per record."""
    if isinstance(node, nodes.TextTerm):
        return text_predicate((needles(node),), negate=True)
    if isinstance(node, nodes.FieldTerm) and node.field == "tag":
        return tag_predicate(frozenset(node.values), negate=True)
    predicate = _compile(node, env)
    return lambda record: not predicate(record)


def _merged(children: tuple[nodes.Node, ...]) -> list[nodes.Node]:
    """Or's children with same-field terms merged: ``platform:vk OR platform:tg``."""
    merged: list[nodes.Node] = []
    by_field: dict[str, int] = {}
    for child in children:
        if not isinstance(child, nodes.FieldTerm) or child.field not in MERGEABLE:
            merged.append(child)
        elif child.field in by_field:
            index = by_field[child.field]
            earlier = merged[index]
            assert isinstance(earlier, nodes.FieldTerm)
            values = tuple(dict.fromkeys((*earlier.values, *child.values)))
            merged[index] = nodes.FieldTerm(child.field, values)
        else:
            by_field[child.field] = len(merged)
            merged.append(child)
    return merged


def _cost(node: nodes.Node) -> int:
    """Rough relative cost, so cheap tests run first and short-circuit the rest."""
    if isinstance(node, nodes.TextTerm):
        return 20
    if isinstance(node, nodes.FieldTerm):
        return {"author": 10, "tag": 4, "account": 3, "assignee": 3, "lang": 3}.get(node.field, 1)
    if isinstance(node, nodes.CompareTerm | nodes.DurationTerm):
        return 2
    if isinstance(node, nodes.Not):
        return _cost(node.child)
    return sum(_cost(child) for child in node.children)


def _compile(node: nodes.Node, env: _Env) -> Predicate:
    if isinstance(node, nodes.And):
        return _compile_and(node, env)
    if isinstance(node, nodes.Or):
        return _any([_compile(child, env) for child in _merged(node.children)])
    if isinstance(node, nodes.Not):
        return _negated(node.child, env)
    if isinstance(node, nodes.TextTerm):
        return text_predicate((needles(node),))
    if isinstance(node, nodes.CompareTerm):
        return _compare_predicate(node)
    if isinstance(node, nodes.DurationTerm):
        return _duration_predicate(node, env)
    return _field_predicate(node, env)


def _compile_and(node: nodes.And, env: _Env) -> Predicate:
    """Cheap tests first; every plain text term folded into one haystack lookup."""
    words = tuple(needles(c) for c in node.children if isinstance(c, nodes.TextTerm))
    rest = sorted((c for c in node.children if not isinstance(c, nodes.TextTerm)), key=_cost)
    predicates = [_compile(child, env) for child in rest]
    if words:
        text = text_predicate(words)
        position = next((i for i, c in enumerate(rest) if _cost(c) > 20), len(rest))
        predicates.insert(position, text)
    return _all(predicates)


_OPS: Final[Mapping[str, Callable[[int, int], bool]]] = {
    "=": operator.eq,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}


def _compare_predicate(term: nodes.CompareTerm) -> Predicate:
    compare, number = _OPS[term.op], term.number
    if term.field == "priority":
        return lambda record: compare(record.get("priority") or 0, number)

    def followers(record: Record) -> bool:
        count = record["author"].get("followers")
        return count is not None and compare(count, number)

    return followers


def _duration_predicate(term: nodes.DurationTerm, env: _Env) -> Predicate:
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


def _field_predicate(term: nodes.FieldTerm, env: _Env) -> Predicate:
    if term.field == "is":
        return _any([_is_predicate(value, env) for value in term.values])
    if term.field == "has":
        keys = ["url" if value == "url" else "ticket_id" for value in term.values]
        return _any([_has_predicate(key) for key in keys])
    if term.field == "author":
        return author_predicate(term.values[0])
    if term.field in NAME_FIELDS:
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
    if value in STATUS_VALUES:
        return _enum_predicate("status", frozenset({value}))
    if value == "open":
        return _enum_predicate("status", OPEN_VALUES)
    if value == "breaching":
        return _due_predicate(env.now_iso)
    if value == "spam":
        tagged = tag_predicate(frozenset({"spam"}))
        return lambda record: record.get("intent") == "spam" or tagged(record)
    if value == "replied-to":
        return lambda record: record.get("first_response_at") is not None
    if value == "assigned":
        return lambda record: bool(record.get("assignee"))
    return lambda record: not record.get("assignee")


def _name_predicate(term: nodes.FieldTerm, env: _Env) -> Predicate:
    if term.field == "tag":
        return tag_predicate(frozenset(term.values))
    if term.field == "account":
        return short_predicate("account", frozenset(term.values))
    if term.field == "lang":
        return short_predicate("language", frozenset(term.values))
    names = frozenset(env.me if value == "me" else value for value in term.values)
    wanted = short_predicate("assignee", names - {"none"})
    if "none" not in names:
        return wanted
    return lambda record: not record.get("assignee") or wanted(record)
