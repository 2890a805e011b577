"""Who is replying to what, across every smm-tui on one data dir.

Two managers on one server are two processes on one store. While one writes a
reply, the composer keeps a presence record for that mention (refreshed every
:data:`HEARTBEAT`); the other process sees it at its next store refresh (about
a second) and shows "NAME is replying". A record whose owner died, or that
was not refreshed within :data:`PRESENCE_TTL`, no longer counts, so a crash
never leaves a mention looking busy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import ReplyState, from_iso, to_iso
from smm_tui.core.repository import Changed, ChangeSet, Collection, Record

HEARTBEAT = timedelta(seconds=10)
PRESENCE_TTL = timedelta(seconds=35)


@dataclass(frozen=True, slots=True)
class Presence:
    """Someone writing a reply to a mention, in one process."""

    mention_id: str
    user: str
    owner: str
    since: datetime


class PresenceService:
    """Announces our replying and tells who else is replying."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _key(self, mention_id: str) -> str:
        return f"{mention_id}@{self.ctx.owner}"

    def announce_changes(self, mention_id: str) -> ChangeSet:
        """The change that says (again) that we are replying to ``mention_id``."""
        now = to_iso(self.ctx.clock())
        key = self._key(mention_id)
        record = {
            "id": key,
            "mention_id": mention_id,
            "user": self.ctx.actor,
            "owner": self.ctx.owner,
            "since": now,
            "seen_at": now,
        }
        current = self.ctx.repo.get(Collection.PRESENCE, key)
        if current is not None:
            record["since"] = current.get("since", now)
        return ChangeSet().put(Collection.PRESENCE, record)

    async def announce(self, mention_id: str) -> Changed:
        """Say we are replying to ``mention_id`` (call again every :data:`HEARTBEAT`).

        Records left by processes that died or went quiet are cleared on the way.
        """
        changes = self.announce_changes(mention_id)
        for stale in self._stale_ids():
            changes.delete(Collection.PRESENCE, stale)
        return await self.ctx.commit(changes)

    def withdraw_soon(self, mention_id: str) -> None:
        """Say we stopped replying, without waiting (the composer may be closing).

        Sent even if our announcement is not on disk yet: it may be queued.
        """
        self.ctx.repo.submit(ChangeSet().delete(Collection.PRESENCE, self._key(mention_id)))

    def _stale_ids(self) -> list[str]:
        now = self.ctx.clock()
        stale: list[str] = []
        for record in self.ctx.repo.records(Collection.PRESENCE):
            seen = from_iso(record.get("seen_at"))
            owner = str(record.get("owner"))
            expired = seen is None or now - seen > PRESENCE_TTL
            if owner != self.ctx.owner and (expired or not self.ctx.owner_alive(owner)):
                stale.append(str(record["id"]))
        return stale

    def others(self, mention_id: str) -> list[Presence]:
        """Everyone else replying to ``mention_id`` right now, earliest first."""
        found = [p for p in self._live() if p.mention_id == mention_id]
        return sorted(found, key=lambda p: p.since)

    def busy(self) -> dict[str, list[str]]:
        """Mention id → the users (not us) replying to it now."""
        users: dict[str, list[str]] = {}
        for presence in self._live():
            users.setdefault(presence.mention_id, []).append(presence.user)
        return users

    def _live(self) -> Iterator[Presence]:
        now = self.ctx.clock()
        for record in self.ctx.repo.records(Collection.PRESENCE):
            presence = _presence(record)
            if presence is None or presence.owner == self.ctx.owner:
                continue
            seen = from_iso(record.get("seen_at"))
            if seen is None or now - seen > PRESENCE_TTL:
                continue
            if self.ctx.owner_alive(presence.owner):
                yield presence

    def answered_by_others(self, mention_id: str, follow_up: str | None = None) -> list[str]:
        """Who else has a reply to ``mention_id`` sent, sending or queued (not failed).

        With ``follow_up`` (a ticket id), only their follow-ups of that ticket count:
        an earlier answer is what a follow-up comes after.
        """
        names: list[str] = []
        for record in self.ctx.repo.records(Collection.REPLIES):
            if record.get("mention_id") != mention_id or record.get("author") == self.ctx.actor:
                continue
            if follow_up is not None and record.get("ticket_id") != follow_up:
                continue
            if record.get("state") != ReplyState.FAILED.value:
                names.append(str(record.get("author")))
        return names


def collision_warning(
    presence: PresenceService, mention_id: str, follow_up: str | None = None
) -> str | None:
    """Why sending a reply now might answer the customer twice, or None.

    ``follow_up`` names the ticket a public follow-up is for (see
    :meth:`PresenceService.answered_by_others`).
    """
    replying = [p.user for p in presence.others(mention_id)]
    answered = presence.answered_by_others(mention_id, follow_up)
    if answered:
        already = "followed this ticket up" if follow_up else "replied to this mention"
        return f"{_names(answered)} already {already}."
    if replying:
        return f"{_names(replying)} {'is' if len(set(replying)) == 1 else 'are'} replying too."
    return None


def _names(users: list[str]) -> str:
    return ", ".join(dict.fromkeys(users))


def _presence(record: Record) -> Presence | None:
    since = from_iso(record.get("since"))
    if since is None:
        return None
    return Presence(
        str(record.get("mention_id")), str(record.get("user")), str(record.get("owner")), since
    )
