"""Triage: status changes, assignment and tags on mentions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Status
from smm_tui.core.repository import Changed, ChangeSet, Collection

#: Which statuses a mention may move to from each status.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.SEEN, Status.REPLIED, Status.TICKETED, Status.DONE}),
    Status.SEEN: frozenset({Status.NEW, Status.REPLIED, Status.TICKETED, Status.DONE}),
    Status.REPLIED: frozenset({Status.SEEN, Status.TICKETED, Status.DONE}),
    Status.TICKETED: frozenset({Status.SEEN, Status.REPLIED, Status.DONE}),
    Status.DONE: frozenset({Status.SEEN}),
}


def change_mention(
    ctx: ServiceContext,
    changes: ChangeSet,
    mention_id: str,
    old: Status,
    fields: Mapping[str, object],
    *,
    action: str = "status",
    expect: Mapping[str, object] | None = None,
    **detail: object,
) -> None:
    """Patch a mention and record its audit event (old and new status) together."""
    changes.patch(Collection.MENTIONS, mention_id, fields, expect)
    new = fields.get("status", old.value)
    ctx.audit(changes, "mention", mention_id, action, old=old.value, new=new, **detail)


class TriageService:
    """Moves mentions through new → seen → replied / ticketed → done."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def status_changes(self, mention_ids: Iterable[str], target: Status) -> ChangeSet:
        """Guarded patches (compare-and-set on the old status) plus their audit events."""
        changes = ChangeSet()
        for mention_id in mention_ids:
            record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
            if record is None:
                continue
            current = Status(record["status"])
            if target not in TRANSITIONS[current]:
                continue
            change_mention(
                self.ctx,
                changes,
                mention_id,
                current,
                {"status": target.value},
                expect={"status": current.value},
            )
        return changes

    async def set_status(self, mention_ids: Iterable[str], target: Status) -> Changed:
        """Move mentions to ``target`` where the transition is allowed."""
        return await self.ctx.commit(self.status_changes(mention_ids, target))

    async def mark_seen(self, mention_id: str) -> Changed:
        """A new mention the manager has looked at becomes seen."""
        record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
        if record is None or record["status"] != Status.NEW.value:
            return Changed(ids={})
        return await self.set_status([mention_id], Status.SEEN)

    async def assign(self, mention_ids: Iterable[str], assignee: str | None) -> Changed:
        """Give mentions to someone (None unassigns)."""
        changes = ChangeSet()
        for mention_id in mention_ids:
            record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
            if record is None or record.get("assignee") == assignee:
                continue
            changes.patch(Collection.MENTIONS, mention_id, {"assignee": assignee})
            self.ctx.audit(
                changes,
                "mention",
                mention_id,
                "assign",
                old=record.get("assignee"),
                new=assignee,
            )
        return await self.ctx.commit(changes)
