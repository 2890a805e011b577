"""The store under hostile conditions: umask 0, corrupt files, I/O errors.

See reliability-anchors §1.4, STORE-3/8/10; processes killed mid-commit and
several processes at once are in ``test_crash.py``.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store import layout, storage
from smm_tui.store.shards import Shards
from smm_tui.store.storage import StoreError
from smm_tui.store.store import JOURNAL, LOCK, Store
from tests.store.crashing import State, copy_of, crash_child, disk, pick_ids, snapshot


@pytest.fixture
def data_dir(template: Path, tmp_path: Path) -> Path:
    return copy_of(template, tmp_path)


def guarded_changes(ids: dict[str, str]) -> ChangeSet:
    """Four files in one commit, every op guarded so that applying it twice is a no-op."""
    changes = ChangeSet()
    changes.patch(Collection.MENTIONS, ids["open"], {"status": "done"}, {"status": "new"})
    changes.patch(Collection.MENTIONS, ids["done"], {"status": "new"}, {"status": "done"})
    changes.insert_new(Collection.MENTIONS, crash_child.make_mention("fault-test"))
    changes.patch(Collection.CURSORS, "counter", {"n": 1}, {"n": 0})
    return changes


# -- STORE-10 permissions --------------------------------------------------------------------------


@pytest.fixture
def umask_zero() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_files_are_0600_and_dirs_0700_even_with_umask_0(
    tmp_path: Path, umask_zero: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "missing-parent" / "data"
    journal_modes: list[int] = []
    real_write_shard = Shards.write

    def spy(self: Shards, path: str, shard: Any) -> None:
        journal_modes.append(stat.S_IMODE((self.data_dir / JOURNAL).stat().st_mode))
        real_write_shard(self, path, shard)

    monkeypatch.setattr(Shards, "write", spy)
    with Store.open(data_dir) as store:
        changes = ChangeSet()
        for record in crash_child.template_mentions(30):
            changes.insert_new(Collection.MENTIONS, record)
        changes.put(Collection.CURSORS, {"id": "c", "cursor": "1"})
        changes.put(Collection.AUDIT, {"id": "a", "at": "2025-01-07T10:00:00Z", "action": "x"})
        store.commit(changes)
        store.commit(ChangeSet().put(Collection.DRAFTS, {"id": "d", "text": "draft"}))
    # A file moved aside keeps its mode too.
    (data_dir / "drafts.json").write_bytes(b"\0\0\0")
    os.chmod(data_dir / "drafts.json", 0o600)
    with Store.open(data_dir) as store:
        assert len(store.warnings) == 1

    assert journal_modes
    assert set(journal_modes) == {0o600}
    files = [p for p in data_dir.rglob("*") if p.is_file()]
    dirs = [p for p in data_dir.rglob("*") if p.is_dir()]
    names = {p.name for p in files}
    assert {LOCK, layout.META, "open.json", "cursors.json"} <= names
    assert any(".corrupt-" in name for name in names)
    assert any(p.parent.name == "audit" for p in files)
    assert {p.name for p in dirs} == {"mentions", "audit"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in [data_dir, data_dir.parent, *dirs]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


def test_an_existing_open_data_dir_is_made_private(tmp_path: Path, umask_zero: None) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o777)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o777
    with Store.open(data_dir):
        pass
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((data_dir / LOCK).stat().st_mode) == 0o600


# -- STORE-8 corrupt files are moved aside, never overwritten --------------------------------------


def _truncated(good: bytes) -> bytes:
    return good[: len(good) // 2]


def _garbage(good: bytes) -> bytes:
    return random.Random(8).randbytes(len(good))


def _nul_filled(good: bytes) -> bytes:
    return b"\0" * len(good)


def _trailing_data(good: bytes) -> bytes:
    return good + b'{"mentions": {}}'


def _whitespace(good: bytes) -> bytes:
    return b" \n" * 8


def _not_a_table(good: bytes) -> bytes:
    return b'{"mentions": [1, 2, 3]}'


def _record_without_id(good: bytes) -> bytes:
    return b'{"mentions": {"1": {"text": "no id"}}}'


def _unknown_table(good: bytes) -> bytes:
    return b'{"bogus": {"1": {"id": "x"}}}'


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "truncated": _truncated,
    "garbage": _garbage,
    "nul-filled": _nul_filled,
    "trailing-data": _trailing_data,
    "whitespace-only": _whitespace,
    "not-a-table": _not_a_table,
    "record-without-id": _record_without_id,
    "unknown-table": _unknown_table,
}


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_a_corrupt_shard_is_moved_aside_and_the_rest_loads(data_dir: Path, kind: str) -> None:
    open_file = data_dir / layout.OPEN_MENTIONS
    with Store.open(data_dir) as store:
        archived = {r["id"] for r in store.records(Collection.MENTIONS) if r["status"] == "done"}
        total = store.count(Collection.MENTIONS)
    assert 0 < len(archived) < total
    bad = CORRUPTIONS[kind](open_file.read_bytes())
    open_file.write_bytes(bad)
    others = {k: v for k, v in disk(data_dir).items() if k != layout.OPEN_MENTIONS}

    with Store.open(data_dir) as store:
        assert len(store.warnings) == 1
        warning = store.warnings[0]
        assert "\n" not in warning
        assert str(open_file) in warning
        # The other shards loaded: every archived mention and the counter are there.
        assert {r["id"] for r in store.records(Collection.MENTIONS)} == archived
        assert store.get(Collection.CURSORS, "counter") is not None

        moved = list(open_file.parent.glob("open.json.corrupt-*"))
        assert len(moved) == 1
        assert moved[0].name in warning
        assert moved[0].read_bytes() == bad
        assert not open_file.exists()
        after_open = disk(data_dir)
        assert {
            k: v for k, v in after_open.items() if k != str(moved[0].relative_to(data_dir))
        } == (others)

        # The store keeps working; new open mentions start a fresh queue file.
        fresh = crash_child.make_mention("after-corruption")
        store.commit(ChangeSet().insert_new(Collection.MENTIONS, fresh))
        assert store.get(Collection.MENTIONS, fresh["id"]) is not None
    assert moved[0].read_bytes() == bad
    with Store.open(data_dir) as store:
        assert store.warnings == []
        assert store.count(Collection.MENTIONS) == len(archived) + 1


def test_a_corrupt_only_shard_refuses_to_open_and_keeps_the_bytes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        store.commit(ChangeSet().insert_new(Collection.MENTIONS, crash_child.make_mention("x")))
    open_file = data_dir / layout.OPEN_MENTIONS
    bad = _truncated(open_file.read_bytes())
    open_file.write_bytes(bad)
    with pytest.raises(StoreError) as caught:
        Store.open(data_dir)
    assert "\n" not in str(caught.value)
    assert str(open_file) in str(caught.value)
    (moved,) = open_file.parent.glob("open.json.corrupt-*")
    assert moved.read_bytes() == bad


# -- STORE-3 I/O errors ----------------------------------------------------------------------------


class FaultyOs:
    """Stands in for ``os`` inside smm_tui.store.storage; fails the k-th call of one function."""

    def __init__(self, name: str, code: int) -> None:
        self.name = name
        self.code = code
        self.k = 0
        self.sticky = False
        self.calls = 0
        self.fired = 0

    def arm(self, k: int, *, sticky: bool) -> None:
        self.k, self.sticky, self.calls, self.fired = k, sticky, 0, 0

    def disarm(self) -> None:
        self.k = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if name != self.name:
            return real

        def maybe_fail(*args: Any, **kwargs: Any) -> Any:
            if self.k:
                self.calls += 1
                if self.calls == self.k or (self.sticky and self.calls > self.k):
                    self.fired += 1
                    raise OSError(self.code, os.strerror(self.code))
            return real(*args, **kwargs)

        return maybe_fail


@pytest.fixture(scope="module")
def reference(
    template: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], State]:
    """The ids the I/O tests change, and the state after a fault-free commit of those changes."""
    data_dir = tmp_path_factory.mktemp("reference") / "data"
    shutil.copytree(template, data_dir)
    with Store.open(data_dir) as store:
        ids = pick_ids(store)
        changed = store.commit(guarded_changes(ids))
        assert not changed.skipped
        return ids, snapshot(store)


def check_failed_commit(
    data_dir: Path, error: BaseException, code: int, sticky: bool, k: int
) -> None:
    assert isinstance(error, StoreError), (k, error)
    message = str(error)
    assert "\n" not in message
    assert str(data_dir) in message
    assert os.strerror(code) in message
    if not sticky:
        # The roll-back itself succeeds: every touched file is put back.
        assert "nothing was changed" in message, k
    elif "nothing was changed" not in message:
        # The fault outlived the roll-back: the journal stays to finish the commit.
        assert "it will be finished" in message, k
        assert (data_dir / JOURNAL).exists(), k


@pytest.mark.parametrize("sticky", [False, True], ids=["once", "from-then-on"])
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO], ids=["ENOSPC", "EIO"])
@pytest.mark.parametrize("function", ["write", "fsync", "replace"])
def test_io_errors_change_nothing_and_are_reported(
    template: Path,
    reference: tuple[dict[str, str], State],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    function: str,
    code: int,
    sticky: bool,
) -> None:
    ids, expected = reference
    faulty = FaultyOs(function, code)
    monkeypatch.setattr(storage, "os", faulty)
    tried = 0
    for k in range(1, 100):
        data_dir = tmp_path / f"k{k}"
        shutil.copytree(template, data_dir)
        with Store.open(data_dir) as store:
            memory_before, disk_before = snapshot(store), disk(data_dir)
            faulty.arm(k, sticky=sticky)
            error = store.submit(guarded_changes(ids)).exception(timeout=30)
            faulty.disarm()
            if not faulty.fired:
                # k is past the last call of a commit: every fault position has been tried.
                assert error is None
                assert snapshot(store) == expected
                break
            tried += 1
            if error is None:
                # Only the last fsync, which makes the journal's removal durable, may fail
                # unreported: every shard is durable by then, and a journal that came back
                # would be redone harmlessly.
                assert (function, faulty.calls) == ("fsync", k), k
                assert snapshot(store) == expected, k
            else:
                check_failed_commit(data_dir, error, code, sticky, k)
                assert snapshot(store) == memory_before, k
                if "nothing was changed" in str(error):
                    assert disk(data_dir) == disk_before, k
                # Once the fault has cleared the next commit works (and finishes a journaled one).
                retry = store.commit(guarded_changes(ids))
                assert snapshot(store) == expected, k
                if "nothing was changed" in str(error):
                    assert len(retry.applied) == 4
            assert not (data_dir / JOURNAL).exists()
        with Store.open(data_dir) as reopened:
            assert reopened.warnings == []
            assert snapshot(reopened) == expected, k
        assert not list(data_dir.rglob(".*.tmp")), k
    else:
        pytest.fail("the commit never stopped failing")
    assert tried >= {"write": 4, "fsync": 8, "replace": 4}[function]


def test_an_unserialisable_value_fails_before_any_file_is_touched(data_dir: Path) -> None:
    with Store.open(data_dir) as store:
        memory_before, disk_before = snapshot(store), disk(data_dir)
        changes = ChangeSet().put(Collection.DRAFTS, {"id": "d", "text": object()})
        error = store.submit(changes).exception(timeout=30)
        assert error is not None
        assert snapshot(store) == memory_before
        assert disk(data_dir) == disk_before
        store.commit(ChangeSet().put(Collection.DRAFTS, {"id": "d", "text": "fine"}))
