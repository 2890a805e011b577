"""Which process polls the networks for a data dir: one at a time.

Several people may open smm-tui on one data dir (a team on one server). If
each polled, Telegram would refuse all but one (409), VK and X budgets would be
spent twice over, and every mention would be fetched twice. So polling takes a
lease: an exclusive, non-blocking lock on ``.poller.lock``. The operating
system drops the lock when its holder exits or dies, so a crashed poller never
blocks the others; whoever asks next takes over. The holder names itself in
``.poller.json`` so the others can say who polls.
"""

from __future__ import annotations

import json
from pathlib import Path

import filelock

from smm_tui.store.storage import atomic_write_bytes, ensure_private_dir

# Dot names: the store reads every other *.json in the data dir as a shard.
LOCK = ".poller.lock"
HOLDER = ".poller.json"


class PollerLease:
    """The right to poll the networks for one data dir."""

    def __init__(self, data_dir: Path, owner: str) -> None:
        self.data_dir = data_dir
        self.owner = owner
        self._lock = filelock.FileLock(
            str(data_dir / LOCK), timeout=0, mode=0o600, thread_local=False
        )

    @property
    def held(self) -> bool:
        """Whether this process holds the lease."""
        return self._lock.is_locked

    def try_acquire(self) -> bool:
        """Take the lease if nobody holds it; True if we hold it now."""
        if self.held:
            return True
        ensure_private_dir(self.data_dir)
        try:
            self._lock.acquire(blocking=False)
        except filelock.Timeout:
            return False
        payload = json.dumps({"owner": self.owner}).encode()
        atomic_write_bytes(self.data_dir / HOLDER, payload)
        return True

    def holder(self) -> str | None:
        """Who holds the lease, as it named itself (None if nobody does, or unknown)."""
        if self.held:
            return self.owner
        try:
            data = json.loads((self.data_dir / HOLDER).read_bytes())
        except (OSError, ValueError):
            return None
        owner = data.get("owner") if isinstance(data, dict) else None
        return owner if isinstance(owner, str) else None

    def release(self) -> None:
        """Give the lease up (the OS does it anyway when the process ends)."""
        if self.held:
            self._lock.release()
