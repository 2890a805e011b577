"""The write-ahead journal: how a commit touching several files is all or nothing.

A commit first writes a redo log to ``journal.json`` (atomically): for each shard
it touches, the records the commit leaves in it and the ids it takes out. Then it
writes each touched shard (atomically), then removes the journal. A crash at any
point leaves either the old state or a journal that :meth:`Journal.recover` rolls
forward; applying the redo log is idempotent, so it is right whichever shards
were already replaced. Every method runs under the store's inter-process lock.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import orjson

from smm_tui.core.repository import Collection
from smm_tui.store.layout import JOURNAL
from smm_tui.store.plan import Plan
from smm_tui.store.shards import Shard, Shards
from smm_tui.store.storage import StoreError, atomic_write_bytes, fsync_dir


class Journal:
    """The journal of one data dir, writing and recovering commits of its shards."""

    def __init__(self, shards: Shards) -> None:
        self.shards = shards
        self.data_dir = shards.data_dir
        #: Where the redo log of a commit in progress lives.
        self.path = self.data_dir / JOURNAL

    def commit(self, plan: Plan) -> None:
        """Write a plan's shards durably, journal first.

        On an OS error every touched file is put back, and the StoreError raised
        says whether the disk changed (then the journal finishes the commit on the
        next save or start). The caller installs the plan once this returns.
        """
        journal = self.path
        try:
            atomic_write_bytes(journal, orjson.dumps(self._redo_log(plan)))
        except OSError as exc:
            # No shard is touched before the journal is in place.
            with contextlib.suppress(OSError):
                journal.unlink(missing_ok=True)
            raise self._save_error(exc, changed=journal.exists()) from exc
        try:
            for path, shard in plan.touched.items():
                self.shards.write(path, shard)
            journal.unlink()
        except OSError as exc:
            raise self._save_error(exc, changed=not self._roll_back(plan)) from exc
        # Every shard is durable and the journal is gone: the commit has happened. Should
        # the removal not be durable, the journal comes back and is harmlessly redone.
        with contextlib.suppress(OSError):
            fsync_dir(self.data_dir)

    def recover(self) -> None:
        """Roll forward a commit that a crashed writer journaled but did not finish."""
        journal = self.path
        try:
            payload = journal.read_bytes()
        except FileNotFoundError:
            return
        try:
            redo = [
                (path, Collection(item["collection"]), dict(item["set"]), list(item["drop"]))
                for path, item in orjson.loads(payload).items()
            ]
        except (orjson.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError):
            # The journal is written atomically, so an unreadable one was never
            # acted on: no shard was touched after it. Keep it for inspection.
            os.replace(journal, journal.with_name(f"{JOURNAL}.unreadable"))
            return
        self.shards.refresh()
        plan = Plan(self.shards)
        for path, collection, _kept, dropped in redo:
            shard = plan.copy(path, collection)
            for rid in dropped:
                shard.records.pop(str(rid), None)
                plan.moves.setdefault((collection, str(rid)), None)
        for path, collection, kept, _dropped in redo:
            shard = plan.copy(path, collection)
            for rid, record in kept.items():
                shard.records[str(rid)] = record
                plan.moves[(collection, str(rid))] = path
        try:
            for path, shard in plan.touched.items():
                self.shards.write(path, shard)
        except OSError as exc:
            raise StoreError(
                f"could not finish an interrupted save in {self.data_dir}: {exc.strerror}; "
                "it will be tried again"
            ) from exc
        self.shards.install(plan.touched, plan.moves)
        journal.unlink()
        with contextlib.suppress(OSError):
            fsync_dir(self.data_dir)

    def _redo_log(self, plan: Plan) -> dict[str, Any]:
        """Per touched shard: the records the commit leaves in it and the ids it takes out."""
        log: dict[str, Any] = {
            path: {"collection": shard.collection.value, "set": {}, "drop": []}
            for path, shard in plan.touched.items()
        }
        for (collection, rid), path in plan.moves.items():
            old = self.shards.location(collection, rid)
            if old is not None and old != path:
                log[old]["drop"].append(rid)
            if path is not None:
                log[path]["set"][rid] = plan.touched[path].records[rid]
        return log

    def _save_error(self, exc: OSError, *, changed: bool) -> StoreError:
        outcome = "nothing was changed"
        if changed:
            outcome = "it will be finished on the next save or start"
        return StoreError(f"could not save to {self.data_dir}: {exc.strerror}; {outcome}")

    def _roll_back(self, plan: Plan) -> bool:
        """Put every touched shard back; True when the disk holds the old state again.

        The journal goes last: while a shard cannot be put back, the journal
        stays, so the next commit or start finishes the commit instead.
        """
        journal, shards = self.path, self.shards
        # Readers wait meanwhile, and no day they read as this commit wrote it stays cached.
        with shards.lock:
            try:
                for path, shard in plan.touched.items():
                    live = shards.hot(path)
                    if live is not None:
                        shards.write(path, live)
                    elif shards.is_day(path):
                        shards.write(path, Shard(shard.collection, plan.originals[path]))
                    else:
                        (self.data_dir / path).unlink(missing_ok=True)
                journal.unlink(missing_ok=True)
                fsync_dir(self.data_dir)
                restored = True
            except OSError:
                restored = False
            for path in plan.touched:
                shards.forget_cached(path)
            if restored:
                return True
            # Some days may hold what the journal will finish: until it is, readers see
            # them as they were, like the rest of the store.
            for path, original in plan.originals.items():
                if shards.is_day(path):
                    shards.remember(path, original)
            return not journal.exists()
