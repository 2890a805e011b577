"""Planning a commit: which shards a batch of operations touches, and what it leaves in them.

The writer drains every queued change set into one commit. :class:`Plan` applies
their operations in order to copies of the shards they touch (an operation sees
the outcome of those before it), without changing the store: the journal then
writes the plan, and the store installs it. Each change set's own outcome is
picked out of the plan afterwards (:meth:`Plan.outcomes`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smm_tui.core.repository import Changed, Collection, Op, Record, ids_of
from smm_tui.store import layout
from smm_tui.store.shards import Moves, Shard, Shards


@dataclass(slots=True)
class Plan:
    """The outcome of applying operations to copies of the shards they touch."""

    shards: Shards
    #: The copies of the touched shards, as the commit leaves them.
    touched: dict[str, Shard] = field(default_factory=dict)
    #: What each archive shard held before the plan touched it (to put back on failure).
    originals: dict[str, dict[str, Record]] = field(default_factory=dict)
    applied: list[Op] = field(default_factory=list)
    skipped: list[Op] = field(default_factory=list)
    #: Where each record the plan touched ends up (None: deleted).
    moves: Moves = field(default_factory=dict)

    @classmethod
    def of(cls, shards: Shards, ops: list[Op]) -> Plan:
        """Apply ``ops`` in order, each to what the ones before it left."""
        plan = cls(shards)
        for op in ops:
            if plan.apply(op):
                plan.applied.append(op)
            else:
                plan.skipped.append(op)
        return plan

    def apply(self, op: Op) -> bool:
        """Apply one operation to the plan; False when it does not apply (it is skipped)."""
        applies, record = op.outcome(self.current(op.collection, op.id))
        if applies:
            self.place(op.collection, op.id, record)
        return applies

    def current(self, collection: Collection, record_id: str) -> Record | None:
        """A record as the plan has left it so far."""
        key = (collection, record_id)
        if key in self.moves:
            path = self.moves[key]
            return None if path is None else self.touched[path].records[record_id]
        return self.shards.get(collection, record_id)

    def location(self, collection: Collection, record_id: str) -> str | None:
        """The shard that holds a record as the plan has left it so far."""
        key = (collection, record_id)
        if key in self.moves:
            return self.moves[key]
        return self.shards.location(collection, record_id)

    def copy(self, path: str, collection: Collection) -> Shard:
        """The plan's copy of a shard, made from what the store holds on first use."""
        if path not in self.touched:
            held = self.shards.held(path)
            if layout.is_archive(path):
                self.originals[path] = held
            self.touched[path] = Shard(collection, dict(held))
        return self.touched[path]

    def place(self, collection: Collection, rid: str, record: Record | None) -> None:
        """Put a record (None: take it out) into the shard the layout names for it."""
        old_path = self.location(collection, rid)
        if old_path is not None:
            self.copy(old_path, collection).records.pop(rid, None)
        if record is None:
            self.moves[(collection, rid)] = None
            return
        new_path = layout.shard_for(collection, record)
        self.copy(new_path, collection).records[rid] = record
        self.moves[(collection, rid)] = new_path

    def outcomes(self, batch: list[list[Op]]) -> list[Changed]:
        """What became of each change set's operations (``batch``: their ops, each set's
        in a list), in one pass over the plan however many sets the batch holds."""
        owners: dict[int, list[int]] = {}
        for index, ops in enumerate(batch):
            for op in ops:
                found = owners.setdefault(id(op), [])
                if not found or found[-1] != index:
                    found.append(index)
        applied: list[list[Op]] = [[] for _ in batch]
        skipped: list[list[Op]] = [[] for _ in batch]
        for ops, into in ((self.applied, applied), (self.skipped, skipped)):
            for op in ops:
                for index in owners.get(id(op), ()):
                    into[index].append(op)
        return [
            Changed(ids_of(done), tuple(done), tuple(left))
            for done, left in zip(applied, skipped, strict=True)
        ]

    def changed(self, external: Changed) -> Changed:
        """What the whole batch changed, with what other processes had (``external``)."""
        ids = dict(external.ids)
        for collection, changed_ids in ids_of(self.applied).items():
            ids[collection] = ids.get(collection, frozenset()) | changed_ids
        return Changed(ids, tuple(self.applied), tuple(self.skipped))
