"""Ingest: mentions from adapters become sanitised, deduplicated records.

This is the only way network data enters the store, so it is where untrusted
text is cleaned (see :mod:`smm_tui.core.sanitize`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence

from smm_tui.core import priority
from smm_tui.core.attention import quiet_entry, touched
from smm_tui.core.classify import classify_mention
from smm_tui.core.context import ServiceContext
from smm_tui.core.followup import AnswerWatch
from smm_tui.core.models import (
    Author,
    ContestState,
    Entry,
    Intent,
    Mention,
    Sentiment,
    Status,
    Ticket,
)
from smm_tui.core.query import QueryContext
from smm_tui.core.repository import Changed, ChangeSet, Collection, Repository
from smm_tui.core.rules import Rule, apply_rules
from smm_tui.core.sanitize import clean_count, clean_id, clean_identity, clean_text, clean_url
from smm_tui.core.sla import SUSPECTED_SPAM_TAG, SlaSettings, unconfirmed_spam, with_target
from smm_tui.core.tickets import title_from
from smm_tui.core.triage import change_mention

#: What the start-up back-fill decides from: it writes only if none changed meanwhile.
_BACKFILL_GUARD = ("status", "intent", "sentiment", "sla_due_at", "tags", "overridden", "assignee")


def sanitize_mention(mention: Mention) -> Mention:
    """A copy of ``mention`` with every untrusted field made safe to display."""
    author = Author(
        id=clean_identity(mention.author.id),
        handle=clean_identity(mention.author.handle),
        display_name=clean_identity(mention.author.display_name),
        followers=clean_count(mention.author.followers),
    )
    parent, root = mention.parent_external_id, mention.root_external_id
    return dataclasses.replace(
        mention,
        parent_external_id=None if parent is None else clean_id(parent),
        root_external_id=None if root is None else clean_id(root),
        author=author,
        text=clean_text(mention.text),
        url=clean_url(mention.url),
        language=clean_identity(mention.language)[:16],
        tags=tuple(clean_identity(tag) for tag in mention.tags),
        assignee=clean_identity(mention.assignee) if mention.assignee else None,
    )


def cursor_record(account: str, cursor: str | None) -> dict[str, object]:
    """The stored form of an account's polling cursor."""
    return {"id": account, "account": account, "cursor": cursor}


class IngestService:
    """Stores what adapters fetched: each mention once, and contest entries one per author."""

    def __init__(
        self,
        ctx: ServiceContext,
        *,
        sla: SlaSettings | None = None,
        alarms: Sequence[str] = priority.DEFAULT_ALARMS,
        rules: Sequence[Rule] = (),
        query_context: Callable[[], QueryContext] | None = None,
    ) -> None:
        self.ctx = ctx
        self.sla = sla or SlaSettings()
        self.alarms = tuple(alarms)
        self.rules = tuple(rules)
        self._query_context = query_context or (lambda: QueryContext(ctx.clock(), ctx.actor))

    def cursor(self, account: str) -> str | None:
        """The persisted cursor of an account (None before the first fetch)."""
        record = self.ctx.repo.get(Collection.CURSORS, account)
        return None if record is None else record.get("cursor")

    def changes_for(self, mentions: Iterable[Mention]) -> ChangeSet:
        """Insert-if-new operations for mentions, plus entries for open contests they enter.

        A customer's answer to a ticket's public follow-up is linked to the ticket.
        """
        mentions = list(mentions)
        changes = ChangeSet()
        if not mentions:  # most polls bring nothing: skip the look-ups below
            return changes
        contests = self._open_contests_by_post()
        ours = our_reply_ids(self.ctx.repo)
        query_context = self._query_context()
        answers = AnswerWatch.of(self.ctx)
        for raw in mentions:
            mention, contest_id, department = self._stored(raw, contests, ours, query_context)
            known = self.ctx.repo.get(Collection.MENTIONS, mention.id) is not None
            if answers and not known:
                mention = answers.link(self.ctx, changes, mention)
            if department is not None and not known and mention.ticket_id is None:
                mention = self._route(changes, mention, department)
            changes.insert_new(Collection.MENTIONS, mention.to_record())
            if contest_id is not None:
                changes.insert_new(Collection.ENTRIES, entry_for(contest_id, mention).to_record())
        return changes

    def entrants(self, comments: Iterable[Mention]) -> list[Mention]:
        """Comments on a running contest's post as ingest would store them, rules and all.

        A plain entry is closed; a complaint or a question there stays in the queue.
        """
        contests, ours = self._open_contests_by_post(), our_reply_ids(self.ctx.repo)
        query_context = self._query_context()
        return [self._stored(raw, contests, ours, query_context)[0] for raw in comments]

    def _stored(
        self,
        raw: Mention,
        contests: Mapping[tuple[str, str, str | None], str],
        ours: set[tuple[str, str, str]],
        query_context: QueryContext,
    ) -> tuple[Mention, str | None, str | None]:
        """A fetched mention as stored, the open contest it enters, where a rule routes it."""
        outcome = apply_rules(self.prepared(raw), self.rules, query_context)
        contest_id = contests.get(_post(outcome.mention))
        # Rules may have made it spam: whether it needs a response is settled after them.
        mention = self._targeted(outcome.mention, contest_id is not None, ours)
        if unconfirmed_spam(mention) and SUSPECTED_SPAM_TAG not in mention.tags:
            mention = dataclasses.replace(mention, tags=(SUSPECTED_SPAM_TAG, *mention.tags))
        return mention, contest_id, outcome.department

    def _targeted(
        self, mention: Mention, on_contest_post: bool, ours: set[tuple[str, str, str]]
    ) -> Mention:
        """With its due time, or closed: our own comment, a plain contest entry, certain spam.

        A comment under a running contest's post is closed only if it is a plain
        entry (:func:`~smm_tui.core.attention.quiet_entry`): a complaint or a
        question there is still an entry, and stays in the queue.
        """
        entry = on_contest_post and quiet_entry(mention, self.alarms)
        exempt = entry or _key(mention) in ours
        return with_target(mention, self.sla, alarms=self.alarms, exempt=exempt)

    def _route(self, changes: ChangeSet, mention: Mention, department: str) -> Mention:
        """Open a ticket in ``department`` for a new mention (once, however often fetched)."""
        if not mention.status.is_open:
            return mention
        now = self.ctx.clock()
        ticket = Ticket(
            id=f"rule-{mention.id}",
            mention_id=mention.id,
            title=title_from(mention.text),
            created_at=now,
            updated_at=now,
            department=department,
            mention_ids=(mention.id,),
        )
        changes.insert_new(Collection.TICKETS, ticket.to_record())
        return dataclasses.replace(mention, ticket_id=ticket.id, status=Status.TICKETED)

    def backfill_changes(self) -> ChangeSet:
        """Due times, labels and priority for open mentions, by the rules of this version.

        Data from an earlier version has none: without a due time a mention
        would sort last in the queue and could never be breaching. A due time is
        set only where the target applies (:func:`~smm_tui.core.sla.with_target`),
        as at ingest: one on certain spam, a plain contest entry or our own
        comment is taken away (and the mention closed), as is one on an intent
        ``[sla] applies_to`` no longer lists.

        It runs at every start, so it never changes the status of a mention a
        person has :func:`~smm_tui.core.attention.touched` (reopened, relabelled,
        assigned…). Each patch is guarded by the fields it was decided from, and
        each status it changes is audited (action ``status``, ``by="back-fill"``).
        """
        changes = ChangeSet()
        contests, ours = self._open_contests_by_post(), our_reply_ids(self.ctx.repo)
        fixed = ("sla_due_at", "sentiment", "intent", "priority", "status")
        for record in self.ctx.repo.open_mentions():
            stored = Mention.from_record(record)
            mention = stored if record.get("sla_due_at") else self.prepared(stored)
            mention = self._targeted(mention, _post(mention) in contests, ours)
            fields = {
                key: value
                for key, value in mention.to_record().items()
                if key in fixed and value != record.get(key)
            }
            if touched(stored):
                fields.pop("status", None)
            if not fields:
                continue
            expect = {key: record.get(key) for key in _BACKFILL_GUARD}
            if "status" in fields:
                change_mention(
                    self.ctx,
                    changes,
                    stored.id,
                    stored.status,
                    fields,
                    expect=expect,
                    by="back-fill",
                )
            else:
                changes.patch(Collection.MENTIONS, stored.id, fields, expect)
        return changes

    def prepared(self, raw: Mention) -> Mention:
        """A fetched mention as it is stored: cleaned, classified, prioritised, with a due time.

        The due time is set only if the response target applies to it (see
        :meth:`~smm_tui.core.sla.SlaSettings.applies`).
        """
        mention = sanitize_mention(raw)
        found = classify_mention(mention)
        if "sentiment" not in mention.overridden and mention.sentiment is Sentiment.UNKNOWN:
            mention = dataclasses.replace(mention, sentiment=found.sentiment)
        if "intent" not in mention.overridden and mention.intent is Intent.UNKNOWN:
            mention = dataclasses.replace(mention, intent=found.intent)
        mention = dataclasses.replace(mention, sla_due_at=self.sla.due_for(mention, self.alarms))
        return dataclasses.replace(mention, priority=priority.score(mention, self.alarms))

    async def ingest(
        self, mentions: Iterable[Mention], *, account: str | None = None, cursor: str | None = None
    ) -> Changed:
        """Store new mentions (and the account's new cursor in the same commit).

        The changes are worked out in a thread: classifying a large batch, or a
        duplicate check that waits for the archive at start-up, then never holds
        up the event loop.
        """
        changes = await asyncio.to_thread(self.changes_for, list(mentions))
        if account is not None and cursor != self.cursor(account):
            changes.put(Collection.CURSORS, cursor_record(account, cursor))
        if not changes:
            return Changed(ids={})
        return await self.ctx.commit(changes)

    def _open_contests_by_post(self) -> dict[tuple[str, str, str | None], str]:
        return {
            (c["platform"], c["account"], c["post_external_id"]): c["id"]
            for c in self.ctx.repo.records(Collection.CONTESTS)
            if c["state"] == ContestState.OPEN.value
        }


def _post(mention: Mention) -> tuple[str, str, str | None]:
    return (mention.platform.value, mention.account, mention.root_external_id)


def our_reply_ids(repo: Repository) -> set[tuple[str, str, str]]:
    """The network ids (platform, account, external id) of the replies we published:
    fetched back, they are our own, never a customer's mention or a contest entry."""
    return {
        (r["platform"], r["account"], r["external_id"])
        for r in repo.records(Collection.REPLIES)
        if r.get("external_id")
    }


def _key(mention: Mention) -> tuple[str, str, str]:
    return (mention.platform.value, mention.account, mention.external_id)


def entry_for(contest_id: str, mention: Mention) -> Entry:
    """A contest entry made from a (sanitised) comment on the contest post."""
    return Entry(
        contest_id=contest_id,
        author=mention.author,
        mention_id=mention.id,
        text=mention.text,
        created_at=mention.created_at,
    )
