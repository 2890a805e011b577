"""Triage: status changes, assignment and tags on mentions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from smm_tui.core import priority
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Intent, Mention, Sentiment, Status, to_iso
from smm_tui.core.repository import Changed, ChangeSet, Collection, Record
from smm_tui.core.sanitize import clean_identity
from smm_tui.core.sla import SlaSettings, with_target

#: Which statuses a mention may move to from each status.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.SEEN, Status.REPLIED, Status.TICKETED, Status.DONE}),
    Status.SEEN: frozenset({Status.NEW, Status.REPLIED, Status.TICKETED, Status.DONE}),
    Status.REPLIED: frozenset({Status.SEEN, Status.TICKETED, Status.DONE}),
    Status.TICKETED: frozenset({Status.SEEN, Status.REPLIED, Status.FOLLOW_UP, Status.DONE}),
    Status.FOLLOW_UP: frozenset({Status.SEEN, Status.REPLIED, Status.TICKETED, Status.DONE}),
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

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        alarms: Sequence[str] = priority.DEFAULT_ALARMS,
        sla: SlaSettings | None = None,
    ) -> None:
        self.ctx = ctx
        self.alarms = tuple(alarms)
        self.sla = sla or SlaSettings()

    def _retarget(self, changes: ChangeSet, before: Record, after: Record) -> dict[str, object]:
        """Due time and status once a person marks a mention spam, or not spam after all.

        Spam leaves the queue (closed, nothing due); a closed, unanswered spam
        relabelled as anything else comes back to it, seen, with its due time.
        """
        old, new = Mention.from_record(before), Mention.from_record(after)
        moved = with_target(new, self.sla)
        fields: dict[str, object] = {"sla_due_at": to_iso(moved.sla_due_at)}
        status = moved.status
        unspammed = self.sla.leaves_queue(old) and not self.sla.leaves_queue(new)
        if unspammed and old.status is Status.DONE and old.first_response_at is None:
            status = Status.SEEN
        if status is not old.status:
            fields["status"] = status.value
            self.ctx.audit(
                changes, "mention", old.id, "status", old=old.status.value, new=status.value
            )
        return fields

    def score(self, mention: Mention) -> int:
        """The stored priority of a mention (see :mod:`smm_tui.core.priority`)."""
        return priority.score(mention, self.alarms)

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

    async def set_sentiment(self, mention_ids: Iterable[str], sentiment: Sentiment) -> Changed:
        """A person's reading of the tone: it sticks (the classifier leaves it be)."""
        return await self._override(mention_ids, "sentiment", sentiment.value)

    async def set_intent(self, mention_ids: Iterable[str], intent: Intent) -> Changed:
        """A person's reading of what the author wants: it sticks."""
        return await self._override(mention_ids, "intent", intent.value)

    async def _override(self, mention_ids: Iterable[str], field: str, value: str) -> Changed:
        changes = ChangeSet()
        for mention_id in mention_ids:
            record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
            if record is None:
                continue
            overridden = sorted({*record.get("overridden", ()), field})
            if record.get(field) == value and overridden == record.get("overridden"):
                continue
            current = Mention.from_record(record)
            relabelled = Mention.from_record({**record, field: value})
            # Keep what rules added at ingest (the stored priority above the static score).
            raised = current.priority - self.score(current)
            points = max(0, min(100, self.score(relabelled) + raised))
            fields = {field: value, "overridden": overridden, "priority": points}
            if field == "intent":
                fields |= self._retarget(changes, record, {**record, **fields})
            changes.patch(Collection.MENTIONS, mention_id, fields)
            self.ctx.audit(
                changes, "mention", mention_id, f"set {field}", old=record.get(field), new=value
            )
        return await self.ctx.commit(changes)

    async def tag(
        self, mention_ids: Iterable[str], *, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> Changed:
        """Add and remove tags on mentions (tags are cleaned, kept in order, never doubled)."""
        wanted = [clean_identity(t).strip() for t in add if clean_identity(t).strip()]
        # tag: in queries ignores case, so removing does too.
        dropped = {clean_identity(t).strip().casefold() for t in remove}
        changes = ChangeSet()
        for mention_id in mention_ids:
            record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
            if record is None:
                continue
            old = list(record.get("tags") or [])
            new = [t for t in dict.fromkeys([*old, *wanted]) if t.casefold() not in dropped]
            if new == old:
                continue
            fields: dict[str, object] = {"tags": new}
            fields |= self._retarget(changes, record, {**record, "tags": new})
            changes.patch(Collection.MENTIONS, mention_id, fields)
            self.ctx.audit(changes, "mention", mention_id, "tag", old=old, new=new)
        return await self.ctx.commit(changes)
