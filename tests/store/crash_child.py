"""A child process for the store's crash tests (run as a script by test_store_safety.py).

``crash_child.py loop DATA_DIR SEED``
    Open the store and commit forever: batches of new mentions, status changes
    that move mentions between the queue file and the daily archives, and
    deletes. Before each commit print ``B <ops as JSON>``; once ``commit()``
    has returned print ``A <seq>``. Both lines are flushed, so the parent knows
    every acknowledged operation and the one commit that may be in flight.
    (:func:`loop_into` runs the same loop in a forked process, writing to a pipe.)

``crash_child.py die DATA_DIR POINT``
    Commit :func:`multi_file_changes` and SIGKILL ourselves at ``POINT``:
    ``journal`` (journal file written, before its rename), ``shard-N`` (when the
    N-th shard file is about to be written) or ``unlink`` (every shard written,
    before the journal is removed).
"""

from __future__ import annotations

import os
import random
import signal
import sys
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TextIO

import orjson

from smm_tui.core.models import Author, Mention, Platform, Status
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store import journal as journal_module
from smm_tui.store import storage
from smm_tui.store.shards import Shards
from smm_tui.store.store import JOURNAL, Store

START = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
PLATFORMS = (Platform.VK, Platform.TELEGRAM, Platform.MASTODON, Platform.BLUESKY, Platform.X)


def make_mention(key: str, status: str = "new") -> dict[str, Any]:
    """A mention whose content is a pure function of ``key``."""
    n = int.from_bytes(key.encode()[-4:].rjust(4, b"\0"), "big")
    return Mention(
        platform=PLATFORMS[n % len(PLATFORMS)],
        account="brand",
        external_id=key,
        author=Author(id=f"a{n % 97}", handle=f"@fan{n % 97}"),
        text=f"{key}: the app logs me out every time I switch accounts, please help",
        created_at=START + timedelta(hours=(n * 7) % (24 * 70)),  # spread over ten weeks
        status=Status(status),
    ).to_record()


def template_mentions(count: int) -> list[dict[str, Any]]:
    """The mentions a crash-test store starts with: a third open, the rest archived."""
    return [make_mention(f"seed{n}", "new" if n % 3 == 0 else "done") for n in range(count)]


def multi_file_changes(ids: dict[str, str]) -> ChangeSet:
    """One commit touching four files: queue → archive, archive → queue, a new mention, a cursor."""
    changes = ChangeSet()
    changes.patch(Collection.MENTIONS, ids["open"], {"status": "done"}, {"status": "new"})
    changes.patch(Collection.MENTIONS, ids["done"], {"status": "new"}, {"status": "done"})
    changes.insert_new(Collection.MENTIONS, make_mention("brand-new"))
    changes.put(Collection.CURSORS, {"id": "poll", "cursor": "after-crash-test"})
    return changes


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def die(data_dir: Path, point: str) -> None:
    store = Store.open(data_dir)
    ids = orjson.loads((data_dir.parent / "ids.json").read_bytes())
    if point == "journal":
        real_write = storage.atomic_write_bytes

        def write_then_die(path: Path, payload: bytes) -> None:
            if path.name == JOURNAL:
                tmp = path.with_name(f".{path.name}.partial")
                tmp.write_bytes(payload)
                _kill_self()
            real_write(path, payload)

        # The journal calls it through its own module's name: replace it there.
        setattr(journal_module, "atomic_write_bytes", write_then_die)  # noqa: B010
    elif point.startswith("shard-"):
        limit = int(point.removeprefix("shard-"))
        real_shard = Shards.write
        calls = [0]

        def shard_then_die(self: Shards, path: str, shard: Any) -> None:
            calls[0] += 1
            if calls[0] == limit:
                _kill_self()
            real_shard(self, path, shard)

        Shards.write = shard_then_die  # type: ignore[method-assign]
    elif point == "unlink":
        real_unlink = Path.unlink

        def die_on_journal_unlink(self: Path, missing_ok: bool = False) -> None:
            if self.name == JOURNAL:
                _kill_self()
            real_unlink(self, missing_ok=missing_ok)

        Path.unlink = die_on_journal_unlink  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown point {point}")
    store.commit(multi_file_changes(ids))
    print("committed without dying", flush=True)
    sys.exit(3)


def count(data_dir: Path, worker: int, writes: int, start: Any) -> tuple[int, int]:
    """STORE-5 worker: ``writes`` new mentions and ``writes`` counter increments.

    Each increment is a compare-and-set on the shared counter, retried when
    another process got there first. Returns (inserted, retries).
    """
    store = Store.open(data_dir, lock_timeout=60)
    start.wait()
    inserted = retries = 0
    try:
        for n in range(writes):
            record = make_mention(f"w{worker}n{n}", "new" if n % 4 == 0 else "done")
            changes = ChangeSet().insert_new(Collection.MENTIONS, record)
            while True:
                current = store.get(Collection.CURSORS, "counter")
                assert current is not None
                changes.patch(
                    Collection.CURSORS, "counter", {"n": current["n"] + 1}, {"n": current["n"]}
                )
                changed = store.commit(changes)
                inserted += sum(op.kind == "insert_new" for op in changed.applied)
                if any(op.kind == "patch" for op in changed.applied):
                    break
                retries += 1
                changes = ChangeSet()
    finally:
        store.close()
    return inserted, retries


def count_worker(data_dir: str, worker: int, writes: int, start: Any, results: Any) -> None:
    """Entry point for multiprocessing: report (worker, inserted, retries) on a queue."""
    try:
        inserted, retries = count(Path(data_dir), worker, writes, start)
    except BaseException as exc:
        results.put((worker, -1, repr(exc)))
        raise
    results.put((worker, inserted, retries))


def loop_into(out: Connection, data_dir: str, seed: int) -> None:
    """Entry point for multiprocessing: :func:`loop`, writing (tracebacks too) to ``out``."""
    os.dup2(out.fileno(), sys.stderr.fileno())
    with open(out.fileno(), "w", encoding="utf-8", closefd=False) as stream:
        loop(Path(data_dir), seed, stream)


def loop(data_dir: Path, seed: int, out: TextIO) -> None:
    rng = random.Random(seed)
    store = Store.open(data_dir)
    if store.warnings:
        out.write(f"W {store.warnings}\n")
        out.flush()
        sys.exit(2)
    open_ids = [r["id"] for r in store.records(Collection.MENTIONS) if r["status"] == "new"]
    done_ids = [r["id"] for r in store.records(Collection.MENTIONS) if r["status"] == "done"]
    fresh = 0
    for seq in range(1_000_000):
        ops: list[list[str]] = []
        changes = ChangeSet()
        for _ in range(rng.randint(0, 8)):
            fresh += 1
            record = make_mention(f"s{seed}n{fresh}")
            changes.insert_new(Collection.MENTIONS, record)
            ops.append(["i", record["id"]])
            open_ids.append(record["id"])
        for _ in range(rng.randint(0, 3)):
            if open_ids:
                rid = open_ids.pop(rng.randrange(len(open_ids)))
                changes.patch(Collection.MENTIONS, rid, {"status": "done"}, {"status": "new"})
                ops.append(["s", rid, "done"])
                done_ids.append(rid)
        if done_ids and rng.random() < 0.4:
            rid = done_ids.pop(rng.randrange(len(done_ids)))
            changes.patch(Collection.MENTIONS, rid, {"status": "new"}, {"status": "done"})
            ops.append(["s", rid, "new"])
            open_ids.append(rid)
        if rng.random() < 0.5:
            pool = open_ids if rng.random() < 0.5 and open_ids else done_ids
            if pool:
                rid = pool.pop(rng.randrange(len(pool)))
                changes.delete(Collection.MENTIONS, rid)
                ops.append(["d", rid])
        if not ops:
            continue
        out.write(f"B {orjson.dumps(ops).decode()}\n")
        out.flush()
        changed = store.commit(changes)
        if changed.skipped:
            out.write(f"E skipped {[op.id for op in changed.skipped]}\n")
            out.flush()
            sys.exit(4)
        out.write(f"A {seq}\n")
        out.flush()


def main() -> None:
    mode, data_dir, arg = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    if mode == "loop":
        loop(data_dir, int(arg), sys.stdout)
    elif mode == "die":
        die(data_dir, arg)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
