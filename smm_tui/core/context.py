"""What every service needs: the repository, the clock and who is acting."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from smm_tui.core.audit import new_id, record_event
from smm_tui.core.codec import Recorded
from smm_tui.core.models import Mention, utcnow
from smm_tui.core.repository import Changed, ChangeSet, Collection, Repository

R = TypeVar("R", bound=Recorded)


class NotFound(LookupError):
    """A record the caller named does not exist (any more)."""


def this_process() -> str:
    """This process as an owner of claimed work: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_alive(owner: str) -> bool:
    """Whether the ``host:pid`` process that claimed some work may still be running.

    Only a process on this host can be checked; another host's, or an owner
    string that is not ``host:pid``, counts as alive (a lease decides instead).
    """
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) <= 0:
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it just belongs to another user
    return True


@dataclass(frozen=True, slots=True)
class ServiceContext:
    """The repository, the acting user, a clock and id source, and who this process is.

    ``owner`` names this process on the work it claims (a reply being sent);
    ``owner_alive`` tells whether another owner may still be working on its
    claim. All are injectable for tests.
    """

    repo: Repository
    actor: str
    clock: Callable[[], datetime] = field(default=utcnow)
    make_id: Callable[[], str] = field(default=new_id)
    owner: str = field(default_factory=this_process)
    owner_alive: Callable[[str], bool] = field(default=process_alive)

    def load(self, model: type[R], collection: Collection, record_id: str, what: str) -> R:
        """The current ``model`` stored in ``collection`` under ``record_id``.

        Raises NotFound ("no ``what`` with id …") when there is none.
        """
        record = self.repo.get(collection, record_id)
        if record is None:
            raise NotFound(f"no {what} with id {record_id}")
        return model.from_record(record)

    def mention(self, mention_id: str) -> Mention:
        """The current mention with that id; raises NotFound."""
        return self.load(Mention, Collection.MENTIONS, mention_id, "mention")

    def audit(
        self, changes: ChangeSet, entity: str, entity_id: str, action: str, **detail: object
    ) -> ChangeSet:
        """Add an audit event (now, by the acting user) to ``changes``."""
        return record_event(
            changes,
            at=self.clock(),
            actor=self.actor,
            entity=entity,
            entity_id=entity_id,
            action=action,
            **detail,
        )

    async def commit(self, changes: ChangeSet) -> Changed:
        """Commit without blocking the event loop; returns once durable."""
        return await asyncio.wrap_future(self.repo.submit(changes))
