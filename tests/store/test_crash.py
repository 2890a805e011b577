"""Processes killed mid-commit, and several processes writing at once.

The tests run ``crash_child.py`` (next to this file) in child processes and
SIGKILL them; see reliability-anchors §1.4, STORE-1/5.
"""

from __future__ import annotations

import multiprocessing
import random
import shutil
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson
import pytest

from smm_tui.core.models import Mention
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store import layout
from smm_tui.store.store import JOURNAL, Store
from tests.store.crashing import (
    build_store,
    copy_of,
    crash_child,
    pick_ids,
    run_child,
    snapshot,
)


@pytest.fixture
def data_dir(template: Path, tmp_path: Path) -> Path:
    return copy_of(template, tmp_path)


# -- the journal: a commit cut short is finished by the next process -------------------------------


@pytest.mark.parametrize("point", ["journal", "shard-1", "shard-2", "shard-3", "shard-4", "unlink"])
def test_a_commit_killed_midway_is_all_or_nothing(data_dir: Path, point: str) -> None:
    with Store.open(data_dir) as store:
        before = snapshot(store)
        ids = pick_ids(store)
    (data_dir.parent / "ids.json").write_bytes(orjson.dumps(ids))
    result = run_child("die", str(data_dir), point)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    if point != "journal":
        assert (data_dir / JOURNAL).exists()

    with Store.open(data_dir) as store:
        assert store.warnings == []
        assert not (data_dir / JOURNAL).exists()
        after = snapshot(store)
    if point == "journal":
        assert after == before
        return
    mentions = after[Collection.MENTIONS]
    assert mentions[ids["open"]]["status"] == "done"
    assert mentions[ids["done"]]["status"] == "new"
    assert crash_child.make_mention("brand-new")["id"] in mentions
    assert after[Collection.CURSORS]["poll"]["cursor"] == "after-crash-test"
    assert len(mentions) == len(before[Collection.MENTIONS]) + 1
    untouched = set(before[Collection.MENTIONS]) - {ids["open"], ids["done"]}
    assert all(mentions[rid] == before[Collection.MENTIONS][rid] for rid in untouched)
    # Each record is in exactly one file, the one the layout says.
    for rid, record in mentions.items():
        holders = [
            p
            for p in (data_dir / "mentions").glob("*.json")
            if rid in {d["id"] for d in orjson.loads(p.read_bytes())["mentions"].values()}
        ]
        assert [str(p.relative_to(data_dir)) for p in holders] == [
            layout.shard_for(Collection.MENTIONS, record)
        ]


def test_a_running_store_finishes_another_process_journal_on_its_next_commit(
    data_dir: Path,
) -> None:
    with Store.open(data_dir) as store:
        ids = pick_ids(store)
        (data_dir.parent / "ids.json").write_bytes(orjson.dumps(ids))
        result = run_child("die", str(data_dir), "shard-2")
        assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
        assert (data_dir / JOURNAL).exists()
        store.commit(ChangeSet().put(Collection.DRAFTS, {"id": "d", "text": "mine"}))
        assert not (data_dir / JOURNAL).exists()
        assert store.get(Collection.MENTIONS, ids["open"])["status"] == "done"  # type: ignore[index]
        assert store.get(Collection.MENTIONS, ids["done"])["status"] == "new"  # type: ignore[index]
        assert store.get(Collection.CURSORS, "poll") is not None
        assert store.get(Collection.DRAFTS, "d") is not None
        state = snapshot(store)
    with Store.open(data_dir) as reopened:
        assert snapshot(reopened) == state


# -- STORE-5 several processes, no lost updates ----------------------------------------------------


def test_four_processes_lose_no_updates(scratch: Path) -> None:
    # In memory where it can be: lost updates are about the lock and compare-and-set, which
    # work alike on any file system; the kill -9 trials stay on the disk.
    workers, writes = 4, 500
    data_dir = scratch / "data"
    build_store(data_dir, [])
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(workers)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=crash_child.count_worker, args=(str(data_dir), w, writes, start, results)
        )
        for w in range(workers)
    ]
    for proc in procs:
        proc.start()
    try:
        reports = [results.get(timeout=120) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
    assert all(proc.exitcode == 0 for proc in procs), reports
    print(f"4 processes: compare-and-set retries per worker {sorted(r[2] for r in reports)}")
    assert sorted(r[1] for r in reports) == [writes] * workers, reports

    with Store.open(data_dir) as store:
        assert store.warnings == []
        assert store.get(Collection.CURSORS, "counter")["n"] == workers * writes  # type: ignore[index]
        ids = {r["id"] for r in store.records(Collection.MENTIONS)}
        assert len(ids) == workers * writes
        expected = {
            crash_child.make_mention(f"w{w}n{n}")["id"]
            for w in range(workers)
            for n in range(writes)
        }
        assert ids == expected


# -- STORE-1 kill -9 at a random moment ------------------------------------------------------------

#: The issue asks for 200 trials; each is a child process killed at a random moment.
TRIALS = 200
#: The trials' children fork from a server that imported the store once, so that a trial
#: costs its commits rather than a Python start-up (0.2-0.5 s, more than the commits).
FORKSERVER = multiprocessing.get_context("forkserver")
#: Held to start a child or wait for it: ``Process.start()`` polls every other child, and of
#: two polls at once of a forkserver child only one reads its exit status (the other, 255).
_STARTING_OR_REAPING = threading.Lock()


def _apply(model: dict[str, str], ops: list[list[str]]) -> dict[str, str]:
    model = dict(model)
    for op in ops:
        if op[0] == "i":
            assert op[1] not in model
            model[op[1]] = "new"
        elif op[0] == "s":
            assert model[op[1]] != op[2]
            model[op[1]] = op[2]
        else:
            del model[op[1]]
    return model


def _kill_trial(
    template: Path, statuses: dict[str, str], workdir: Path, trial: int, journaled: list[int]
) -> str | None:
    """One kill -9 trial; returns a description of what went wrong, or None.

    Appends the trial's number to ``journaled`` when the kill landed inside a commit
    whose journal was already written (so the reopen had to roll it forward).
    """
    rng = random.Random(trial)
    data_dir = workdir / f"trial{trial}"
    shutil.copytree(template, data_dir)
    output, child_end = FORKSERVER.Pipe(duplex=False)
    proc = FORKSERVER.Process(target=crash_child.loop_into, args=(child_end, str(data_dir), trial))
    with _STARTING_OR_REAPING:
        proc.start()
    child_end.close()  # the child holds the only writing end: its death ends the stream
    lines: list[str] = []
    acknowledging = threading.Event()

    def read() -> None:
        with open(output.fileno(), "rb", closefd=False) as stream:
            for raw in stream:
                lines.append(raw.decode())
                if raw.startswith(b"A "):
                    acknowledging.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not acknowledging.wait(timeout=30):
            return f"trial {trial}: child never acknowledged a commit: {''.join(lines)[-2000:]}"
        time.sleep(rng.uniform(0.0, 0.3))  # the random kill moment (deliberate, not a sync)
        proc.kill()
    finally:
        proc.kill()
        with _STARTING_OR_REAPING:
            proc.join()
        reader.join(timeout=30)
        output.close()
    if proc.exitcode != -signal.SIGKILL:
        return f"trial {trial}: child exited {proc.exitcode}: {''.join(lines)[-2000:]}"
    if (data_dir / JOURNAL).exists():
        journaled.append(trial)

    with Store.open(data_dir) as store:
        warnings = list(store.warnings)
        records = list(store.records(Collection.MENTIONS))
    if warnings:
        return f"trial {trial}: warnings on open: {warnings}"
    state = {r["id"]: r["status"] for r in records}
    for record in records:
        Mention.from_record(record)  # every record still has the mention schema

    model = statuses
    pending: list[list[str]] | None = None
    acked = 0
    for line in lines:
        if not line.endswith("\n"):
            break  # cut off by the kill: not acknowledged
        if line.startswith("B "):
            pending = orjson.loads(line[2:])
        elif line.startswith("A "):
            assert pending is not None
            model = _apply(model, pending)
            pending, acked = None, acked + 1
        else:
            return f"trial {trial}: unexpected output {line!r}"
    if state == model:
        return None
    if pending is not None and state == _apply(model, pending):
        return None
    missing = sorted(set(model) - set(state))[:5]
    extra = sorted(set(state) - set(model))[:5]
    wrong = sorted(k for k in set(model) & set(state) if model[k] != state[k])[:5]
    return (
        f"trial {trial}: after {acked} acknowledged commits the store lost acknowledged changes "
        f"(missing {missing}, extra {extra}, wrong status {wrong}; in flight: {pending})"
    )


def test_kill_9_never_loses_an_acknowledged_write(template: Path, tmp_path: Path) -> None:
    with Store.open(template) as store:
        statuses = {r["id"]: r["status"] for r in store.records(Collection.MENTIONS)}
    # What crash_child imports: the server does not take the test's sys.path (Python 3.11).
    FORKSERVER.set_forkserver_preload(["smm_tui.store.store", "smm_tui.core.models"])
    journaled: list[int] = []
    # Most of a trial is the wait for its kill moment: four at once keep two cores busy.
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(
            pool.map(
                lambda n: _kill_trial(template, statuses, tmp_path, n, journaled), range(TRIALS)
            )
        )
    failures = [o for o in outcomes if o is not None]
    print(f"kill -9: {TRIALS} trials, {len(journaled)} killed mid-commit with the journal written")
    assert not failures, f"{len(failures)}/{TRIALS} trials failed:\n" + "\n".join(failures[:10])
    # The kills did land inside commits, between the journal and the last shard write.
    assert len(journaled) >= TRIALS // 20, len(journaled)
