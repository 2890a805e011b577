"""What the services know of networks: the errors adapters raise and what they return.

The adapter contract itself lives in :mod:`smm_tui.adapters.base`; these types
are here so that core services can handle them without importing adapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from smm_tui.core.models import Mention


class AdapterError(Exception):
    """Base of the errors an adapter may raise. Messages never contain a token."""


class AuthError(AdapterError):
    """The credentials were refused or have expired."""


class RateLimited(AdapterError):
    """The network asked us to wait until ``retry_at`` (UTC)."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class TransientError(AdapterError):
    """A failure that may pass: a timeout, a 5xx, a dropped connection."""


class NotSent(TransientError):
    """A transient failure that happened before the request left us (connect phase).

    The server never saw the request, so even a POST may be retried safely.
    """


class PermanentError(AdapterError):
    """A request the network will never accept as it is (a deleted post, a bad id)."""


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
class PublishedReply:
    """What the network answered when a reply was published."""

    external_id: str
    url: str


class ReplyChannel(Protocol):
    """The part of an adapter the outbox uses."""

    account: str

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """The thread around a mention, including our own replies."""
        ...

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish a reply."""
        ...
