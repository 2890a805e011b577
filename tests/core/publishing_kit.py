"""What the publishing tests share: a fake account that publishes, and workspaces to drive it.

:class:`PostSource` is an account source whose network is a list in memory:
``publish_post`` appends to :attr:`PostSource.posts` (stamped with the test's
clock), ``find_post`` looks there, and the test sets the follower count, the
counters and the failures the next POSTs raise. :class:`FilePostSource` keeps
its network in a file, so that processes on one data dir share it
(:func:`publish_due_in_child` is such a process).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import orjson

from smm_tui.core.limits import reply_length
from smm_tui.core.models import Mention, to_iso, utcnow
from smm_tui.core.network import (
    Identity,
    MentionPage,
    PostCounters,
    PublishedReply,
    RateBudget,
    TransientError,
    is_our_post,
)
from smm_tui.core.planning import PostDraft, PublishingSettings
from smm_tui.core.platforms import Platform, spec
from smm_tui.core.posts import Delivery
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sources import AccountSource
from smm_tui.core.workspace import Settings, Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.core.outbox_child import wait_until
from tests.core.services_kit import NoChanges, run

HERE, THERE = "host-a:100", "host-b:200"


@dataclass(frozen=True, slots=True)
class FakePost:
    """One post on the fake network."""

    key: str
    text: str
    at: datetime
    external_id: str

    @property
    def url(self) -> str:
        """Where the post is on the fake network."""
        return f"https://example.test/{self.external_id}"


class PostSource(NoChanges):
    """An account whose network is a list: it publishes, finds, counts followers and counters."""

    poll_interval: float | None = None
    idempotent_replies = False

    def __init__(
        self,
        account: str = "bank-vk",
        platform: Platform = Platform.VK,
        *,
        clock: Callable[[], datetime] | None = None,
        idempotent: bool = False,
    ) -> None:
        self.account = account
        self.platform = platform
        self.reply_limit = spec(platform).reply_limit
        self.idempotent_posts = idempotent
        self.clock = clock or FakeClock()
        self.posts: list[FakePost] = []
        #: Raised by the next POSTs, one each, in order.
        self.failures: list[Exception] = []
        #: Whether a failing POST still reaches the network (its answer is what is lost).
        self.commit_before_failing = False
        #: Raised by ``find_post`` (Unverifiable: a network that cannot list posts).
        self.find_error: Exception | None = None
        self.followers = 1000
        self.follower_error: Exception | None = None
        self.counters: dict[str, PostCounters] = {}
        self.counters_error: Exception | None = None
        self.publish_calls = 0
        self.find_calls = 0
        self.counter_calls: list[list[str]] = []
        #: Runs inside ``publish_post`` before the post lands (to race another sender).
        self.during_post: Callable[[], Awaitable[None]] | None = None

    # -- publishing -----------------------------------------------------------------

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        self.publish_calls += 1
        if self.during_post is not None:
            hook, self.during_post = self.during_post, None
            await hook()
        failure = self.failures.pop(0) if self.failures else None
        if failure is not None and not self.commit_before_failing:
            raise failure
        if self.idempotent_posts and any(post.key == key for post in self.posts):
            found = next(post for post in self.posts if post.key == key)
        else:
            found = FakePost(key, text, self.clock(), f"p{len(self.posts) + 1}")
            self.posts.append(found)
        if failure is not None:
            raise failure
        return PublishedReply(found.external_id, found.url)

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        self.find_calls += 1
        if self.find_error is not None:
            raise self.find_error
        for post in self.posts:
            if post.at >= since and is_our_post(post.text, text):
                return PublishedReply(post.external_id, post.url)
        return None

    async def follower_count(self) -> int:
        if self.follower_error is not None:
            raise self.follower_error
        return self.followers

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        self.counter_calls.append(list(external_ids))
        if self.counters_error is not None:
            raise self.counters_error
        return {key: self.counters[key] for key in external_ids if key in self.counters}

    # -- the rest of an account source ----------------------------------------------

    def reply_length(self, text: str) -> int:
        return reply_length(self.platform, text)

    def rate_budget(self) -> RateBudget | None:
        return None

    async def verify(self) -> Identity:
        return Identity("brand-1", "@bank", "Bank")

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        return None

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        return MentionPage((), cursor)

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        return ()

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        return ()

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


def sources(clock: FakeClock, *platforms: Platform) -> dict[str, PostSource]:
    """One fake account per platform, named ``bank-<platform>``."""
    return {f"bank-{p.value}": PostSource(f"bank-{p.value}", p, clock=clock) for p in platforms}


def publishing_workspace(
    store: Store,
    clock: FakeClock,
    accounts: Mapping[str, AccountSource],
    *,
    settings: PublishingSettings | None = None,
    owner: str = HERE,
    alive: Callable[[str], bool] | None = None,
    actor: str = "alice",
) -> Workspace:
    """A workspace acting as ``owner`` over ``accounts``, repeating a safe POST at once."""
    workspace = Workspace(
        store,
        actor=actor,
        sources=accounts,
        settings=Settings(users=(actor,), publishing=settings or PublishingSettings()),
        clock=clock,
        owner=owner,
        owner_alive=alive or (lambda who: who == owner),
    )
    workspace.publisher.retry_delays = (0.0, 0.0)
    return workspace


def scheduled(
    workspace: Workspace, in_seconds: float = 60, text: str = "Spring rates are here"
) -> Delivery:
    """A post scheduled ``in_seconds`` from now on every account; its first delivery."""
    at = workspace.ctx.clock() + timedelta(seconds=in_seconds)
    post = run(workspace.planning.create(PostDraft(text, tuple(workspace.sources)), at))
    return workspace.planning.deliveries(post.id)[0]


def send(
    ws: Workspace, delivery: Delivery, channel: PostSource, *, force: bool = False
) -> Delivery:
    """Send one delivery through ``channel`` and wait for its outcome."""
    return run(ws.publisher.send(delivery.id, channel, force=force))


def leave_publishing(ws: Workspace, delivery: Delivery, owner: str) -> None:
    """Leave ``delivery`` mid-POST, as ``owner`` would have when it stopped."""
    now = ws.ctx.clock()
    fields = {
        "state": "publishing",
        "claimed_by": owner,
        "claimed_at": to_iso(now),
        "attempted_at": to_iso(now),
        "attempts": 1,
    }
    ws.repo.commit(ChangeSet().patch(Collection.DELIVERIES, delivery.id, fields))


# -- processes -------------------------------------------------------------------------------------


class FilePostSource(PostSource):
    """An account whose network is a file shared by processes: one line per publication.

    With ``hold``, ``publish_post`` writes ``entered`` and waits for ``gate``
    after its post has landed (so the test can kill it there).
    """

    def __init__(
        self, publications: Path, *, entered: Path | None = None, gate: Path | None = None
    ):
        super().__init__("bank-vk", Platform.VK, clock=utcnow)
        self.publications = publications
        self.entered = entered
        self.gate = gate

    def _lines(self) -> list[list[str]]:
        if not self.publications.exists():
            return []
        return [line.split("\t") for line in self.publications.read_text().splitlines()]

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        with self.publications.open("a") as out:
            out.write(f"{os.getpid()}\t{key}\t{text}\n")
            out.flush()
            os.fsync(out.fileno())
        if self.entered is not None and self.gate is not None:
            self.entered.write_text(str(os.getpid()))
            if not wait_until(self.gate.exists):
                raise TransientError("the test never opened the gate")
        return PublishedReply(f"pub-{key}", f"https://example.test/{key}")

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        if any(found_key == key for _pid, found_key, _text in self._lines()):
            return PublishedReply(f"pub-{key}", f"https://example.test/{key}")
        return None


def publish_due_in_child(data_dir: str, files: dict[str, str], name: str, hold: bool) -> None:
    """A process of its own: open the store, wait for ``go``, publish what is due, report it."""
    source = FilePostSource(
        Path(files["publications"]),
        entered=Path(files["entered"]) if hold else None,
        gate=Path(files["gate"]) if hold else None,
    )
    with Store.open(Path(data_dir)) as store:
        workspace = Workspace(store, actor=name, sources={"bank-vk": source})
        workspace.publisher.retry_delays = (0.0, 0.0)
        Path(files[f"{name}_ready"]).touch()
        if not wait_until(Path(files["go"]).exists):
            raise SystemExit("never told to go")
        settled = asyncio.run(workspace.publishing_engine().publish_due())
    result = [(d.id, d.state.value, d.claimed_by) for d in settled]
    Path(files[f"{name}_result"]).write_bytes(orjson.dumps(result))
