"""What every service needs: the repository, the clock and who is acting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from smm_tui.core.audit import new_id
from smm_tui.core.models import Mention, utcnow
from smm_tui.core.repository import Changed, ChangeSet, Collection, Repository


class NotFound(LookupError):
    """A record the caller named does not exist (any more)."""


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """The repository, the acting user, and a clock and id source (injectable for tests)."""

    repo: Repository
    actor: str
    clock: Callable[[], datetime] = field(default=utcnow)
    make_id: Callable[[], str] = field(default=new_id)

    def mention(self, mention_id: str) -> Mention:
        """The current mention with that id; raises NotFound."""
        record = self.repo.get(Collection.MENTIONS, mention_id)
        if record is None:
            raise NotFound(f"no mention with id {mention_id}")
        return Mention.from_record(record)

    async def commit(self, changes: ChangeSet) -> Changed:
        """Commit without blocking the event loop; returns once durable."""
        return await asyncio.wrap_future(self.repo.submit(changes))
