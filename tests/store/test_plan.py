"""Planning a batch: each change set's outcome is its own operations, in plan order."""

from __future__ import annotations

import random
from pathlib import Path

from smm_tui.core.repository import ChangeSet, Collection, Op
from smm_tui.store.plan import Plan
from smm_tui.store.shards import Shards


def random_batch(rng: random.Random, sets: int) -> list[ChangeSet]:
    """Change sets over a few shared ids, so that many operations are skipped; now and then
    one holds an earlier one's operations too (``extend``)."""
    batch: list[ChangeSet] = []
    for _ in range(sets):
        changes = ChangeSet()
        for _ in range(rng.randint(0, 4)):
            rid = f"c{rng.randrange(6)}"
            kind = rng.choice(["insert", "put", "patch", "delete"])
            if kind == "insert":
                changes.insert_new(Collection.CURSORS, {"id": rid, "n": 0})
            elif kind == "put":
                changes.put(Collection.CURSORS, {"id": rid, "n": rng.randrange(3)})
            elif kind == "patch":
                changes.patch(Collection.CURSORS, rid, {"n": 1}, {"n": 0})
            else:
                changes.delete(Collection.CURSORS, rid)
        if batch and rng.random() < 0.2:
            changes.extend(rng.choice(batch))
        batch.append(changes)
    return batch


def test_each_change_set_gets_its_own_applied_and_skipped_operations(tmp_path: Path) -> None:
    rng = random.Random(11)
    applied = skipped = 0
    for _ in range(50):
        batch = random_batch(rng, rng.randint(1, 12))
        planned = [op for changes in batch for op in changes.ops]
        plan = Plan.of(Shards(tmp_path, []), planned)
        applied, skipped = applied + len(plan.applied), skipped + len(plan.skipped)
        outcomes = plan.outcomes([changes.ops for changes in batch])
        for changes, outcome in zip(batch, outcomes, strict=True):
            mine = {id(op) for op in changes.ops}
            assert ids(outcome.applied) == [id(op) for op in plan.applied if id(op) in mine]
            assert ids(outcome.skipped) == [id(op) for op in plan.skipped if id(op) in mine]
            told = len(outcome.applied) + len(outcome.skipped)
            assert told == sum(id(op) in mine for op in planned)
            assert outcome.of(Collection.CURSORS) == {op.id for op in outcome.applied}
    assert applied > 50 and skipped > 50  # the batches did exercise both


def ids(ops: tuple[Op, ...]) -> list[int]:
    return [id(op) for op in ops]
