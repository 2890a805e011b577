"""The domain: mentions, replies, tickets, contests, entries and audit events.

Every model is a frozen dataclass. Changes go through ``dataclasses.replace`` in
the services, which also write an :class:`AuditEvent` for each state change.
Each model converts to and from a plain JSON-able record (``to_record`` and
``from_record``, worked out from its fields by :mod:`smm_tui.core.codec`); the
store keeps those records, and exports use the same shape.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from smm_tui.core.codec import Recorded, stored
from smm_tui.core.codec import from_iso as from_iso
from smm_tui.core.codec import to_iso as to_iso

# Platform is declared beside its facts; it is imported from here all over the app.
from smm_tui.core.platforms import Platform as Platform


class Status(enum.StrEnum):
    """Where a mention is in the triage flow: new → seen → replied / ticketed → done.

    ``ticketed``: a ticket is open for it and the customer has not been answered
    yet; ``follow-up``: its ticket was resolved and the customer still has not
    been answered. Both stay in the queue until a reply goes out.
    """

    NEW = "new"
    SEEN = "seen"
    REPLIED = "replied"
    TICKETED = "ticketed"
    FOLLOW_UP = "follow-up"
    DONE = "done"

    @property
    def is_open(self) -> bool:
        """Open mentions still need someone's attention: they are the queue."""
        return self in OPEN_STATUSES


#: The statuses of the queue (see :attr:`Status.is_open`).
OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.NEW, Status.SEEN, Status.TICKETED, Status.FOLLOW_UP}
)
#: Their stored values, as records hold them.
OPEN_VALUES: frozenset[str] = frozenset(status.value for status in OPEN_STATUSES)


class Sentiment(enum.StrEnum):
    """The tone of a mention; ``unknown`` until something classifies it."""

    NEGATIVE = "negative"
    NEUTRAL = "neutral"
    POSITIVE = "positive"
    UNKNOWN = "unknown"


class Intent(enum.StrEnum):
    """What the author wants; ``unknown`` until something classifies it."""

    QUESTION = "question"
    COMPLAINT = "complaint"
    PRAISE = "praise"
    SPAM = "spam"
    OTHER = "other"
    UNKNOWN = "unknown"


class TicketColumn(enum.StrEnum):
    """The ticket board's columns, left to right."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    #: Followed up in public; waiting for the customer to confirm (``[tickets] confirm_within``).
    AWAITING = "awaiting"
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        """The column heading shown on the board."""
        return _COLUMN_TITLES[self]


_COLUMN_TITLES = {
    TicketColumn.NEW: "New",
    TicketColumn.IN_PROGRESS: "In progress",
    TicketColumn.WAITING: "Waiting on department",
    TicketColumn.AWAITING: "Awaiting customer",
    TicketColumn.RESOLVED: "Resolved",
}


class ReviewState(enum.StrEnum):
    """What became of the complaint a ticket was opened for, as the network shows it."""

    UNCHANGED = "unchanged"
    UPDATED = "updated"
    REMOVED = "removed"


class RevisionKind(enum.StrEnum):
    """What happened to a mention's text after it was stored."""

    EDITED = "edited"
    DELETED = "deleted"
    RESTORED = "restored"


class ReplyState(enum.StrEnum):
    """Outbox states. ``sending`` survives a crash and is resolved on the next start."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class ContestState(enum.StrEnum):
    """A contest collects entries while open; a draw closes it."""

    OPEN = "open"
    DRAWN = "drawn"


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def mention_id(platform: str, account: str, external_id: str) -> str:
    """The app's own id of a mention, derived from its natural key.

    Deterministic, so two processes (or a re-import) that meet the same mention
    agree on its id without coordinating.
    """
    key = "\x1f".join((platform, account, external_id)).encode()
    return hashlib.blake2b(key, digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Author(Recorded):
    """Who wrote a mention, as the network describes them."""

    id: str
    handle: str
    display_name: str = ""
    followers: int | None = None


@dataclass(frozen=True, slots=True)
class MentionRevision(Recorded):
    """One change to a stored mention: ``text`` is what it read *before* the change.

    ``by`` is who made it, where the network says: ``author``, ``moderator``,
    or a network user id; empty when unknown.
    """

    kind: RevisionKind
    at: datetime
    text: str
    by: str = ""


@dataclass(frozen=True, slots=True)
class Mention(Recorded):
    """A post, comment or message that mentions or answers one of the brand's accounts."""

    platform: Platform
    account: str
    external_id: str
    author: Author
    text: str
    created_at: datetime
    url: str = ""
    parent_external_id: str | None = None
    root_external_id: str | None = None
    language: str = ""
    sentiment: Sentiment = Sentiment.UNKNOWN
    status: Status = Status.NEW
    assignee: str | None = None
    tags: tuple[str, ...] = ()
    first_response_at: datetime | None = None
    ticket_id: str | None = None
    intent: Intent = Intent.UNKNOWN
    #: 0 (lowest) to 100; see :mod:`smm_tui.core.priority` for how it is made.
    priority: int = 0
    #: When the first response is due (the account's response-time target).
    sla_due_at: datetime | None = None
    #: Fields a person set by hand ("sentiment", "intent", "status", "assignee", "tags"):
    #: the classifier and automation (back-fill, contests) leave them be.
    overridden: tuple[str, ...] = ()
    #: The names of the rules that fired on it at ingest.
    rules: tuple[str, ...] = ()
    #: Every edit, deletion and restore seen after it was stored, oldest first.
    history: tuple[MentionRevision, ...] = ()
    #: When its author (or a moderator) deleted it; its last text is kept.
    deleted_at: datetime | None = None
    #: The people it tags, by the network's id, where its text shows only their names
    #: (VK writes a tag as ``[id1|Name]``, shown as "Name"): a contest counts them.
    tagged: tuple[str, ...] = ()
    rev: int = 0
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(
                self, "id", mention_id(self.platform, self.account, self.external_id)
            )


@dataclass(frozen=True, slots=True)
class Reply(Recorded):
    """An answer to a mention, recorded in the outbox before it is sent.

    While ``sending``, ``claimed_by`` names the process publishing it
    (``host:pid``) and ``claimed_at`` when it took the claim. ``uncertain`` is
    set when a failed attempt may nevertheless have reached the network (the
    answer was lost after the request went out): before it is sent again, the
    thread is checked for it.
    """

    id: str
    mention_id: str
    platform: Platform
    account: str
    text: str
    author: str
    created_at: datetime
    # Required when read: a reply that lost its state must not default to queued (resent).
    state: ReplyState = field(default=ReplyState.QUEUED, metadata=stored(required=True))
    sent_at: datetime | None = None
    external_id: str | None = None
    url: str | None = None
    error: str | None = None
    attempts: int = 0
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    uncertain: bool = False
    #: The ticket this reply follows up in public (sent: the ticket awaits the customer).
    ticket_id: str | None = None
    #: The incident this reply answers one member of (see :mod:`smm_tui.core.incidents`).
    incident_id: str | None = None
    #: The network's rate limit on the last attempt: nothing goes to the account before it.
    retry_at: datetime | None = None
    #: The contest whose commitment or announcement this is (on the contest post).
    contest_id: str | None = None
    #: The post it goes under when that is no stored mention (a contest post): the
    #: brand's own post, as the adapters take a mention to reply below.
    head: Mention | None = None
    rev: int = 0


@dataclass(frozen=True, slots=True)
class Draft(Recorded):
    """An unsent reply being written; kept so it survives quitting the app."""

    mention_id: str
    text: str
    updated_at: datetime

    record_extras: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def id(self) -> str:
        """Drafts are keyed by the mention they answer."""
        return self.mention_id


@dataclass(frozen=True, slots=True)
class Ticket(Recorded):
    """A complaint routed to a department, linked to the mentions it came from.

    ``mention_id`` is the mention that names the ticket; ``mention_ids`` every
    mention it covers, that one first (just that one when not given).
    """

    id: str
    mention_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    column: TicketColumn = field(default=TicketColumn.NEW, metadata=stored(required=True))
    department: str = ""
    assignee: str | None = None
    note: str = ""
    resolved_at: datetime | None = None
    mention_ids: tuple[str, ...] = ()
    #: The human reference (``T-2026-0042``); empty until one is given.
    ref: str = ""
    #: The last handoff to the department (see :mod:`smm_tui.core.handoffs`).
    handoff_id: str | None = None
    #: The public follow-up reply, and when it went out.
    followup_reply_id: str | None = None
    followed_up_at: datetime | None = None
    #: While awaiting the customer: when that clock runs out.
    confirm_by: datetime | None = None
    #: The customer's first answer after the follow-up, and its tone.
    answer_mention_id: str | None = None
    answer_sentiment: Sentiment = Sentiment.UNKNOWN
    #: Set when the customer confirmed the fix (a positive answer, or a review turned round).
    confirmed_at: datetime | None = None
    #: What the ticket suggests a person does next ("close": the customer sounds satisfied).
    suggestion: str = ""
    #: Whether the original complaint was edited or removed, and the tone it has now.
    review: ReviewState = ReviewState.UNCHANGED
    review_sentiment: Sentiment = Sentiment.UNKNOWN
    review_changed_at: datetime | None = None
    #: Why it was closed without a public follow-up.
    closed_reason: str = ""
    rev: int = 0

    def __post_init__(self) -> None:
        if not self.mention_ids:
            object.__setattr__(self, "mention_ids", (self.mention_id,))

    @property
    def label(self) -> str:
        """The reference people use: the ref, else a short form of the id."""
        return self.ref or f"T-{self.id[:8]}"


@dataclass(frozen=True, slots=True)
class DrawResult(Recorded):
    """A winner draw, with everything needed to reproduce and verify it."""

    algorithm: str
    seed: str
    commitment: str
    entrant_count: int
    winner_entry_ids: tuple[str, ...]
    drawn_at: datetime
    drawn_by: str


@dataclass(frozen=True, slots=True)
class ContestCommitment(Recorded):
    """What a contest's beacon draw was committed to before its entries closed.

    ``hash`` is :meth:`smm_tui.core.contest_proof.Commitment.hash`; ``text`` is the
    public comment that carries it, sent as the reply ``reply_id`` on the contest post.
    """

    hash: str
    round: int
    replay: bool
    text: str
    reply_id: str
    committed_at: datetime
    committed_by: str


@dataclass(frozen=True, slots=True)
class FrozenEntry(Recorded):
    """One valid entry as it was frozen when entries closed (what the draw is over)."""

    network: Platform
    entry: str
    handle: str
    mention_id: str


@dataclass(frozen=True, slots=True)
class BeaconDraw(Recorded):
    """A ``smm-draw-v2`` draw: the verified beacon round and the entries it picked."""

    round: int
    randomness: str
    signature: str
    #: Mention ids of the winners and of the reserves, each in draw order.
    winners: tuple[str, ...]
    reserves: tuple[str, ...]
    drawn_at: datetime
    drawn_by: str


@dataclass(frozen=True, slots=True)
class Contest(Recorded):
    """A giveaway bound to one post: its comments are the entries.

    A contest with a rules file (``rules_toml``) runs audited: its draw is
    committed to a future beacon round (``commitment``), its valid entries are
    frozen when entries close (``frozen``), and the beacon draws (``beacon_draw``).
    """

    id: str
    name: str
    platform: Platform
    account: str
    post_external_id: str
    created_at: datetime
    winners_wanted: int = 1
    state: ContestState = field(default=ContestState.OPEN, metadata=stored(required=True))
    draw: DrawResult | None = None
    rules_toml: str = ""
    commitment: ContestCommitment | None = None
    frozen_at: datetime | None = None
    frozen: tuple[FrozenEntry, ...] = ()
    #: The reply on the contest post that made the frozen entries' hash public.
    freeze_reply_id: str | None = None
    beacon_draw: BeaconDraw | None = None
    #: The reply on the contest post that announced the winners.
    announcement_reply_id: str | None = None
    rev: int = 0


@dataclass(frozen=True, slots=True)
class Entry(Recorded):
    """One author's entry in a contest: their first comment on the contest post."""

    contest_id: str
    author: Author
    mention_id: str
    text: str
    created_at: datetime

    record_extras: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def id(self) -> str:
        """One entry per author per contest."""
        return f"{self.contest_id}:{self.author.id}"


@dataclass(frozen=True, slots=True)
class AuditEvent(Recorded):
    """One state change: who did what to which thing, and when."""

    id: str
    at: datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)
