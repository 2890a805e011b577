"""An inverted index of the mentions' enumerated fields, so field queries skip the scan.

``platform:vk sentiment:neg -tag:spam`` over 100,000 mentions is then a few set
operations on ids instead of a test of every record. Only terms the index answers
exactly are taken out of a query (:meth:`FacetIndex.plan`); the rest still runs as
a predicate on what the sets leave.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from smm_tui.core.indexed import TagsOf
from smm_tui.core.models import OPEN_VALUES, Status
from smm_tui.core.query import And, FieldTerm, Node, Not, Query, fold
from smm_tui.core.repository import Record

#: Fields stored as one canonical value, compared exactly (see the query language).
EXACT_FIELDS: Final = ("platform", "status", "sentiment", "intent")
_STATUSES: Final = frozenset(status.value for status in Status)


def _folded_tags(record: Record) -> tuple[str, ...]:
    tags = record.get("tags")
    return tuple(fold(tag) for tag in tags) if tags else ()


@dataclass(frozen=True, slots=True)
class Plan:
    """A query split into sets of ids to keep and to leave out, and what remains to test."""

    include: list[set[str]] = field(default_factory=list)
    exclude: list[set[str]] = field(default_factory=list)
    rest: Query = field(default_factory=lambda: Query(And(())))

    @property
    def narrows(self) -> bool:
        """Whether the index answered any part of the query."""
        return bool(self.include or self.exclude)

    def allows(self) -> set[str] | None:
        """The ids every include set holds (None: no include set, so any id)."""
        if not self.include:
            return None
        smallest, *others = sorted(self.include, key=len)
        return smallest.intersection(*others)

    def excluded(self) -> set[str]:
        """The ids some exclude set holds."""
        return set().union(*self.exclude)


class FacetIndex:
    """(field, value) → ids, kept up to date record by record.

    The exact fields are held as cells: each combination of their values that
    occurs (a few hundred at most) holds the ids that have it, so each id is held
    once, not once a field; a field's value is the union of the cells with it.
    Only tags are remembered per mention (few mentions have any). One thread
    changes the index; another may plan against it at the same time, since
    :meth:`plan` only reads and returns fresh sets.
    """

    def __init__(self) -> None:
        self._cells: dict[tuple[str, ...], set[str]] = {}
        self._tagged: dict[str, set[str]] = {}
        self._tags_of: dict[str, tuple[str, ...]] = {}
        # Tags repeat across thousands of mentions: each spelling and each set is held once.
        self._names: dict[str, str] = {}
        self._tag_sets: dict[tuple[str, ...], tuple[str, ...]] = {}

    def put(self, mention_id: str, record: Record | None) -> None:
        """Index a record under its current values (None: forget the mention)."""
        for members in self._cells.values():
            members.discard(mention_id)
        for tag in self._tags_of.pop(mention_id, ()):
            self._tagged[tag].discard(mention_id)
        if record is not None:
            self._add(mention_id, record)

    def tags_of(self, mention_id: str) -> tuple[str, ...]:
        """A mention's tags, folded (none if it has none or is not indexed)."""
        return self._tags_of.get(mention_id, ())

    def tags_now(self) -> TagsOf:
        """:meth:`tags_of` as it is now, for a reader in another thread."""
        tags = dict(self._tags_of)
        return lambda mention_id: tags.get(mention_id, ())

    def added(self, records: Iterable[Record]) -> Iterator[Record]:
        """Index each record as it passes through (for a caller reading them once)."""
        add = self._add
        for record in records:
            add(record["id"], record)
            yield record

    def _add(self, mention_id: str, record: Record) -> None:
        get = record.get
        cell = tuple(get(name) or "" for name in EXACT_FIELDS)
        members = self._cells.get(cell)
        if members is None:
            members = self._cells[cell] = set()
        members.add(mention_id)
        tags = _folded_tags(record)
        if tags:
            names = self._names
            tags = tuple(names.setdefault(tag, tag) for tag in tags)
            tags = self._tag_sets.setdefault(tags, tags)
            self._tags_of[mention_id] = tags
            for tag in tags:
                self._tagged.setdefault(tag, set()).add(mention_id)

    def plan(self, query: Query) -> Plan:
        """Take out of ``query``'s top-level terms those the index answers exactly."""
        root = query.root
        conjuncts = root.children if isinstance(root, And) else (root,)
        include: list[set[str]] = []
        exclude: list[set[str]] = []
        rest: list[Node] = []
        for term in conjuncts:
            if isinstance(term, Not) and (ids := self._answer(term.child)) is not None:
                exclude.append(ids)
            elif (ids := self._answer(term)) is not None:
                include.append(ids)
            else:
                rest.append(term)
        if not include and not exclude:
            return Plan(rest=query)
        remainder = rest[0] if len(rest) == 1 else And(tuple(rest))
        return Plan(include, exclude, Query(remainder))

    def _answer(self, term: Node) -> set[str] | None:
        """Exactly the ids ``term`` matches, or None if the index cannot tell."""
        if not isinstance(term, FieldTerm):
            return None
        if term.field in EXACT_FIELDS or term.field == "tag":
            return self._union(term.field, term.values)
        if term.field == "is" and all(v in _STATUSES or v == "open" for v in term.values):
            wanted = {s for v in term.values for s in (OPEN_VALUES if v == "open" else (v,))}
            return self._union("status", tuple(wanted))
        return None

    def _union(self, name: str, values: tuple[str, ...]) -> set[str]:
        found: set[str] = set()
        if name == "tag":
            for value in values:
                found |= self._tagged.get(value, set())
            return found
        position = EXACT_FIELDS.index(name)
        for cell, members in list(self._cells.items()):  # a snapshot: a cell may be added
            if cell[position] in values:
                found |= members
        return found
