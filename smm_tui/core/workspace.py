"""The workspace: one repository, the acting user and every service, wired once.

The CLI builds a workspace and hands it to the app (or runs a headless command
on it). Screens reach services only through it; none does I/O itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from smm_tui.core.audit import new_id
from smm_tui.core.contests import ContestService
from smm_tui.core.context import ServiceContext
from smm_tui.core.feed import FeedModel
from smm_tui.core.ingest import IngestService
from smm_tui.core.models import Mention, Platform, utcnow
from smm_tui.core.network import MentionPage, PublishedReply
from smm_tui.core.outbox import OutboxService
from smm_tui.core.repository import Collection, Repository
from smm_tui.core.tickets import TicketService
from smm_tui.core.triage import TriageService


class AccountSource(Protocol):
    """What the workspace needs of an adapter (``smm_tui.adapters.base.Adapter`` conforms)."""

    account: str
    platform: Platform
    reply_limit: int

    def reply_length(self, text: str) -> int:
        """Length of ``text`` as the network counts it."""
        ...

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Mentions newer than ``cursor``."""
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


@dataclass(frozen=True, slots=True)
class Settings:
    """Workspace settings that come from the config."""

    departments: tuple[str, ...] = ("General",)
    users: tuple[str, ...] = ()
    poll_seconds: float = 2.0


class Workspace:
    """Every service over one repository, plus the accounts' adapters."""

    def __init__(
        self,
        repo: Repository,
        *,
        actor: str,
        sources: Mapping[str, AccountSource],
        settings: Settings | None = None,
        clock: Callable[[], datetime] = utcnow,
        make_id: Callable[[], str] = new_id,
    ) -> None:
        self.repo = repo
        self.ctx = ServiceContext(repo, actor, clock, make_id)
        self.sources = dict(sources)
        self.settings = settings or Settings(users=(actor,))
        self.triage = TriageService(self.ctx)
        self.ingest = IngestService(self.ctx)
        self.outbox = OutboxService(self.ctx)
        self.tickets = TicketService(self.ctx)
        self.contests = ContestService(self.ctx)
        self.feed = FeedModel(repo)

    @property
    def actor(self) -> str:
        """The user acting in this workspace."""
        return self.ctx.actor

    def source_for(self, account: str) -> AccountSource | None:
        """The adapter of an account, if it is configured."""
        return self.sources.get(account)


@dataclass(slots=True)
class PollOutcome:
    """What one poll of one account did."""

    account: str
    fetched: int = 0
    stored: int = 0
    error: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


async def poll_account(workspace: Workspace, source: AccountSource) -> PollOutcome:
    """Fetch an account's new mentions and store them with the new cursor, in one commit."""
    cursor = workspace.ingest.cursor(source.account)
    page = await source.fetch_mentions(cursor)
    changed = await workspace.ingest.ingest(
        page.mentions, account=source.account, cursor=page.cursor
    )
    stored = len(changed.of(Collection.MENTIONS))
    return PollOutcome(source.account, fetched=len(page.mentions), stored=stored)
