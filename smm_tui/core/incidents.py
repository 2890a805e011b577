"""Incidents: near-duplicate complaints gathered into one, answered once, each in its thread.

An outage brings hundreds of complaints that say the same thing. They are
gathered (:meth:`IncidentService.gather`, by :mod:`smm_tui.core.near_dupes`) into an
incident ``I-2026-0001``, numbered per year from a counter as tickets are. One reply
text, written once with fields such as ``{first_name}``, is filled for each member and
recorded in the outbox for it, all in one durable write before anything is sent
(:meth:`IncidentService.queue_replies`). Each reply's id is made of the incident's and
the mention's (``I-2026-0001.r.<mention>``; ``.f.`` for the follow-up), and it is
written only if no record has that id: queueing twice, from two processes or after
a crash, records each reply once. :class:`~smm_tui.core.incident_sender.IncidentSender`
sends them, paced under each network's limits.

While the incident is open, new mentions that are near duplicates of its members join
it (:meth:`IncidentService.join`, from the poller's casework pass); they are answered
when someone queues the reply again. Resolving it withdraws the replies not yet on
their way, and a public follow-up may then go to every member.

A mention is a member of one open incident at most: two would each queue it a reply
(and a follow-up), two public posts where one was meant. Opening or adding leaves out
the mentions another open incident has, and says so in the incident's ``left_out``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from smm_tui.core.context import NotFound, ServiceContext
from smm_tui.core.incident_progress import ANSWERED_BEFORE as ANSWERED_BEFORE
from smm_tui.core.incident_progress import (
    NOT_STORED,
    current_reply_id,
    progress_of,
    skipped_of,
    unsent_by_mention,
    why_left_out,
)
from smm_tui.core.incident_progress import ON_ITS_WAY as ON_ITS_WAY
from smm_tui.core.incident_records import FilledFor as FilledFor
from smm_tui.core.incident_records import Incident as Incident
from smm_tui.core.incident_records import IncidentError as IncidentError
from smm_tui.core.incident_records import IncidentProgress as IncidentProgress
from smm_tui.core.incident_records import IncidentState as IncidentState
from smm_tui.core.incident_records import QueueResult as QueueResult
from smm_tui.core.incident_records import incident_ref
from smm_tui.core.incident_records import reply_id_for as reply_id_for
from smm_tui.core.limits import REPLY_LIMITS, reply_length
from smm_tui.core.models import Mention, Platform, Reply, ReplyState, Ticket, to_iso
from smm_tui.core.near_dupes import group, similar_to
from smm_tui.core.outbox import OutboxService
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.saved_replies import SavedReply, SavedReplyBook, fill, problem_in, values_for
from smm_tui.core.ticket_refs import take_number
from smm_tui.core.tickets import title_from

#: How often a change to an incident is tried again when another process changed it first.
_ATTEMPTS = 20


class IncidentService:
    """Gathers, changes and answers incidents; sending is :class:`IncidentSender`'s."""

    def __init__(
        self, ctx: ServiceContext, outbox: OutboxService, saved_replies: SavedReplyBook
    ) -> None:
        self.ctx = ctx
        self.outbox = outbox
        self.saved_replies = saved_replies
        #: Mentions already offered to the open incidents by :meth:`newcomers`.
        self._considered: set[str] = set()

    # -- reading ------------------------------------------------------------------

    def get(self, incident_id: str) -> Incident:
        """The current incident (``I-2026-0001``, case aside); raises NotFound."""
        return self.ctx.load(
            Incident, Collection.INCIDENTS, incident_id.strip().upper(), "incident"
        )

    def all(self) -> list[Incident]:
        """Every incident, oldest first."""
        found = [Incident.from_record(r) for r in self.ctx.repo.records(Collection.INCIDENTS)]
        return sorted(found, key=lambda i: (i.created_at, i.id))

    def open_incidents(self) -> list[Incident]:
        """The incidents still open, oldest first."""
        return [i for i in self.all() if i.state is IncidentState.OPEN]

    def reply_of(self, incident: Incident, mention_id: str) -> Reply | None:
        """The incident's current reply (the follow-up once there is one) to a member."""
        record = self.ctx.repo.get(Collection.REPLIES, current_reply_id(incident, mention_id))
        return None if record is None else Reply.from_record(record)

    def progress(self, incident_id: str) -> IncidentProgress:
        """How far the incident's replies (or its follow-up, once queued) have gone."""
        return progress_of(self.ctx.repo, self.get(incident_id))

    def skipped(self, incident_id: str) -> dict[str, str]:
        """Member → why it has no reply of the incident (see :attr:`IncidentProgress.skipped`)."""
        return skipped_of(self.ctx.repo, self.get(incident_id))

    def preview(self, incident_id: str, template: str) -> list[FilledFor]:
        """Per member, ``template`` filled for it, or why it cannot be (a field with no
        value, too long for its network, no longer stored)."""
        incident = self.get(incident_id)
        reply = SavedReply(name="", body=template)
        return [self._filled(incident, member, reply) for member in incident.members]

    # -- gathering ------------------------------------------------------------------

    def gather(self, seed_ids: Sequence[str], candidates: Sequence[Mention]) -> list[str]:
        """The seeds, then their near duplicates among ``candidates``, in candidates' order.

        Pure: nothing is stored. A seed not among the candidates is read from the store.
        """
        texts = {mention.id: mention.text for mention in candidates}
        seeds = list(dict.fromkeys(seed_ids))
        for seed in seeds:
            if seed not in texts:
                texts[seed] = self.ctx.mention(seed).text
        return [*seeds, *similar_to(seeds, texts)]

    @staticmethod
    def largest_group(candidates: Sequence[Mention]) -> list[str]:
        """The biggest group of near duplicates among ``candidates`` (empty if none)."""
        groups = group({mention.id: mention.text for mention in candidates})
        return max(groups, key=len, default=[])

    async def open(
        self,
        title: str,
        mention_ids: Sequence[str],
        *,
        query: str = "",
        ticket_id: str | None = None,
    ) -> Incident:
        """Open an incident of the mentions (in order, each once); returns it.

        A mention another open incident has is left out, named in the incident's
        ``left_out`` with that incident's id. A blank ``title`` is made from the first
        member's text. Raises NotFound for a mention that is not stored, and
        IncidentError when none is given or every one is in an open incident already.
        """
        wanted = list(dict.fromkeys(mention_ids))
        if not wanted:
            raise IncidentError("an incident needs at least one mention")
        for mention_id in wanted:
            self.ctx.mention(mention_id)
        held = self.in_open_incidents(wanted)
        members = [m for m in wanted if m not in held]
        if not members:
            others = ", ".join(sorted(set(held.values())))
            raise IncidentError(f"every one of these mentions is in an open incident: {others}")
        first = self.ctx.mention(members[0])
        now = self.ctx.clock()
        number = await take_number(self.ctx, f"incidents-{now.year}")
        incident = Incident(
            id=incident_ref(now.year, number),
            title=" ".join(title.split()) or title_from(first.text),
            created_at=now,
            created_by=self.ctx.actor,
            members=tuple(members),
            query=query,
            ticket_id=ticket_id,
            left_out=_held_reasons(held),
        )
        changes = ChangeSet().insert_new(Collection.INCIDENTS, incident.to_record())
        self.ctx.audit(
            changes, "incident", incident.id, "open", members=len(members), left_out=len(held)
        )
        await self.ctx.commit(changes)
        return self.get(incident.id)

    async def drop(self, incident_id: str, mention_ids: Iterable[str]) -> Incident:
        """Take mentions out of the incident; they never join it again by themselves.

        Their replies not yet on their way are withdrawn.
        """
        gone = set(mention_ids)

        def change(incident: Incident) -> dict[str, object] | None:
            if not gone & set(incident.members):
                return None
            members = [m for m in incident.members if m not in gone]
            dropped = [*incident.dropped, *(m for m in incident.members if m in gone)]
            return {"members": members, "dropped": dropped}

        incident = await self._change(incident_id, change, "drop", mentions=sorted(gone))
        await self._withdraw(incident, gone)
        return self.get(incident.id)

    async def add(self, incident_id: str, mention_ids: Iterable[str]) -> Incident:
        """Add mentions (a dropped one too: a person chose it); each stays once.

        A mention another open incident has is left out, named in ``left_out`` with
        that incident's id.
        """
        wanted = list(dict.fromkeys(mention_ids))
        for mention_id in wanted:
            self.ctx.mention(mention_id)

        def change(incident: Incident) -> dict[str, object] | None:
            outside = [m for m in wanted if m not in incident.members]
            held = self.in_open_incidents(outside, besides=incident.id)
            new = [m for m in outside if m not in held]
            # A new member's old reason (once held elsewhere) would count it left out.
            kept = {m: why for m, why in incident.left_out.items() if m not in new}
            left_out = {**kept, **_held_reasons(held)}
            if not new and left_out == incident.left_out:
                return None
            dropped = [m for m in incident.dropped if m not in new]
            members = [*incident.members, *new]
            return {"members": members, "dropped": dropped, "left_out": left_out}

        return await self._change(incident_id, change, "add", mentions=wanted)

    async def link_ticket(self, incident_id: str, ticket_id: str | None) -> Incident:
        """Link the incident to a ticket (None unlinks it)."""
        if ticket_id is not None:
            self.ctx.load(Ticket, Collection.TICKETS, ticket_id, "ticket")
        return await self._change(
            incident_id,
            lambda i: None if i.ticket_id == ticket_id else {"ticket_id": ticket_id},
            "link ticket",
            ticket_id=ticket_id,
        )

    async def pause(self, incident_id: str) -> Incident:
        """Stop sending its replies; the sender stops before its next send."""
        return await self._change(
            incident_id, lambda i: None if i.paused else {"paused": True}, "pause"
        )

    async def resume(self, incident_id: str) -> Incident:
        """Send its replies again."""
        return await self._change(
            incident_id, lambda i: {"paused": False} if i.paused else None, "resume"
        )

    async def resolve(self, incident_id: str) -> Incident:
        """Mark it resolved; its replies not yet on their way are withdrawn (the news they
        carry is old now), and nothing joins it any more."""
        now = to_iso(self.ctx.clock())

        def change(incident: Incident) -> dict[str, object] | None:
            if incident.state is IncidentState.RESOLVED:
                return None
            return {"state": IncidentState.RESOLVED.value, "resolved_at": now}

        incident = await self._change(incident_id, change, "resolve")
        await self._withdraw(incident, set(incident.members))
        return self.get(incident.id)

    def in_open_incidents(
        self, mention_ids: Iterable[str], *, besides: str | None = None
    ) -> dict[str, str]:
        """Mention → the open incident (other than ``besides``) it is a member of, for
        the given mentions that are one's."""
        wanted = set(mention_ids)
        held: dict[str, str] = {}
        for incident in self.open_incidents():
            if incident.id != besides:
                for member in wanted.intersection(incident.members):
                    held.setdefault(member, incident.id)
        return held

    # -- joining --------------------------------------------------------------------

    def newcomers(self) -> list[Mention]:
        """Open mentions written since the first open incident began that no incident has
        seen yet (for :meth:`join`, once per mention in this process)."""
        incidents = self.open_incidents()
        if not incidents:
            return []
        since = to_iso(min(i.created_at for i in incidents)) or ""
        known = self._considered.union(*(i.members for i in incidents))
        known.update(*(i.dropped for i in incidents))
        return [
            Mention.from_record(record)
            for record in self.ctx.repo.open_mentions()
            if record["id"] not in known and str(record["created_at"]) >= since
        ]

    async def join(self, mentions: Sequence[Mention]) -> dict[str, list[str]]:
        """Add each mention that is a near duplicate of an open incident's members to it
        (the oldest incident first; a mention joins one). Incident id → ids that joined.

        A member of any incident, or one dropped from it, is left alone.
        """
        self._considered.update(mention.id for mention in mentions)
        incidents = self.open_incidents()
        taken = {m for i in self.all() for m in (*i.members, *i.dropped)}
        waiting = {m.id: m.text for m in mentions if m.id not in taken}
        joined: dict[str, list[str]] = {}
        for incident in incidents:
            if not waiting:
                break
            texts = {**self._texts(incident.members), **waiting}
            found = [m for m in similar_to(incident.members, texts) if m in waiting]
            if found:
                await self.add(incident.id, found)
                joined[incident.id] = found
                for mention_id in found:
                    del waiting[mention_id]
        return joined

    # -- replies ------------------------------------------------------------------

    async def queue_replies(
        self, incident_id: str, template: str, *, follow_up: bool = False
    ) -> QueueResult:
        """Record a reply (``follow_up``: the follow-up) to every member, filled from
        ``template``, durably and before any is sent; stores the template on the incident.

        Members answered before (for the reply; a follow-up goes to them too), with
        another reply on its way, or for whom the template cannot be filled, get none and
        are listed with the reason. A member whose reply is recorded already is not given
        a second. Raises IncidentError for an empty template, one no member could get (an
        unknown field, a lone brace), or the reply of a resolved incident.
        """
        if not template.strip():
            raise IncidentError("the reply is empty")
        problem = problem_in(template)
        if problem is not None:
            raise IncidentError(problem)
        incident = self.get(incident_id)
        if incident.state is IncidentState.RESOLVED and not follow_up:
            raise IncidentError(f"{incident.id} is resolved: only a follow-up can go out")
        if incident.state is IncidentState.OPEN and follow_up:
            raise IncidentError(f"{incident.id} is open: resolve it before the follow-up")
        phase = dataclasses.replace(incident, follow_up_text=template if follow_up else "")
        changes, result = self._replies(phase, template)
        key = "follow_up_text" if follow_up else "reply_text"
        # Non-members keep their reasons (held by another incident); members get these.
        held = {m: why for m, why in incident.left_out.items() if m not in incident.members}
        fields = {key: template, "left_out": {**held, **result.skipped}}
        changes.patch(Collection.INCIDENTS, incident.id, fields)
        what = "queue follow-up" if follow_up else "queue replies"
        self.ctx.audit(changes, "incident", incident.id, what, replies=len(result.queued))
        changed = await self.ctx.commit(changes)
        recorded = set(changed.inserted(Collection.REPLIES))
        queued = tuple(r for r in result.queued if r in recorded)
        raced = tuple(r.rsplit(".", 1)[-1] for r in result.queued if r not in recorded)
        return QueueResult(queued, (*result.already, *raced), result.skipped)

    def _replies(self, incident: Incident, template: str) -> tuple[ChangeSet, QueueResult]:
        """The replies to record for ``incident``'s phase, and what came of each member."""
        changes = ChangeSet()
        queued: list[str] = []
        already: list[str] = []
        skipped: dict[str, str] = {}
        on_their_way = unsent_by_mention(self.ctx.repo)
        body = SavedReply(name="", body=template)
        for member in incident.members:
            if self.ctx.repo.get(Collection.REPLIES, current_reply_id(incident, member)):
                already.append(member)
                continue
            made = self._member_reply(incident, member, body, on_their_way)
            if isinstance(made, str):
                skipped[member] = made
                continue
            changes.insert_new(Collection.REPLIES, made.to_record())
            queued.append(made.id)
        return changes, QueueResult(tuple(queued), tuple(already), skipped)

    def _member_reply(
        self,
        incident: Incident,
        member: str,
        body: SavedReply,
        on_their_way: Mapping[str, set[str]],
    ) -> Reply | str:
        """The reply of this phase to ``member``, or why it gets none."""
        record = self.ctx.repo.get(Collection.MENTIONS, member)
        reason = why_left_out(incident, member, record, on_their_way, live_only=True)
        if reason is not None or record is None:
            return reason or NOT_STORED
        line = self._filled(incident, member, body)
        if line.text is None:
            return line.problem or NOT_STORED
        return Reply(
            id=current_reply_id(incident, member),
            mention_id=member,
            platform=Platform(record["platform"]),
            account=str(record["account"]),
            text=line.text,
            author=self.ctx.actor,
            created_at=self.ctx.clock(),
            incident_id=incident.id,
        )

    # -- helpers ------------------------------------------------------------------

    def _filled(self, incident: Incident, member: str, reply: SavedReply) -> FilledFor:
        try:
            mention = self.ctx.mention(member)
        except NotFound:
            return FilledFor(member, None, NOT_STORED)
        ticket = self._ticket(incident.ticket_id or mention.ticket_id)
        filled = fill(reply, values_for(mention, ticket=ticket, agent=self.ctx.actor))
        if filled.text is None:
            return FilledFor(member, None, filled.problem)
        text = filled.text.strip()
        length, limit = reply_length(mention.platform, text), REPLY_LIMITS[mention.platform]
        if length > limit:
            problem = f"{length} characters as {mention.platform.value} counts them; limit {limit}"
            return FilledFor(member, None, problem)
        return FilledFor(member, text)

    def _ticket(self, ticket_id: str | None) -> Ticket | None:
        record = self.ctx.repo.get(Collection.TICKETS, ticket_id) if ticket_id else None
        return None if record is None else Ticket.from_record(record)

    def _texts(self, mention_ids: Iterable[str]) -> dict[str, str]:
        texts = {}
        for mention_id in mention_ids:
            record = self.ctx.repo.get(Collection.MENTIONS, mention_id)
            if record is not None:
                texts[mention_id] = str(record["text"])
        return texts

    async def _withdraw(self, incident: Incident, members: set[str]) -> None:
        """Delete the incident's replies to ``members`` that are still only queued."""
        changes = ChangeSet()
        for member in sorted(members):
            reply_id = current_reply_id(incident, member)
            record = self.ctx.repo.get(Collection.REPLIES, reply_id)
            if record is not None and record["state"] == ReplyState.QUEUED.value:
                changes.delete(Collection.REPLIES, reply_id, expect={"state": record["state"]})
        if changes:
            self.ctx.audit(changes, "incident", incident.id, "withdraw", replies=len(changes))
            await self.ctx.commit(changes)

    async def _change(
        self,
        incident_id: str,
        change: Callable[[Incident], dict[str, object] | None],
        action: str,
        **detail: Any,
    ) -> Incident:
        """Apply ``change`` (the fields to set, or None for nothing) to the current incident,
        again on a fresh read when another process changed it meanwhile."""
        for _ in range(_ATTEMPTS):
            incident = self.get(incident_id)
            fields = change(incident)
            if fields is None:
                return incident
            changes = ChangeSet().patch(
                Collection.INCIDENTS, incident.id, fields, expect={"rev": incident.rev}
            )
            if (await self.ctx.commit(changes)).applied:
                # Recorded apart: an event committed with a patch that lost a race would stay.
                await self.ctx.commit(
                    self.ctx.audit(ChangeSet(), "incident", incident.id, action, **detail)
                )
                return self.get(incident.id)
        raise IncidentError(f"{incident_id}: it kept changing under us; try again")


def _held_reasons(held: Mapping[str, str]) -> dict[str, str]:
    """Mention → why it is left out of an incident: the open incident that has it."""
    return {mention_id: f"already in {other}, which is open" for mention_id, other in held.items()}
