"""The contract every network adapter implements, the demo one included.

An adapter turns one account on one network into plain domain objects. It
never touches the store or the UI: the ingest service stores what it returns,
and the outbox hands it replies to publish. Every method is async; nothing
but the typed errors below may escape one.
"""

from __future__ import annotations

import abc

from smm_tui.core.models import Mention, Platform
from smm_tui.core.network import (
    AdapterError,
    AuthError,
    Identity,
    MentionPage,
    PermanentError,
    PublishedReply,
    RateBudget,
    RateLimited,
    TransientError,
    Unverifiable,
    is_our_reply,
)

__all__ = [
    "Adapter",
    "AdapterError",
    "AuthError",
    "Identity",
    "MentionPage",
    "PermanentError",
    "PublishedReply",
    "RateBudget",
    "RateLimited",
    "TransientError",
    "Unverifiable",
]


class Adapter(abc.ABC):
    """One account on one network."""

    platform: Platform
    #: The most characters (as the network counts them) a reply may have.
    reply_limit: int
    #: True when the network drops a repeated post with the same idempotency key.
    idempotent_replies: bool = False
    #: Seconds between polls, when the adapter knows better than the network's default.
    poll_interval: float | None = None

    def __init__(self, account: str) -> None:
        self.account = account

    @abc.abstractmethod
    async def verify(self) -> Identity:
        """Check the credentials and say who we are on the network."""

    @abc.abstractmethod
    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Every mention newer than ``cursor`` (recent ones when None), paging until caught up."""

    @abc.abstractmethod
    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """The thread around ``mention``: ancestors from the root, oldest first, then replies."""

    @abc.abstractmethod
    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Every comment on one of the account's posts (for contests), oldest first."""

    @abc.abstractmethod
    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish ``text`` as a reply to ``mention``."""

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        """Our reply with ``text`` below ``mention`` if it is already published (thread check).

        Adapters of networks that cannot read a thread raise :class:`Unverifiable`.
        """
        for item in await self.fetch_thread(mention):
            if is_our_reply(item, mention, text):
                return PublishedReply(item.external_id, item.url)
        return None

    def rate_budget(self) -> RateBudget | None:
        """What is left of the request budget for fetching mentions, if the network says."""
        return None

    def reply_length(self, text: str) -> int:
        """The length of ``text`` as this network counts it against :attr:`reply_limit`."""
        return len(text)

    async def aclose(self) -> None:
        """Release connections; the adapter is not used afterwards."""
        return
