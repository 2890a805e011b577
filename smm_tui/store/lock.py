"""The data dir's inter-process lock: one process at a time reads or writes its files.

Every commit, refresh and open of a store holds it. The operating system drops
it when its holder dies, so a crashed process never blocks the others.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import filelock

from smm_tui.store.storage import StoreError

#: The lock file, in the data dir.
LOCK = ".lock"


class StoreLocked(StoreError):
    """Another process held the store lock for longer than the timeout."""


class DataDirLock:
    """The inter-process lock of one data dir."""

    def __init__(self, data_dir: Path, timeout: float) -> None:
        """``timeout``: how long :meth:`held` waits for another process, in seconds."""
        self.data_dir = data_dir
        self.timeout = timeout
        self._lock = filelock.FileLock(
            str(data_dir / LOCK), timeout=timeout, mode=0o600, thread_local=False
        )

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the ``with`` block; raises StoreLocked after the timeout."""
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StoreLocked(
                f"store {self.data_dir} is locked by another smm-tui process "
                f"(waited {self.timeout:.0f}s for {self.data_dir / LOCK})"
            ) from None
        try:
            yield
        finally:
            self._lock.release()
