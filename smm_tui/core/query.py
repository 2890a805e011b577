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
a feed can re-filter just what it showed while someone types.
"""

from __future__ import annotations

import dataclasses
import difflib
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from smm_tui.core.models import Intent, Platform, Sentiment, Status, to_iso
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
    "Node",
    "Not",
    "Or",
    "Query",
    "QueryContext",
    "QueryError",
    "TextTerm",
    "clear_text_cache",
    "describe",
    "fold",
    "parse",
    "warm_text_cache",
]

Record = Mapping[str, Any]
Predicate = Callable[[Record], bool]

#: Longer queries are refused (a saved view is a line, not a document).
MAX_LENGTH: Final = 4096
#: How deeply parentheses may nest.
MAX_DEPTH: Final = 16
#: The longest duration ``older:``/``newer:``/``due:`` accept (ten years).
MAX_DURATION_S: Final = 3650 * 86400
#: How many mentions' folded text the cache keeps before starting afresh.
TEXT_CACHE_LIMIT: Final = 250_000
_SHORT_CACHE_LIMIT: Final = 50_000


# -- errors and context ---------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class QueryContext:
    """What a query is evaluated against: the time, who ``me`` is, and the known users.

    ``now`` should be timezone-aware; a naive time is taken as UTC. ``users``
    (optional) lets :meth:`Query.validate` flag unknown ``assignee:`` names.
    """

    now: datetime
    me: str
    users: tuple[str, ...] = ()


# -- the tree -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextTerm:
    """A word or phrase to find in the text, handle or display name (as typed)."""

    needle: str


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


# -- fields ---------------------------------------------------------------------------------------


def _identity(values: Iterable[str]) -> dict[str, str]:
    return {value: value for value in values}


_STATUS_VALUES = tuple(status.value for status in Status)
_OPEN = frozenset({Status.NEW.value, Status.SEEN.value})

#: Enumerated fields: every accepted spelling → its canonical value.
_SPELLINGS: Final[Mapping[str, Mapping[str, str]]] = {
    "platform": {
        **_identity(platform.value for platform in Platform),
        "tg": "telegram",
        "masto": "mastodon",
        "bsky": "bluesky",
        "tw": "x",
        "twitter": "x",
    },
    "is": _identity(
        (
            "open",
            *_STATUS_VALUES,
            "spam",
            "assigned",
            "unassigned",
            "breaching",
            "replied-to",
        )
    ),
    "status": _identity(_STATUS_VALUES),
    "sentiment": {
        **_identity(sentiment.value for sentiment in Sentiment),
        "neg": "negative",
        "neu": "neutral",
        "pos": "positive",
    },
    "intent": _identity(intent.value for intent in Intent),
    "has": _identity(("url", "ticket")),
}

#: Enumerated fields → their canonical values, in order (for help and completion).
CHOICES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {name: tuple(dict.fromkeys(spellings.values())) for name, spellings in _SPELLINGS.items()}
)


def _choice_list(name: str) -> str:
    """``vk, telegram (tg), …``: canonical values with their aliases."""
    spellings = _SPELLINGS[name]
    parts = []
    for value in CHOICES[name]:
        aliases = [s for s, canonical in spellings.items() if canonical == value and s != value]
        parts.append(f"{value} ({', '.join(aliases)})" if aliases else value)
    return ", ".join(parts)


#: Field name → one line of help. Enumerated fields list their values.
FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "platform": f"the network: {_choice_list('platform')}",
        "account": "the brand account it came to, e.g. account:club_brand",
        "is": f"state: {_choice_list('is')}; open is new or seen",
        "status": f"the exact status: {_choice_list('status')}",
        "sentiment": f"the tone: {_choice_list('sentiment')}",
        "intent": f"what the author wants: {_choice_list('intent')}",
        "assignee": "who it is assigned to: a name, me or none",
        "tag": "tagged so, e.g. tag:refund (-tag:spam leaves spam out)",
        "lang": "the language code, e.g. lang:ru (alias language:)",
        "author": "@handle exactly, or part of the handle or name (alias from:)",
        "priority": "0–100, compared: priority:>=70, priority:<30, priority:50",
        "followers": "the author's followers, compared: followers:>1000, followers:>=5k",
        "older": "created at least this long ago: older:5m (s, m, h, d, w; 1h30m)",
        "newer": "created at most this long ago: newer:1h",
        "due": "awaiting a first response due within this time, or overdue: due:10m",
        "has": f"has a {_choice_list('has')}",
    }
)

#: Alternative field names → the canonical one.
ALIASES: Final[Mapping[str, str]] = MappingProxyType({"from": "author", "language": "lang"})

_NAME_FIELDS = frozenset({"account", "assignee", "tag", "lang"})
_NUMBER_FIELDS = frozenset({"priority", "followers"})
_DURATION_FIELDS = frozenset({"older", "newer", "due"})

_EXAMPLES = {
    "account": "account:club_brand",
    "assignee": "assignee:me",
    "tag": "tag:refund",
    "lang": "lang:ru",
    "author": "author:@handle",
    "priority": "priority:>=70",
    "followers": "followers:>1000",
    "older": "older:5m",
    "newer": "newer:1h",
    "due": "due:10m",
}
_NUMBER_EXAMPLES = {"priority": "50, >=70 or <30", "followers": "1000, >1000 or <=5k"}


# -- lexing ---------------------------------------------------------------------------------------

_FIELD_NAME = re.compile(r"([A-Za-z_]+):")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_UNESCAPE = re.compile(r'\\(["\\])')
_NUMBER = re.compile(r"(>=|<=|>|<|=)?(\d{1,12})(k?)", re.IGNORECASE | re.ASCII)
_DURATION = re.compile(r"(?:\d{1,9}[smhdw])+", re.IGNORECASE | re.ASCII)
_DURATION_PART = re.compile(r"(\d+)([smhdw])", re.IGNORECASE | re.ASCII)
_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_STOP = frozenset('"()')


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "text", "field", "or", "not", "(" or ")"
    start: int
    end: int
    value: str = ""
    name: str = ""
    value_start: int = 0
    quoted: bool = False


def _shown(text: str, limit: int = 32) -> str:
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
    while end < len(text) and not text[end].isspace() and text[end] not in _STOP:
        end += 1
    return end


def _read_run(text: str, start: int) -> _Token:
    """An unquoted word, ``OR``, or ``field:value`` (whose value may be quoted)."""
    end = _run_end(text, start)
    run = text[start:end]
    if run == "OR":
        return _Token("or", start, end)
    match = _FIELD_NAME.match(run)
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
            tokens.append(_Token("text", i, end, phrase))
            i = end
        else:
            token = _read_run(text, i)
            tokens.append(token)
            i = token.end
    return tokens


# -- field values ---------------------------------------------------------------------------------


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


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


def _choice_term(name: str, token: _Token) -> FieldTerm:
    spellings = _SPELLINGS[name]
    values, positions = [], []
    for item, position in _items(name, token):
        canonical = spellings.get(item.lower())
        if canonical is None:
            hint = _did_you_mean(item.lower(), spellings)
            allowed = f"one of: {_choice_list(name)}"
            raise QueryError(
                f"{name}: unknown value {_shown(item)}",
                position,
                f"{hint} {allowed}" if hint else allowed,
                position + len(item),
            )
        if canonical not in values:
            values.append(canonical)
            positions.append(position)
    return FieldTerm(name, tuple(values), tuple(positions))


def _name_term(name: str, token: _Token) -> FieldTerm:
    values, positions = [], []
    for item, position in _items(name, token):
        value = fold(item)
        if value not in values:
            values.append(value)
            positions.append(position)
    return FieldTerm(name, tuple(values), tuple(positions))


def _number_term(name: str, token: _Token) -> CompareTerm:
    match = _NUMBER.fullmatch(token.value)
    if match is None or token.quoted:
        raise QueryError(
            f"{name}: expects a number like {_NUMBER_EXAMPLES[name]}",
            token.value_start,
            end=token.end,
        )
    number = int(match.group(2)) * (1000 if match.group(3) else 1)
    return CompareTerm(name, match.group(1) or "=", number)


def _duration_term(name: str, token: _Token) -> DurationTerm:
    if token.quoted or _DURATION.fullmatch(token.value) is None:
        raise QueryError(
            f"{name}: expects a duration like 5m, 2h, 3d", token.value_start, end=token.end
        )
    seconds = sum(
        int(count) * _UNIT_SECONDS[unit.lower()]
        for count, unit in _DURATION_PART.findall(token.value)
    )
    if seconds > MAX_DURATION_S:
        raise QueryError(f"{name}: duration too long", token.value_start, "at most 3650d")
    return DurationTerm(name, seconds)


def _field_node(token: _Token) -> Node:
    typed = token.name.lower()
    name = ALIASES.get(typed, typed)
    if name not in FIELDS:
        hint = _did_you_mean(typed, [*FIELDS, *ALIASES])
        raise QueryError(
            f"unknown field {_shown(token.name)}",
            token.start,
            hint or f'quote it to search the text: "{one_line(token.name)[:32]}:…"',
            token.start + len(token.name),
        )
    if not token.value:
        example = f"e.g. {_EXAMPLES[name]}" if name in _EXAMPLES else ""
        if name in CHOICES:
            example = f"one of: {_choice_list(name)}"
        raise QueryError(f"{typed}: expects a value", token.value_start, example, token.end)
    if name in _SPELLINGS:
        return _choice_term(name, token)
    if name in _NUMBER_FIELDS:
        return _number_term(name, token)
    if name in _DURATION_FIELDS:
        return _duration_term(name, token)
    if name == "author":
        return FieldTerm(name, (fold(token.value),), (token.value_start,))
    return _name_term(name, token)


# -- parsing --------------------------------------------------------------------------------------


def _flatten(kind: type[And] | type[Or], nodes: list[Node]) -> Node:
    children: list[Node] = []
    for node in nodes:
        children.extend(node.children if isinstance(node, kind) else (node,))
    return children[0] if len(children) == 1 else kind(tuple(children))


_EMPTY: Final = And(())


def _negate(node: Node) -> Node:
    return node.child if isinstance(node, Not) else Not(node)


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

    def parse(self) -> Node:
        node = self._or()
        token = self._peek()
        if token is not None:
            raise QueryError("unmatched ')'", token.start, "delete it or add a '(' before")
        return node

    def _or(self) -> Node:
        groups = [self._and()]
        while (token := self._peek()) is not None and token.kind == "or":
            self._i += 1
            groups.append(self._and())
            if _EMPTY in (groups[-2], groups[-1]):
                raise QueryError("OR needs a term on each side", token.start, end=token.end)
        return _flatten(Or, groups)

    def _and(self) -> Node:
        items: list[Node] = []
        while self._peek_kind() not in ("end", "or", ")"):
            items.append(self._unary())
        return _EMPTY if not items else _flatten(And, items)

    def _unary(self) -> Node:
        negated, first = False, self._tokens[self._i]
        while self._peek_kind() == "not":
            negated = not negated
            self._i += 1
        if self._peek_kind() in ("end", "or", ")"):
            raise QueryError("'-' must be followed by a term", first.start, "write -tag:spam")
        node = self._atom()
        return _negate(node) if negated else node

    def _atom(self) -> Node:
        token = self._tokens[self._i]
        self._i += 1
        if token.kind == "text":
            return TextTerm(token.value)
        if token.kind == "field":
            return _field_node(token)
        return self._group(token)

    def _group(self, opening: _Token) -> Node:
        if self._depth >= MAX_DEPTH:
            raise QueryError("too deeply nested", opening.start, f"at most {MAX_DEPTH} levels")
        self._depth += 1
        inner = self._or()
        self._depth -= 1
        closing = self._peek()
        if closing is None or closing.kind != ")":
            raise QueryError("unclosed '('", opening.start, "add a ')'")
        self._i += 1
        if inner == _EMPTY:
            raise QueryError("empty parentheses", opening.start, end=closing.end)
        return inner


def parse(text: str) -> Query:
    """Parse a query; raises :class:`QueryError` (a ValueError) saying where it is wrong."""
    if len(text) > MAX_LENGTH:
        raise QueryError("query too long", MAX_LENGTH, f"at most {MAX_LENGTH} characters")
    return Query(_Parser(_lex(text)).parse())


# -- the normalised text --------------------------------------------------------------------------


def _needs_quotes(text: str) -> bool:
    if not text or text == "OR" or text[0] == "-" or _FIELD_NAME.match(text):
        return True
    return any(c.isspace() or c in _STOP for c in text)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_duration(seconds: int) -> str:
    parts = []
    for unit, size in _UNIT_SECONDS.items():
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def _render_value(term: FieldTerm) -> str:
    if len(term.values) == 1:
        value = term.values[0]
        if not value or any(c.isspace() or c in _STOP or c == "," for c in value):
            return _quote(value)
        return value
    return ",".join(term.values)


def _render(node: Node) -> str:
    if isinstance(node, TextTerm):
        return _quote(node.needle) if _needs_quotes(node.needle) else node.needle
    if isinstance(node, FieldTerm):
        return f"{node.field}:{_render_value(node)}"
    if isinstance(node, CompareTerm):
        return f"{node.field}:{'' if node.op == '=' else node.op}{node.number}"
    if isinstance(node, DurationTerm):
        return f"{node.field}:{_render_duration(node.seconds)}"
    if isinstance(node, Not):
        inner = _render(node.child)
        return f"-({inner})" if isinstance(node.child, And | Or) else f"-{inner}"
    if isinstance(node, And):
        return " ".join(
            f"({_render(c)})" if isinstance(c, Or) else _render(c) for c in node.children
        )
    return " OR ".join(_render(child) for child in node.children)


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
        object.__setattr__(self, "text", _render(self.root))

    def __str__(self) -> str:
        return self.text

    @property
    def is_empty(self) -> bool:
        """Whether the query has no terms (and so matches everything)."""
        return self.root == _EMPTY

    @property
    def time_dependent(self) -> bool:
        """Whether what it matches changes as time passes (``older:``, ``due:``, breaching)."""
        return _time_dependent(self.root)

    def compile(self, ctx: QueryContext) -> Predicate:
        """A fast test over mention records, with cut-off times and needles worked out once."""
        return _compile(self.root, _Env.of(ctx))

    def matches(self, record: Record, ctx: QueryContext) -> bool:
        """Whether one record matches; for many records use :meth:`compile` once."""
        return self.compile(ctx)(record)

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
        return fold(term.needle) in fold(own.needle)
    if isinstance(own, Not) and isinstance(term, Not):
        if isinstance(own.child, TextTerm) and isinstance(term.child, TextTerm):
            return fold(own.child.needle) in fold(term.child.needle)
        return False
    if isinstance(own, FieldTerm) and isinstance(term, FieldTerm):
        same = own.field == term.field and own.field in _MERGEABLE
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
            hint = _did_you_mean(value, [fold(user) for user in users])
            raise QueryError(f"assignee: unknown user {_shown(value)}", position, hint)


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


def _describe(node: Node) -> str:
    if isinstance(node, TextTerm):
        return f"“{one_line(node.needle)}”"
    if isinstance(node, FieldTerm):
        return _describe_field(node)
    if isinstance(node, CompareTerm):
        return f"{node.field} {_OP_WORDS[node.op]} {node.number}"
    if isinstance(node, DurationTerm):
        return f"{_DURATION_WORDS[node.field]} {_render_duration(node.seconds)}"
    if isinstance(node, Not):
        inner = _describe(node.child)
        return f"not ({inner})" if isinstance(node.child, And | Or) else f"not {inner}"
    if isinstance(node, And):
        parts = (f"({_describe(c)})" if isinstance(c, Or) else _describe(c) for c in node.children)
        return ", ".join(parts) or "everything"
    parts = (f"({_describe(c)})" if isinstance(c, And) else _describe(c) for c in node.children)
    return " or ".join(parts)


def describe(query: Query) -> str:
    """A short human summary, e.g. ``platform vk, open, not tagged spam, “карта”``."""
    return _describe(query.root)


# -- folding and its caches -----------------------------------------------------------------------


def fold(text: str) -> str:
    """Text made comparable regardless of case: ``casefold``, and the letter ``ё`` read as ye."""
    return text.casefold().replace("ё", "е")


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
        folded_text, folded_handle = fold(text), fold(handle)
        haystack = f"{folded_text}\n{folded_handle}\n{fold(name)}"
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
        return _text_predicate((fold(node.needle),), negate=True)
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
        return _text_predicate((fold(node.needle),))
    if isinstance(node, CompareTerm):
        return _compare_predicate(node)
    if isinstance(node, DurationTerm):
        return _duration_predicate(node, env)
    return _field_predicate(node, env)


def _compile_and(node: And, env: _Env) -> Predicate:
    """Cheap tests first; every plain text term folded into one haystack lookup."""
    needles = tuple(fold(c.needle) for c in node.children if isinstance(c, TextTerm))
    rest = sorted((c for c in node.children if not isinstance(c, TextTerm)), key=_cost)
    predicates = [_compile(child, env) for child in rest]
    if needles:
        text = _text_predicate(needles)
        position = next((i for i, c in enumerate(rest) if _cost(c) > 20), len(rest))
        predicates.insert(position, text)
    return _all(predicates)


def _text_predicate(needles: tuple[str, ...], negate: bool = False) -> Predicate:
    """Every needle (folded) occurs in the folded text, handle or display name."""
    cache, fold_record = _HAYSTACKS, _fold_record
    if len(needles) == 1:
        needle = needles[0]

        def contains(record: Record) -> bool:
            # _entry inlined: this runs once per record per keystroke.
            text, author = record["text"], record["author"]
            entry = cache.get(text)
            if entry is None or not (entry[0] is author or entry[0] == author):
                entry = fold_record(text, author)
            return (needle in entry[1]) is not negate

        return contains

    def contains_all(record: Record) -> bool:
        folded = _entry(record)[1]
        for needle in needles:
            if needle not in folded:
                return negate
        return not negate

    return contains_all


def _author_predicate(value: str) -> Predicate:
    """``@handle``: that handle exactly (``@`` optional); otherwise part of handle or name."""
    if value.startswith("@"):
        handle = value.lstrip("@")

        def exactly(record: Record) -> bool:
            _, folded, text_end, handle_end = _entry(record)
            return folded[text_end + 1 : handle_end].lstrip("@") == handle

        return exactly

    def by(record: Record) -> bool:
        entry = _entry(record)
        return entry[1].find(value, entry[2] + 1) != -1

    return by


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
        if record.get("status") not in _OPEN:
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
        return _enum_predicate("status", _OPEN)
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
