"""What the service tests share: running a coroutine, the audit trail, fake reply channels."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Coroutine, Sequence
from datetime import datetime
from typing import Any, TypeVar

from smm_tui.core.eligibility import AuthorFacts
from smm_tui.core.models import (
    AuditEvent,
    Author,
    Mention,
)
from smm_tui.core.network import (
    MentionChange,
    PermanentError,
    PostCounters,
    PublishedReply,
    is_our_reply,
)
from smm_tui.core.repository import Collection
from smm_tui.core.workspace import Workspace
from tests.conftest import make_mention

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to its end in a fresh event loop."""
    return asyncio.run(coro)


def audit(workspace: Workspace) -> list[AuditEvent]:
    """The workspace's audit trail, oldest first."""
    events = [AuditEvent.from_record(r) for r in workspace.repo.records(Collection.AUDIT)]
    return sorted(events, key=lambda e: e.at)


def our_reply_in(thread: tuple[Mention, ...], mention: Mention, text: str) -> PublishedReply | None:
    """Our published reply to ``mention`` in ``thread``; every item there counts as ours."""
    for item in thread:
        if is_our_reply(item, mention, text, our_id=item.author.id):
            return PublishedReply(item.external_id, item.url)
    return None


class NoFacts:
    """The entrant-facts part of an account source, for fakes that know nothing of authors."""

    async def author_facts(self, authors: Sequence[Author]) -> dict[str, AuthorFacts]:
        raise PermanentError("this fake knows nothing of its authors")


class NoChanges(NoFacts):
    """The change-watching part of an account source, for fakes whose mentions never change."""

    change_note = ""

    async def fetch_changes(self, tracked: Sequence[Mention]) -> tuple[MentionChange, ...]:
        return ()


class NoPublishing(NoChanges):
    """The publishing half of an account source, for fakes that only read and reply."""

    idempotent_posts = False

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        raise NotImplementedError

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        raise NotImplementedError

    async def follower_count(self) -> int:
        raise NotImplementedError

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        raise NotImplementedError


class FakeChannel(NoPublishing):
    """A reply channel that records what it published."""

    def __init__(self, account: str = "bank-vk") -> None:
        self.account = account
        self.idempotent_replies = False
        self.published: list[tuple[str, str]] = []
        self.fail_with: Exception | None = None
        self.thread: tuple[Mention, ...] = ()

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        return self.thread

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        return our_reply_in(await self.fetch_thread(mention), mention, text)

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        if self.fail_with is not None:
            raise self.fail_with
        self.published.append((mention.external_id, text))
        return PublishedReply(f"r{len(self.published)}", f"https://vk.com/r{len(self.published)}")


class ThreadedChannel(FakeChannel):
    """A channel whose published replies show in the thread, and that can fail N posts."""

    def __init__(self, *, idempotent: bool = False) -> None:
        super().__init__()
        self.idempotent_replies = idempotent
        self.failures: list[Exception] = []
        self.commit_before_failing = False
        self.posts = 0

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        return tuple(
            dataclasses.replace(
                make_mention(50 + n, text=text, parent_external_id=parent),
                external_id=f"r{n}",
            )
            for n, (parent, text) in enumerate(self.published, 1)
        )

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        self.posts += 1
        if self.failures:
            failure = self.failures.pop(0)
            if self.commit_before_failing:
                self.published.append((mention.external_id, text))
            raise failure
        self.published.append((mention.external_id, text))
        return PublishedReply(f"r{len(self.published)}", f"https://vk.com/r{len(self.published)}")


def queued(workspace: Workspace, text: str = "Hello") -> str:
    """Queue ``text`` as a reply to a fresh mention, with no delay between retries; its id."""
    workspace.outbox.retry_delays = (0.0, 0.0)
    mention = make_mention(1)
    run(workspace.ingest.ingest([mention]))
    return run(workspace.outbox.queue(mention.id, text)).id
