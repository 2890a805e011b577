"""Triage: status changes, assignment and tags on mentions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from smm_tui.core import priority
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Intent, Mention, Sentiment, Status, to_iso
from smm_tui.core.repository import Changed, ChangeSet, Collection, Record
from smm_tui.core.sanitize import clean_identity
from smm_tui.core.sla import SUSPECTED_SPAM_TAG, SlaSettings, with_target

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
        """Due time and status once a person relabels or retags a mention.

        Spam marked so by a person leaves the queue (closed, nothing due). A
        mention closed with nothing due and never answered (spam, a plain
        contest entry) that now needs a response comes back to the queue, seen.
        A mention that gains a due time this way is due the target from the
        moment of the change, not from when it was written: the team could not
        have answered it while it was out of the queue, so it neither comes
        back overdue nor counts as a miss in the report. One that keeps its due
        time (a classifier's spam left in the queue, relabelled) keeps it.
        """
        old, new = Mention.from_record(before), Mention.from_record(after)
        moved = with_target(new, self.sla, alarms=self.alarms)
        due = moved.sla_due_at
        if due is not None and old.sla_due_at is None:
            due = self._due_from_now(new)
        fields: dict[str, object] = {"sla_due_at": to_iso(due)}
        status = moved.status
        closed_unseen = old.status is Status.DONE and old.sla_due_at is None
        if closed_unseen and old.first_response_at is None and due is not None:
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

    def status_changes(
        self, mention_ids: Iterable[str], target: Status, *, by_hand: bool = True
    ) -> ChangeSet:
        """Guarded patches (compare-and-set on the old status) plus their audit events.

        ``by_hand``: a person chose the status (``s``, ``u``, ``d``), so it is
        recorded in ``overridden`` and automation (the start-up back-fill, a
        contest) leaves it be. A mention reopened that was closed with nothing
        due and needs a response is due the target from now.
        """
        changes = ChangeSet()
        for mention_id in mention_ids:
            record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
            if record is None:
                continue
            current = Status(record["status"])
            if target not in TRANSITIONS[current]:
                continue
            fields: dict[str, object] = {"status": target.value}
            if by_hand:
                fields |= self._reopened_due(record, target) | _touched(record, "status")
            change_mention(
                self.ctx, changes, mention_id, current, fields, expect={"status": current.value}
            )
        return changes

    def _reopened_due(self, record: Record, target: Status) -> dict[str, object]:
        """A due time from now for a mention brought back to the queue with none."""
        mention = Mention.from_record(record)
        reopened = not mention.status.is_open and target.is_open
        if not reopened or mention.sla_due_at is not None or mention.first_response_at:
            return {}
        if not self.sla.applies(mention, self.alarms):
            return {}
        return {"sla_due_at": to_iso(self._due_from_now(mention))}

    def _due_from_now(self, mention: Mention) -> datetime:
        """The response target counted from now: for a mention a person brought back."""
        return self.sla.for_account(mention.account).due_at(self.ctx.clock())

    async def set_status(
        self, mention_ids: Iterable[str], target: Status, *, by_hand: bool = True
    ) -> Changed:
        """Move mentions to ``target`` where the transition is allowed."""
        return await self.ctx.commit(self.status_changes(mention_ids, target, by_hand=by_hand))

    async def mark_seen(self, mention_id: str) -> Changed:
        """A new mention the manager has looked at becomes seen (not a choice of status)."""
        record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
        if record is None or record["status"] != Status.NEW.value:
            return Changed(ids={})
        return await self.set_status([mention_id], Status.SEEN, by_hand=False)

    async def assign(self, mention_ids: Iterable[str], assignee: str | None) -> Changed:
        """Give mentions to someone (None unassigns)."""
        changes = ChangeSet()
        for mention_id in mention_ids:
            record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
            if record is None or record.get("assignee") == assignee:
                continue
            fields = {"assignee": assignee} | _touched(record, "assignee")
            changes.patch(Collection.MENTIONS, mention_id, fields)
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

    async def set_labels(
        self,
        mention_ids: Iterable[str],
        sentiment: Sentiment | None = None,
        intent: Intent | None = None,
    ) -> None:
        """Both readings a person gave at once (either may be None): the tone, then the intent.

        Two commits, one after the other: each reads what the other wrote (priority,
        ``overridden``).
        """
        ids = list(mention_ids)
        if sentiment is not None:
            await self.set_sentiment(ids, sentiment)
        if intent is not None:
            await self.set_intent(ids, intent)

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
                # A person has decided: the classifier's "spam?" needs no confirming.
                tags = [t for t in record.get("tags") or () if t != SUSPECTED_SPAM_TAG]
                if tags != list(record.get("tags") or ()):
                    fields["tags"] = tags
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
            fields: dict[str, object] = {"tags": new} | _touched(record, "tags")
            fields |= self._retarget(changes, record, {**record, **fields})
            changes.patch(Collection.MENTIONS, mention_id, fields)
            self.ctx.audit(changes, "mention", mention_id, "tag", old=old, new=new)
        return await self.ctx.commit(changes)


def _touched(record: Record, field: str) -> dict[str, object]:
    """``overridden`` with ``field`` added: a person set it, and automation leaves it be."""
    overridden = sorted({*record.get("overridden", ()), field})
    return {} if overridden == record.get("overridden") else {"overridden": overridden}
