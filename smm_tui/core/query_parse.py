"""The query language's syntax: the lexer and the parser.

:func:`parse_node` turns text into a tree of :data:`~smm_tui.core.query_ast.Node` (or
raises :class:`QueryError` saying where the text is wrong). The tree, and how it is
written back as normalised text, is in :mod:`smm_tui.core.query_ast`; the fields are in
:mod:`smm_tui.core.query_fields`. The public entry point is
:mod:`smm_tui.core.query`, which re-exports what callers need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from smm_tui.core import query_ast as nodes
from smm_tui.core.query_ast import fold
from smm_tui.core.query_fields import (
    ALIASES,
    CHOICES,
    DURATION_FIELDS,
    EXAMPLES,
    FIELDS,
    MAX_DURATION_S,
    NUMBER_EXAMPLES,
    NUMBER_FIELDS,
    SPELLINGS,
    UNIT_SECONDS,
    choice_list,
    did_you_mean,
)
from smm_tui.core.sanitize import one_line

#: Longer queries are refused (a saved view is a line, not a document).
MAX_LENGTH: Final = 4096
#: How deeply parentheses may nest.
MAX_DEPTH: Final = 16


# -- errors ---------------------------------------------------------------------------------------


class QueryError(ValueError):
    """A query that cannot be parsed: what is wrong, where (a character offset), and a hint.

    ``str()`` reads ``unknown field 'platfrom' at 0 (did you mean 'platform'?)``.
    ``position`` to ``end`` is the offending span, for underlining it.
    """

    def __init__(self, message: str, position: int, hint: str = "", end: int | None = None) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position
        self.hint = hint
        self.end = max(position + 1, end if end is not None else position + 1)

    def __str__(self) -> str:
        text = f"{self.message} at {self.position}"
        return f"{text} ({self.hint})" if self.hint else text


# -- lexing ---------------------------------------------------------------------------------------

_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_UNESCAPE = re.compile(r'\\(["\\])')
_NUMBER = re.compile(r"(>=|<=|>|<|=)?(\d{1,12})(k?)", re.IGNORECASE | re.ASCII)
_DURATION = re.compile(r"(?:\d{1,9}[smhdw])+", re.IGNORECASE | re.ASCII)
_DURATION_PART = re.compile(r"(\d+)([smhdw])", re.IGNORECASE | re.ASCII)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "text", "field", "or", "not", "(" or ")"
    start: int
    end: int
    value: str = ""
    name: str = ""
    value_start: int = 0
    quoted: bool = False


def shown(text: str, limit: int = 32) -> str:
    """User text quoted in a message: made safe, on one line, shortened."""
    safe = one_line(text)
    return f"'{safe[:limit]}…'" if len(safe) > limit else f"'{safe}'"


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """The unescaped content of the quoted string at ``start`` and where it ends."""
    match = _QUOTED.match(text, start)
    if match is None:
        raise QueryError("unclosed quote", start, end=len(text))
    return _UNESCAPE.sub(r"\1", match.group(1)), match.end()


def _run_end(text: str, start: int) -> int:
    end = start
    while end < len(text) and not text[end].isspace() and text[end] not in nodes.STOP:
        end += 1
    return end


def _read_run(text: str, start: int) -> _Token:
    """An unquoted word, ``OR``, or ``field:value`` (whose value may be quoted)."""
    end = _run_end(text, start)
    run = text[start:end]
    if run == "OR":
        return _Token("or", start, end)
    match = nodes.FIELD_NAME.match(run)
    if match is None:
        return _Token("text", start, end, run)
    name, value = match.group(1), run[match.end() :]
    if not value and end < len(text) and text[end] == '"':
        quoted, after = _read_quoted(text, end)
        return _Token("field", start, after, quoted, name, end, quoted=True)
    return _Token("field", start, end, value, name, start + match.end())


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(_Token(char, i, i + 1))
            i += 1
        elif char == "-":
            after = text[i + 1 : i + 2]
            if not after or after.isspace() or after == ")":
                raise QueryError("'-' must be followed by a term", i, "write -tag:spam")
            tokens.append(_Token("not", i, i + 1))
            i += 1
        elif char == '"':
            phrase, end = _read_quoted(text, i)
            if not phrase:
                raise QueryError("empty quotes", i, end=end)
            tokens.append(_Token("text", i, end, phrase, quoted=True))
            i = end
        else:
            token = _read_run(text, i)
            tokens.append(token)
            i = token.end
    return tokens


# -- field values ---------------------------------------------------------------------------------


def _items(name: str, token: _Token) -> list[tuple[str, int]]:
    """The comma-separated items of an unquoted value, with where each starts."""
    if token.quoted:
        return [(token.value, token.value_start)]
    items, position = [], token.value_start
    for item in token.value.split(","):
        if not item:
            raise QueryError(f"{name}: empty item in a list", position)
        items.append((item, position))
        position += len(item) + 1
    return items


def _choice_term(name: str, token: _Token) -> nodes.FieldTerm:
    spellings = SPELLINGS[name]
    values, positions = [], []
    for item, position in _items(name, token):
        canonical = spellings.get(item.lower())
        if canonical is None:
            hint = did_you_mean(item.lower(), spellings)
            allowed = f"one of: {choice_list(name)}"
            raise QueryError(
                f"{name}: unknown value {shown(item)}",
                position,
                f"{hint} {allowed}" if hint else allowed,
                position + len(item),
            )
        if canonical not in values:
            values.append(canonical)
            positions.append(position)
    return nodes.FieldTerm(name, tuple(values), tuple(positions))


def _name_term(name: str, token: _Token) -> nodes.FieldTerm:
    values, positions = [], []
    for item, position in _items(name, token):
        value = fold(item)
        if value not in values:
            values.append(value)
            positions.append(position)
    return nodes.FieldTerm(name, tuple(values), tuple(positions))


def _number_term(name: str, token: _Token) -> nodes.CompareTerm:
    match = _NUMBER.fullmatch(token.value)
    if match is None or token.quoted:
        raise QueryError(
            f"{name}: expects a number like {NUMBER_EXAMPLES[name]}",
            token.value_start,
            end=token.end,
        )
    number = int(match.group(2)) * (1000 if match.group(3) else 1)
    return nodes.CompareTerm(name, match.group(1) or "=", number)


def _duration_term(name: str, token: _Token) -> nodes.DurationTerm:
    if token.quoted or _DURATION.fullmatch(token.value) is None:
        raise QueryError(
            f"{name}: expects a duration like 5m, 2h, 3d", token.value_start, end=token.end
        )
    seconds = sum(
        int(count) * UNIT_SECONDS[unit.lower()]
        for count, unit in _DURATION_PART.findall(token.value)
    )
    if seconds > MAX_DURATION_S:
        raise QueryError(f"{name}: duration too long", token.value_start, "at most 3650d")
    return nodes.DurationTerm(name, seconds)


def _field_node(token: _Token) -> nodes.Node:
    typed = token.name.lower()
    name = ALIASES.get(typed, typed)
    if name not in FIELDS:
        hint = did_you_mean(typed, [*FIELDS, *ALIASES])
        raise QueryError(
            f"unknown field {shown(token.name)}",
            token.start,
            hint or f'quote it to search the text: "{one_line(token.name)[:32]}:…"',
            token.start + len(token.name),
        )
    if not token.value:
        example = f"e.g. {EXAMPLES[name]}" if name in EXAMPLES else ""
        if name in CHOICES:
            example = f"one of: {choice_list(name)}"
        raise QueryError(f"{typed}: expects a value", token.value_start, example, token.end)
    if name in SPELLINGS:
        return _choice_term(name, token)
    if name in NUMBER_FIELDS:
        return _number_term(name, token)
    if name in DURATION_FIELDS:
        return _duration_term(name, token)
    if name == "author":
        return nodes.FieldTerm(name, (fold(token.value),), (token.value_start,))
    return _name_term(name, token)


# -- parsing --------------------------------------------------------------------------------------


def _flatten(kind: type[nodes.And] | type[nodes.Or], parts: list[nodes.Node]) -> nodes.Node:
    children: list[nodes.Node] = []
    for node in parts:
        children.extend(node.children if isinstance(node, kind) else (node,))
    return children[0] if len(children) == 1 else kind(tuple(children))


def _negate(node: nodes.Node) -> nodes.Node:
    return node.child if isinstance(node, nodes.Not) else nodes.Not(node)


class _Parser:
    """Recursive descent over the tokens; nesting is bounded by MAX_DEPTH."""

    def __init__(self, tokens: list[_Token]) -> None:
        self._tokens = tokens
        self._i = 0
        self._depth = 0

    def _peek(self) -> _Token | None:
        return self._tokens[self._i] if self._i < len(self._tokens) else None

    def _peek_kind(self) -> str:
        token = self._peek()
        return "end" if token is None else token.kind

    def parse(self) -> nodes.Node:
        node = self._or()
        token = self._peek()
        if token is not None:
            raise QueryError("unmatched ')'", token.start, "delete it or add a '(' before")
        return node

    def _or(self) -> nodes.Node:
        groups = [self._and()]
        while (token := self._peek()) is not None and token.kind == "or":
            self._i += 1
            groups.append(self._and())
            if nodes.EMPTY in (groups[-2], groups[-1]):
                raise QueryError("OR needs a term on each side", token.start, end=token.end)
        return _flatten(nodes.Or, groups)

    def _and(self) -> nodes.Node:
        items: list[nodes.Node] = []
        while self._peek_kind() not in ("end", "or", ")"):
            items.append(self._unary())
        return nodes.EMPTY if not items else _flatten(nodes.And, items)

    def _unary(self) -> nodes.Node:
        negated, first = False, self._tokens[self._i]
        while self._peek_kind() == "not":
            negated = not negated
            self._i += 1
        if self._peek_kind() in ("end", "or", ")"):
            raise QueryError("'-' must be followed by a term", first.start, "write -tag:spam")
        node = self._atom()
        return _negate(node) if negated else node

    def _atom(self) -> nodes.Node:
        token = self._tokens[self._i]
        self._i += 1
        if token.kind == "text":
            return nodes.TextTerm(token.value, exact=token.quoted)
        if token.kind == "field":
            return _field_node(token)
        return self._group(token)

    def _group(self, opening: _Token) -> nodes.Node:
        if self._depth >= MAX_DEPTH:
            raise QueryError("too deeply nested", opening.start, f"at most {MAX_DEPTH} levels")
        self._depth += 1
        inner = self._or()
        self._depth -= 1
        closing = self._peek()
        if closing is None or closing.kind != ")":
            raise QueryError("unclosed '('", opening.start, "add a ')'")
        self._i += 1
        if inner == nodes.EMPTY:
            raise QueryError("empty parentheses", opening.start, end=closing.end)
        return inner


def parse_node(text: str) -> nodes.Node:
    """Parse a query's text into its tree; raises :class:`QueryError` saying where it is wrong."""
    if len(text) > MAX_LENGTH:
        raise QueryError("query too long", MAX_LENGTH, f"at most {MAX_LENGTH} characters")
    return _Parser(_lex(text)).parse()
