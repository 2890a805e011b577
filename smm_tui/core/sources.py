"""What services need of an account's adapter, stated without importing the adapters."""

from __future__ import annotations

from typing import Protocol

from smm_tui.core.models import Mention, Platform
from smm_tui.core.network import (
    ChangeWatch,
    FactChannel,
    Identity,
    MentionPage,
    PostChannel,
    PublishedReply,
    RateBudget,
)


class AccountSource(PostChannel, ChangeWatch, FactChannel, Protocol):
    """One account's adapter as the services see it (``smm_tui.adapters.base.Adapter`` conforms)."""

    account: str
    platform: Platform
    reply_limit: int
    idempotent_replies: bool
    poll_interval: float | None

    async def verify(self) -> Identity:
        """Check the credentials; say who the account is."""
        ...

    def rate_budget(self) -> RateBudget | None:
        """What is left of the mention-fetching budget, if known."""
        ...

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        """Our already-published reply below a mention, if any."""
        ...

    def reply_length(self, text: str) -> int:
        """Length of ``text`` as the network counts it."""
        ...

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Mentions newer than ``cursor``; with None, the account's ``backfill`` newest."""
        ...

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """The thread around a mention."""
        ...

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """All comments on one post."""
        ...

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Publish a reply."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
