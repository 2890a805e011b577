"""The domain: mentions, replies, tickets, contests, entries and audit events.

Every model is a frozen dataclass. Changes go through ``dataclasses.replace`` in
the services, which also write an :class:`AuditEvent` for each state change.
Each model converts to and from a plain JSON-able record; the store keeps those
records, and exports use the same shape.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self


class Platform(enum.StrEnum):
    """A network the app can read and answer on."""

    VK = "vk"
    TELEGRAM = "telegram"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    X = "x"
    DEMO = "demo"


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
    RESOLVED = "resolved"

    @property
    def label(self) -> str:
        """The column heading shown on the board."""
        return _COLUMN_TITLES[self]


_COLUMN_TITLES = {
    TicketColumn.NEW: "New",
    TicketColumn.IN_PROGRESS: "In progress",
    TicketColumn.WAITING: "Waiting on department",
    TicketColumn.RESOLVED: "Resolved",
}


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


def to_iso(moment: datetime | None) -> str | None:
    """Serialise a datetime as ISO 8601 in UTC (``None`` passes through)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def from_iso(text: str | None) -> datetime | None:
    """Parse ISO 8601; a naive time is taken as UTC."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _required_iso(text: str) -> datetime:
    moment = from_iso(text)
    assert moment is not None
    return moment


def mention_id(platform: str, account: str, external_id: str) -> str:
    """The app's own id of a mention, derived from its natural key.

    Deterministic, so two processes (or a re-import) that meet the same mention
    agree on its id without coordinating.
    """
    key = "\x1f".join((platform, account, external_id)).encode()
    return hashlib.blake2b(key, digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a mention, as the network describes them."""

    id: str
    handle: str
    display_name: str = ""
    followers: int | None = None

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {
            "id": self.id,
            "handle": self.handle,
            "display_name": self.display_name,
            "followers": self.followers,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The inverse of :meth:`to_record`."""
        followers = record.get("followers")
        return cls(
            id=str(record["id"]),
            handle=str(record["handle"]),
            display_name=str(record.get("display_name") or ""),
            followers=int(followers) if followers is not None else None,
        )


@dataclass(frozen=True, slots=True)
class Mention:
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
    rev: int = 0
    id: str = field(default="")

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(
                self, "id", mention_id(self.platform, self.account, self.external_id)
            )

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict; the store's and the export's shape."""
        return {
            "id": self.id,
            "platform": self.platform.value,
            "account": self.account,
            "external_id": self.external_id,
            "author": self.author.to_record(),
            "text": self.text,
            "created_at": to_iso(self.created_at),
            "url": self.url,
            "parent_external_id": self.parent_external_id,
            "root_external_id": self.root_external_id,
            "language": self.language,
            "sentiment": self.sentiment.value,
            "status": self.status.value,
            "assignee": self.assignee,
            "tags": list(self.tags),
            "first_response_at": to_iso(self.first_response_at),
            "ticket_id": self.ticket_id,
            "intent": self.intent.value,
            "priority": self.priority,
            "sla_due_at": to_iso(self.sla_due_at),
            "overridden": list(self.overridden),
            "rules": list(self.rules),
            "rev": self.rev,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The inverse of :meth:`to_record`; raises KeyError/ValueError on bad records."""
        return cls(
            platform=Platform(record["platform"]),
            account=str(record["account"]),
            external_id=str(record["external_id"]),
            author=Author.from_record(record["author"]),
            text=str(record["text"]),
            created_at=_required_iso(record["created_at"]),
            url=str(record.get("url") or ""),
            parent_external_id=record.get("parent_external_id"),
            root_external_id=record.get("root_external_id"),
            language=str(record.get("language") or ""),
            sentiment=Sentiment(record.get("sentiment") or "unknown"),
            status=Status(record.get("status") or "new"),
            assignee=record.get("assignee"),
            tags=tuple(record.get("tags") or ()),
            first_response_at=from_iso(record.get("first_response_at")),
            ticket_id=record.get("ticket_id"),
            intent=Intent(record.get("intent") or "unknown"),
            priority=int(record.get("priority") or 0),
            sla_due_at=from_iso(record.get("sla_due_at")),
            overridden=tuple(record.get("overridden") or ()),
            rules=tuple(record.get("rules") or ()),
            rev=int(record.get("rev") or 0),
            id=str(record.get("id") or ""),
        )


@dataclass(frozen=True, slots=True)
class Reply:
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
    state: ReplyState = ReplyState.QUEUED
    sent_at: datetime | None = None
    external_id: str | None = None
    url: str | None = None
    error: str | None = None
    attempts: int = 0
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    uncertain: bool = False
    rev: int = 0

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {
            "id": self.id,
            "mention_id": self.mention_id,
            "platform": self.platform.value,
            "account": self.account,
            "text": self.text,
            "author": self.author,
            "created_at": to_iso(self.created_at),
            "state": self.state.value,
            "sent_at": to_iso(self.sent_at),
            "external_id": self.external_id,
            "url": self.url,
            "error": self.error,
            "attempts": self.attempts,
            "claimed_by": self.claimed_by,
            "claimed_at": to_iso(self.claimed_at),
            "uncertain": self.uncertain,
            "rev": self.rev,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The inverse of :meth:`to_record`."""
        return cls(
            id=str(record["id"]),
            mention_id=str(record["mention_id"]),
            platform=Platform(record["platform"]),
            account=str(record["account"]),
            text=str(record["text"]),
            author=str(record["author"]),
            created_at=_required_iso(record["created_at"]),
            state=ReplyState(record["state"]),
            sent_at=from_iso(record.get("sent_at")),
            external_id=record.get("external_id"),
            url=record.get("url"),
            error=record.get("error"),
            attempts=int(record.get("attempts") or 0),
            claimed_by=record.get("claimed_by"),
            claimed_at=from_iso(record.get("claimed_at")),
            uncertain=bool(record.get("uncertain", False)),
            rev=int(record.get("rev") or 0),
        )


@dataclass(frozen=True, slots=True)
class Draft:
    """An unsent reply being written; kept so it survives quitting the app."""

    mention_id: str
    text: str
    updated_at: datetime

    @property
    def id(self) -> str:
        """Drafts are keyed by the mention they answer."""
        return self.mention_id

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {
            "id": self.mention_id,
            "mention_id": self.mention_id,
            "text": self.text,
            "updated_at": to_iso(self.updated_at),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The inverse of :meth:`to_record`."""
        return cls(
            mention_id=str(record["mention_id"]),
            text=str(record["text"]),
            updated_at=_required_iso(record["updated_at"]),
        )


@dataclass(frozen=True, slots=True)
class Ticket:
    """A complaint routed to a department, linked to the mentions it came from.

    ``mention_id`` is the mention that names the ticket; ``mention_ids`` every
    mention it covers, that one first (just that one when not given).
    """

    id: str
    mention_id: str
    title: str
    created_at: datetime
    updated_at: datetime
    column: TicketColumn = TicketColumn.NEW
    department: str = ""
    assignee: str | None = None
    note: str = ""
    resolved_at: datetime | None = None
    mention_ids: tuple[str, ...] = ()
    rev: int = 0

    def __post_init__(self) -> None:
        if not self.mention_ids:
            object.__setattr__(self, "mention_ids", (self.mention_id,))

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {
            "id": self.id,
            "mention_id": self.mention_id,
            "mention_ids": list(self.mention_ids),
            "title": self.title,
            "created_at": to_iso(self.created_at),
            "updated_at": to_iso(self.updated_at),
            "column": self.column.value,
            "department": self.department,
            "assignee": self.assignee,
            "note": self.note,
            "resolved_at": to_iso(self.resolved_at),
            "rev": self.rev,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The inverse of :meth:`to_record`."""
        return cls(
            id=str(record["id"]),
            mention_id=str(record["mention_id"]),
            mention_ids=tuple(str(m) for m in record.get("mention_ids") or ()),
            title=str(record["title"]),
            created_at=_required_iso(record["created_at"]),
            updated_at=_required_iso(record["updated_at"]),
            column=TicketColumn(record["column"]),
            department=str(record.get("department") or ""),
            assignee=record.get("assignee"),
            note=str(record.get("note") or ""),
            resolved_at=from_iso(record.get("resolved_at")),
            rev=int(record.get("rev") or 0),
        )


@dataclass(frozen=True, slots=True)
class DrawResult:
    """A winner draw, with everything needed to reproduce and verify it."""

    algorithm: str
    seed: str
    commitment: str
    entrant_count: int
    winner_entry_ids: tuple[str, ...]
    drawn_at: datetime
    drawn_by: str

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {
            "algorithm": self.algorithm,
            "seed": self.seed,
            "commitment": self.commitment,
            "entrant_count": self.entrant_count,
            "winner_entry_ids": list(self.winner_entry_ids),
            "drawn_at": to_iso(self.drawn_at),
            "drawn_by": self.drawn_by,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The inverse of :meth:`to_record`."""
        return cls(
            algorithm=str(record["algorithm"]),
            seed=str(record["seed"]),
            commitment=str(record["commitment"]),
            entrant_count=int(record["entrant_count"]),
            winner_entry_ids=tuple(record["winner_entry_ids"]),
            drawn_at=_required_iso(record["drawn_at"]),
            drawn_by=str(record["drawn_by"]),
        )


@dataclass(frozen=True, slots=True)
class Contest:
    """A giveaway bound to one post: its comments are the entries."""

    id: str
    name: str
    platform: Platform
    account: str
    post_external_id: str
    created_at: datetime
    winners_wanted: int = 1
    state: ContestState = ContestState.OPEN
    draw: DrawResult | None = None
    rev: int = 0

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {
            "id": self.id,
            "name": self.name,
            "platform": self.platform.value,
            "account": self.account,
            "post_external_id": self.post_external_id,
            "created_at": to_iso(self.created_at),
            "winners_wanted": self.winners_wanted,
            "state": self.state.value,
            "draw": self.draw.to_record() if self.draw else None,
            "rev": self.rev,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The inverse of :meth:`to_record`."""
        draw = record.get("draw")
        return cls(
            id=str(record["id"]),
            name=str(record["name"]),
            platform=Platform(record["platform"]),
            account=str(record["account"]),
            post_external_id=str(record["post_external_id"]),
            created_at=_required_iso(record["created_at"]),
            winners_wanted=int(record.get("winners_wanted") or 1),
            state=ContestState(record["state"]),
            draw=DrawResult.from_record(draw) if draw else None,
            rev=int(record.get("rev") or 0),
        )


@dataclass(frozen=True, slots=True)
class Entry:
    """One author's entry in a contest: their first comment on the contest post."""

    contest_id: str
    author: Author
    mention_id: str
    text: str
    created_at: datetime

    @property
    def id(self) -> str:
        """One entry per author per contest."""
        return f"{self.contest_id}:{self.author.id}"

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {
            "id": self.id,
            "contest_id": self.contest_id,
            "author": self.author.to_record(),
            "mention_id": self.mention_id,
            "text": self.text,
            "created_at": to_iso(self.created_at),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The inverse of :meth:`to_record`."""
        return cls(
            contest_id=str(record["contest_id"]),
            author=Author.from_record(record["author"]),
            mention_id=str(record["mention_id"]),
            text=str(record["text"]),
            created_at=_required_iso(record["created_at"]),
        )


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One state change: who did what to which thing, and when."""

    id: str
    at: datetime
    actor: str
    entity: str
    entity_id: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """A JSON-able dict."""
        return {
            "id": self.id,
            "at": to_iso(self.at),
            "actor": self.actor,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "action": self.action,
            "detail": self.detail,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Self:
        """The inverse of :meth:`to_record`."""
        return cls(
            id=str(record["id"]),
            at=_required_iso(record["at"]),
            actor=str(record["actor"]),
            entity=str(record["entity"]),
            entity_id=str(record["entity_id"]),
            action=str(record["action"]),
            detail=dict(record.get("detail") or {}),
        )
