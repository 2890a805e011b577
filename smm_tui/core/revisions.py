"""Did the review change? Edits and deletions of the mentions behind open tickets.

While a ticket is open or awaiting the customer, its complaint and the
customer's answers are *tracked*: each account's adapter is asked what became
of them (:class:`~smm_tui.core.network.ChangeWatch`). Every change is kept on
the mention (:attr:`Mention.history`, the text before it), the mention takes
its new text, cleaned like any text from a network, and its tone is read
again. The ticket shows **review updated** or **review removed**, with the
tone the review has now.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from smm_tui.core.classify import classify_mention
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import (
    Mention,
    MentionRevision,
    ReviewState,
    RevisionKind,
    Sentiment,
    Ticket,
    TicketColumn,
    mention_id,
    to_iso,
)
from smm_tui.core.network import AdapterError, ChangeWatch, MentionChange
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sanitize import clean_identity, clean_text, one_line
from smm_tui.core.tickets import SATISFIED, SUGGEST_CLOSE

log = logging.getLogger(__name__)

#: The most revisions a mention keeps: an edit war must not grow a record without end.
HISTORY_LIMIT = 50


@dataclass(slots=True)
class RevisionReport:
    """What one look at the tracked mentions found."""

    checked: int = 0
    edited: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def of(self, kind: RevisionKind) -> list[str]:
        """The ids of the mentions changed in this way."""
        return {
            RevisionKind.EDITED: self.edited,
            RevisionKind.DELETED: self.deleted,
            RevisionKind.RESTORED: self.restored,
        }[kind]

    @property
    def mention_ids(self) -> frozenset[str]:
        """Every mention that changed, however."""
        return frozenset((*self.edited, *self.deleted, *self.restored))

    @property
    def changed(self) -> int:
        """How many mentions changed."""
        return len(self.edited) + len(self.deleted) + len(self.restored)


def tracked_tickets(ctx: ServiceContext) -> list[Ticket]:
    """The tickets whose mentions are watched: every one not resolved."""
    return [
        Ticket.from_record(r)
        for r in ctx.repo.records(Collection.TICKETS)
        if r.get("column") != TicketColumn.RESOLVED.value
    ]


def tracked_mentions(ctx: ServiceContext) -> dict[str, list[Mention]]:
    """The mentions to watch, by account: the open tickets' complaints and answers."""
    found: dict[str, list[Mention]] = {}
    seen: set[str] = set()
    for ticket in tracked_tickets(ctx):
        for linked_id in ticket.mention_ids:
            record = ctx.repo.get(Collection.MENTIONS, linked_id)
            if record is None or linked_id in seen:
                continue
            seen.add(linked_id)
            mention = Mention.from_record(record)
            found.setdefault(mention.account, []).append(mention)
    return found


class RevisionService:
    """Asks the accounts about tracked mentions and keeps what changed."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def check(self, watches: Mapping[str, ChangeWatch]) -> RevisionReport:
        """Ask every account with tracked mentions what changed, and keep it."""
        report = RevisionReport()
        for account, mentions in tracked_mentions(self.ctx).items():
            watch = watches.get(account)
            if watch is None:
                continue
            report.checked += len(mentions)
            try:
                found = await watch.fetch_changes(mentions)
            except AdapterError as exc:
                report.errors.append(f"{account}: edits not checked: {one_line(str(exc))}")
                continue
            except Exception as exc:  # an adapter's bug: the other accounts are still asked
                log.exception("%s: looking for edits failed", account)
                report.errors.append(f"{account}: edits not checked ({type(exc).__name__})")
                continue
            await self.apply(mentions[0].platform.value, account, found, report)
        return report

    async def apply(
        self,
        platform: str,
        account: str,
        found: Iterable[MentionChange],
        report: RevisionReport | None = None,
    ) -> RevisionReport:
        """Keep the changes an account reported, each mention with its tickets, in one commit."""
        report = report if report is not None else RevisionReport()
        changes = ChangeSet()
        for change in found:
            record = self.ctx.repo.get(
                Collection.MENTIONS, mention_id(platform, account, change.external_id)
            )
            if record is None:
                continue
            mention = Mention.from_record(record)
            revised = revise(mention, change, self.ctx.clock())
            if revised is None:
                continue
            self._keep(changes, mention, revised, change)
            report.of(change.kind).append(mention.id)
        if changes:
            await self.ctx.commit(changes)
        return report

    def _keep(self, changes: ChangeSet, old: Mention, new: Mention, change: MentionChange) -> None:
        fields = {
            key: value
            for key, value in new.to_record().items()
            if key in ("text", "history", "deleted_at", "sentiment")
        }
        changes.patch(Collection.MENTIONS, old.id, fields, expect={"rev": old.rev})
        self.ctx.audit(
            changes, "mention", old.id, change.kind.value, by=new.history[-1].by or "unknown"
        )
        for ticket in self._tickets_of(old.id):
            review_changes(self.ctx, changes, ticket, new, change.kind)

    def _tickets_of(self, linked_id: str) -> list[Ticket]:
        return [t for t in tracked_tickets(self.ctx) if linked_id in t.mention_ids]


def revise(mention: Mention, change: MentionChange, now: datetime) -> Mention | None:
    """``mention`` after ``change``, with the change in its history; None if nothing changed.

    A repeated report (the same deletion seen twice, an edit to the text it
    already has) changes nothing.
    """
    at = change.at or now
    by = clean_identity(change.by)[:64]
    revision = MentionRevision(change.kind, at, mention.text, by)
    history = _kept((*mention.history, revision))
    match change.kind:
        case RevisionKind.DELETED:
            if mention.deleted_at is not None:
                return None
            return dataclasses.replace(mention, history=history, deleted_at=at)
        case RevisionKind.EDITED | RevisionKind.RESTORED:
            text = clean_text(change.text) if change.text is not None else mention.text
            restoring = change.kind is RevisionKind.RESTORED and mention.deleted_at is not None
            if text == mention.text and not restoring:
                return None
            revised = dataclasses.replace(mention, text=text, history=history, deleted_at=None)
            return _retoned(revised)
    return None


def _kept(history: tuple[MentionRevision, ...]) -> tuple[MentionRevision, ...]:
    """At most :data:`HISTORY_LIMIT` revisions: the first (it holds the original text) and
    the newest."""
    if len(history) <= HISTORY_LIMIT:
        return history
    return (history[0], *history[-(HISTORY_LIMIT - 1) :])


def _retoned(mention: Mention) -> Mention:
    """The mention with the tone of its new text, unless a person set the tone by hand."""
    if "sentiment" in mention.overridden:
        return mention
    found = classify_mention(dataclasses.replace(mention, sentiment=Sentiment.UNKNOWN))
    return dataclasses.replace(mention, sentiment=found.sentiment)


def review_changes(
    ctx: ServiceContext, changes: ChangeSet, ticket: Ticket, mention: Mention, kind: RevisionKind
) -> None:
    """Add to ``changes`` what a revised mention changes on its ticket.

    The complaint itself (the ticket's first mention) edited or removed makes
    the review *updated* or *removed*; its new tone is kept, and a review
    turned positive or neutral suggests closing the ticket. An edited answer
    of the customer's updates the answer's tone.
    """
    now = to_iso(ctx.clock())
    fields: dict[str, object] = {"updated_at": now}
    if mention.id == ticket.mention_id:
        removed = mention.deleted_at is not None
        fields["review"] = (ReviewState.REMOVED if removed else ReviewState.UPDATED).value
        fields["review_sentiment"] = (Sentiment.UNKNOWN if removed else mention.sentiment).value
        fields["review_changed_at"] = now
        # Only words that sound satisfied suggest closing; a removal says nothing either way,
        # and a review edited back to a complaint takes an earlier suggestion back.
        satisfied = not removed and mention.sentiment in SATISFIED
        fields["suggestion"] = SUGGEST_CLOSE if satisfied else ""
    elif mention.id == ticket.answer_mention_id and mention.deleted_at is None:
        fields["answer_sentiment"] = mention.sentiment.value
    changes.patch(Collection.TICKETS, ticket.id, fields)
    ctx.audit(changes, "ticket", ticket.id, f"review {kind.value}", mention=mention.id, by="watch")
