"""The polling lease as services see it: one process per data dir polls the networks.

The store implements it with a file lock (:mod:`smm_tui.store.lease`).
"""

from __future__ import annotations

from typing import Protocol


class Lease(Protocol):
    """The right to poll a data dir's accounts; one process holds it at a time."""

    def try_acquire(self) -> bool:
        """Take the lease if it is free; True if this process holds it now."""
        ...

    def holder(self) -> str | None:
        """Who holds it (``host:pid``), if known."""
        ...

    def release(self) -> None:
        """Give it up."""
        ...


class SoleLease:
    """A lease nobody else competes for (a workspace without a data dir to share)."""

    def try_acquire(self) -> bool:
        """Always granted."""
        return True

    def holder(self) -> str | None:
        """Nobody else."""
        return None

    def release(self) -> None:
        """Nothing to give up."""
