"""What the services know of networks: the errors adapters raise and what they return.

The adapter contract itself lives in :mod:`smm_tui.adapters.base`; these types
are here so that core services can handle them without importing adapters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import Author, Mention, RevisionKind

#: How many of an account's most recent mentions its first poll stores (``backfill``).
DEFAULT_BACKFILL = 200


class AdapterError(Exception):
    """Base of the errors an adapter may raise. Messages never contain a token."""


class AuthError(AdapterError):
    """The credentials were refused or have expired."""


class RateLimited(AdapterError):
    """The network asked us to wait until ``retry_at`` (UTC).

    ``read`` holds mentions a first poll's backfill had already read when the
    limit struck, all among the newest it will return: they may be stored at
    once, but the account's cursor must not move (the backfill resumes after
    ``retry_at`` and hands them over again, with the cursor).
    """

    def __init__(self, message: str, retry_at: datetime, *, read: tuple[Mention, ...] = ()) -> None:
        super().__init__(message)
        self.retry_at = retry_at
        self.read = read


class TransientError(AdapterError):
    """A failure that may pass: a timeout, a 5xx, a dropped connection."""


class NotSent(TransientError):
    """A transient failure that happened before the request left us (connect phase).

    The server never saw the request, so even a POST may be retried safely.
    """


class PermanentError(AdapterError):
    """A request the network will never accept as it is (a deleted post, a bad id)."""


class Unverifiable(PermanentError):
    """The network offers no way to look for a reply we may already have published.

    Telegram's Bot API, for one, cannot read a chat's history.
    """


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the account is on its network."""

    user_id: str
    handle: str
    display_name: str = ""


@dataclass(frozen=True, slots=True)
class MentionPage:
    """Mentions newer than a cursor, oldest first, and the cursor to ask from next time."""

    mentions: tuple[Mention, ...]
    cursor: str | None


@dataclass(frozen=True, slots=True)
class RateBudget:
    """What is left of an account's request budget, as the network last told us.

    Any part may be unknown (None). ``reset_at`` is when the budget refills (UTC).
    """

    remaining: int | None = None
    limit: int | None = None
    reset_at: datetime | None = None

    def spent(self, now: datetime) -> bool:
        """Whether nothing may be sent before ``reset_at``."""
        return self.remaining == 0 and self.reset_at is not None and self.reset_at > now


@dataclass(frozen=True, slots=True)
class PublishedReply:
    """What the network answered when a reply was published."""

    external_id: str
    url: str


@dataclass(frozen=True, slots=True)
class PostCounters:
    """A published post's counters, as the network's own fields give them.

    A counter the network (or the token) cannot give is None, never 0; ``note``
    says why in words when one is missing ("VK gives views only to a user token").
    """

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    views: int | None = None
    note: str = ""


class PostChannel(Protocol):
    """The part of an adapter that publishes on the brand's own page and reads its numbers.

    ``key`` is the delivery's id: stable across attempts, so the network can
    drop a repeat (Mastodon's ``Idempotency-Key``, a Bluesky rkey, VK's ``guid``)
    and :meth:`find_post` can look for an attempt whose answer was lost.
    """

    account: str
    #: True when a repeat with the same key cannot publish the post twice.
    idempotent_posts: bool

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        """Publish ``text`` as a new post of the account (on its wall, channel or feed)."""
        ...

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        """Our post with ``text`` (sent with ``key``) published at or after ``since``, if any.

        Raises :class:`Unverifiable` when the network cannot list the account's posts.
        """
        ...

    async def follower_count(self) -> int:
        """The account's followers, subscribers or members now, as the network reports them."""
        ...

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """The counters of some of the account's posts, by external id (missing: not found)."""
        ...


class FactChannel(Protocol):
    """The part of an adapter that tells about a contest entrant: member of the brand's
    community? account created when?

    Where the network cannot tell, the facts say None (membership on X; a
    creation date on VK or Telegram). ``checked_at`` is the adapter's clock when
    the network answered.
    """

    account: str

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        """Facts per author id (every id asked for is in the answer).

        Raises :class:`RateLimited` (with ``retry_at``), :class:`TransientError`
        and :class:`PermanentError` like the other calls.
        """
        ...


class ReplyChannel(Protocol):
    """The part of an adapter the outbox uses.

    ``idempotent_replies`` is True when the network itself drops a repeated
    post with the same idempotency key (Mastodon's ``Idempotency-Key``), so a
    post whose answer was lost may simply be sent again.
    """

    account: str
    idempotent_replies: bool

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        """Our reply with ``text`` below ``mention``, if it is already published.

        Raises :class:`Unverifiable` when the network cannot tell.
        """
        ...

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish a reply."""
        ...


def is_our_post(candidate_text: str, text: str) -> bool:
    """Whether a post of ours on the account reads as ``text`` (links and handles aside).

    Networks shorten links and may rewrite handles, so only the rest is compared.
    """
    wanted = _comparable(text)
    return bool(wanted) and wanted == _comparable(candidate_text)


def is_our_reply(candidate: Mention, mention: Mention, text: str, our_id: str) -> bool:
    """Whether ``candidate`` (from a thread) is our reply with ``text`` directly below ``mention``.

    It must be written by us (``our_id``, the account's id on the network): a
    customer quoting our words is not our reply. Networks change what we sent:
    Mastodon prefixes ``@author`` and shows links shortened, so links and
    handles are left out of the comparison, and the candidate need only
    contain the rest of our text, whitespace and case aside.
    """
    if candidate.parent_external_id != mention.external_id or candidate.author.id != our_id:
        return False
    wanted = _comparable(text)
    return bool(wanted) and wanted in _comparable(candidate.text)


_LINKS_AND_HANDLES = re.compile(r"\S*(?:://|…|/)\S*|@\S+")


def _comparable(text: str) -> str:
    return " ".join(_LINKS_AND_HANDLES.sub(" ", text).split()).casefold()


@dataclass(frozen=True, slots=True)
class MentionChange:
    """An edit, deletion or restore of a mention, as its network reports it.

    ``external_id`` is the stored mention's id on the network. ``text`` is the
    new text (edits and restores; None for a deletion). ``by`` says who did it
    where the network tells: ``author``, ``moderator`` or the network user id.
    ``at`` is when, if the network says. X gives an edited post a new id:
    ``new_external_id`` names it (the stored mention keeps its own id).
    """

    external_id: str
    kind: RevisionKind
    text: str | None = None
    at: datetime | None = None
    by: str = ""
    new_external_id: str | None = None


class ChangeWatch(Protocol):
    """The part of an adapter that reports edits and deletions of tracked mentions.

    Networks that push events (VK's long poll, Telegram's updates) collect them
    while fetching mentions and hand over those for ``tracked``; networks that
    do not are asked again about each tracked mention (Mastodon, Bluesky, X).
    ``change_note`` says in words what the network cannot show ("Telegram does
    not tell a bot about deletions"), or is empty.
    """

    account: str
    change_note: str

    async def fetch_changes(self, tracked: Sequence[Mention]) -> tuple[MentionChange, ...]:
        """What changed about ``tracked`` (all of this account) since the last look."""
        ...


@dataclass(frozen=True, slots=True)
class HandoffMessage:
    """A ticket handed to a department, ready for a channel to deliver.

    ``key`` is the handoff's id: stable across attempts, so a receiver can drop
    a repeat (webhooks get it as ``X-Smm-Delivery``, email as its Message-ID).
    ``payload`` is the webhook's JSON body; ``subject`` and ``text`` are the
    same summary as plain text for email and chat.
    """

    key: str
    ref: str
    department: str
    subject: str
    text: str
    payload: Mapping[str, Any]


class HandoffChannel(Protocol):
    """One department's way of hearing about tickets (a webhook, email, a Telegram chat).

    Raises the adapter errors: :class:`NotSent` when the message certainly
    did not leave, :class:`TransientError` when it may have, and
    :class:`PermanentError`/:class:`AuthError` when retrying cannot help.
    No error message holds a secret.
    """

    #: ``webhook``, ``email`` or ``telegram``.
    kind: str
    #: Where it goes, for people ("hooks.example", "payments@bank.example", "chat -100…").
    target: str

    async def deliver(self, message: HandoffMessage) -> str:
        """Deliver ``message``; returns a receipt (an HTTP status, a message id)."""
        ...
