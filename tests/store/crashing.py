"""What the crash and fault tests share: the child process script, and building stores."""

from __future__ import annotations

import copy
import importlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store import layout
from smm_tui.store.store import Store

HERE = Path(__file__).resolve().parent
CHILD = HERE / "crash_child.py"
if str(HERE) not in sys.path:  # so that spawned worker processes can import crash_child too
    sys.path.insert(0, str(HERE))
crash_child: Any = importlib.import_module("crash_child")

State = dict[Collection, dict[str, dict[str, Any]]]


def snapshot(store: Store) -> State:
    """A deep copy of every record the store holds, by collection and id."""
    return {c: {r["id"]: copy.deepcopy(r) for r in store.records(c)} for c in Collection}


def disk(data_dir: Path) -> dict[str, bytes]:
    """Every file under the data dir, by relative path, with its bytes."""
    return {
        str(p.relative_to(data_dir)): p.read_bytes()
        for p in sorted(data_dir.rglob("*"))
        if p.is_file()
    }


def build_store(data_dir: Path, records: list[dict[str, Any]]) -> None:
    """A store holding ``records`` (as mentions) and a counter at 0."""
    with Store.open(data_dir) as store:
        changes = ChangeSet()
        for record in records:
            changes.insert_new(Collection.MENTIONS, record)
        changes.insert_new(Collection.CURSORS, {"id": "counter", "n": 0})
        store.commit(changes)


def copy_of(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of a template store, as ``tmp_path / "data"``."""
    target = tmp_path / "data"
    shutil.copytree(template, target)
    return target


def pick_ids(store: Store) -> dict[str, str]:
    """An open mention and an archived one from a different week, for multi-file commits."""
    mentions = sorted(store.records(Collection.MENTIONS), key=lambda r: r["id"])
    open_one = next(r for r in mentions if r["status"] == "new")
    done_one = next(
        r
        for r in mentions
        if r["status"] == "done"
        and layout.shard_for(Collection.MENTIONS, r)
        != layout.shard_for(Collection.MENTIONS, {**open_one, "status": "done"})
    )
    return {"open": open_one["id"], "done": done_one["id"]}


def run_child(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``crash_child.py`` with ``args`` and wait for it."""
    return subprocess.run(
        [sys.executable, str(CHILD), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
