"""What the Content pane's tests share: demo accounts that publish, a planned week, the pane.

The week is made through the services on the harness's fake clock and ids, so
it is the same on every run: published, failed, held, scheduled and draft posts
from Monday 23 to Sunday 29 November 2026 (the clock stops on Thursday 09:00).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from smm_tui.adapters.demo import DemoAdapter
from smm_tui.app import SmmApp
from smm_tui.core.calendar import Entry
from smm_tui.core.growth import by_account
from smm_tui.core.models import Platform
from smm_tui.core.network import PermanentError, PostCounters, PublishedReply
from smm_tui.core.planning import PostDraft
from smm_tui.core.posts import Delivery, DeliveryState, Post, delivery_id
from smm_tui.core.sources import AccountSource
from smm_tui.core.workspace import Workspace
from smm_tui.screens.content import ContentScreen
from tests.conftest import T0, FakeClock
from tests.ui.harness import Running, running, wait_for

#: The demo's accounts and the networks they play.
ACCOUNTS: Mapping[str, Platform] = {
    "bank-vk": Platform.VK,
    "bank-tg": Platform.TELEGRAM,
    "bank-mastodon": Platform.MASTODON,
    "bank-bsky": Platform.BLUESKY,
    "bank-x": Platform.X,
}
MONDAY = T0 - timedelta(days=3)  # Monday 23 November 2026, 09:00 UTC
THURSDAY = T0.date()  # where the clock stops


class PublishingDemo(DemoAdapter):
    """A demo account that publishes posts, counts followers and reads counters.

    ``refuse`` makes every publish fail with that reason; ``followers`` is the count it gives.
    """

    def __init__(self, account: str, *, simulate: Platform, clock: FakeClock) -> None:
        super().__init__(account, simulate=simulate, clock=clock, backlog=0, rate_per_minute=0.01)
        self.refuse: str | None = None
        self.followers = 12_000
        self.posts: list[str] = []

    async def publish_post(self, text: str, key: str) -> PublishedReply:
        if self.refuse is not None:
            raise PermanentError(self.refuse)
        self.posts.append(text)
        number = len(self.posts)
        return PublishedReply(f"{self.account}-{number}", f"https://example.net/{key}")

    async def find_post(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        return None

    async def follower_count(self) -> int:
        return self.followers

    async def post_counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        note = "views need a user token" if self.platform is Platform.VK else ""
        views = None if self.platform is Platform.VK else 1_204
        return {i: PostCounters(12, 3, 4, views, note) for i in external_ids}


def publishing_sources(clock: FakeClock) -> dict[str, PublishingDemo]:
    """The demo's five accounts, each able to publish."""
    return {name: PublishingDemo(name, simulate=p, clock=clock) for name, p in ACCOUNTS.items()}


def as_sources(sources: Mapping[str, PublishingDemo]) -> dict[str, AccountSource]:
    """The same, typed as the workspace takes them."""
    return dict(sources)


@dataclass
class Plan:
    """The posts of the planned week, by what they show."""

    posts: dict[str, Post] = field(default_factory=dict)


async def at(clock: FakeClock, when: datetime) -> None:
    """Move the fake clock."""
    clock.now = when


async def plan_week(ws: Workspace, clock: FakeClock, sources: Mapping[str, PublishingDemo]) -> Plan:
    """Make the week: what went out (and failed) Monday to Wednesday, what is planned after."""
    planning, publisher, growth = ws.planning, ws.publisher, ws.growth
    plan = Plan()

    async def post(
        name: str, text: str, accounts: tuple[str, ...], when: datetime | None, campaign: str = ""
    ) -> Post:
        made = await planning.create(PostDraft(text, accounts, campaign=campaign), when)
        plan.posts[name] = made
        return made

    async def send(made: Post, when: datetime) -> None:
        await at(clock, when)
        for delivery in planning.deliveries(made.id):
            await publisher.send(delivery.id, sources[delivery.account])

    for day in range(8):  # a reading a day for the growth line
        await at(clock, MONDAY - timedelta(days=4) + timedelta(days=day))
        sources["bank-vk"].followers = 12_220 + day * day * 2
        await growth.read_followers("bank-vk", sources["bank-vk"])
    await at(clock, MONDAY - timedelta(hours=1))
    monday = await post(
        "monday",
        "Our new card is here!\nLimits up to 1M.",
        ("bank-vk", "bank-tg"),
        MONDAY + timedelta(hours=1),
    )
    tuesday = await post(
        "tuesday",
        "Tips for safe payments",
        ("bank-mastodon",),
        MONDAY + timedelta(days=1, hours=3, minutes=30),
    )
    await post("late", "Rates update", ("bank-vk",), MONDAY + timedelta(days=1))
    wednesday = await post(
        "wednesday",
        "Spring cashback: 5% on travel",
        ("bank-x", "bank-bsky"),
        MONDAY + timedelta(days=2, hours=9),
        campaign="spring",
    )
    await send(monday, MONDAY + timedelta(hours=1))
    sources[
        "bank-mastodon"
    ].refuse = "mastodon account 'bank-mastodon': the instance refused the post (422)"
    await send(tuesday, MONDAY + timedelta(days=1, hours=3, minutes=30))
    sources["bank-mastodon"].refuse = None
    await send(wednesday, MONDAY + timedelta(days=2, hours=9))
    await at(clock, MONDAY + timedelta(days=2, hours=10))
    for made in (monday, wednesday):
        for account, deliveries in _by_account(ws, made).items():
            await growth.read_counters(deliveries, sources[account], scheduled=False)
    await at(clock, T0)
    await publisher.hold_late(T0)
    await post(
        "webinar", "Webinar on savings at 13:00", ("bank-vk", "bank-tg"), T0 + timedelta(hours=3)
    )
    await post(
        "x-thread", "Thread: five ways to save", ("bank-x",), T0 + timedelta(hours=3, minutes=15)
    )
    await post(
        "friday", "Friday quiz!", ("bank-vk",), T0 + timedelta(days=1, hours=6), campaign="spring"
    )
    await post(
        "saturday", "Branch hours this weekend", ("bank-tg",), T0 + timedelta(days=2, hours=2)
    )
    await post(
        "sunday", "Week in review", ("bank-mastodon",), T0 + timedelta(days=3, hours=10, minutes=30)
    )
    await post("draft", "Idea: a post about deposits", ("bank-vk",), None)
    return plan


def _by_account(ws: Workspace, made: Post) -> dict[str, list[Delivery]]:
    return by_account(ws.planning.deliveries(made.id))


@dataclass
class Pane:
    """The app on the Content pane over the planned week."""

    run: Running
    screen: ContentScreen
    plan: Plan
    sources: dict[str, PublishingDemo]

    @property
    def app(self) -> SmmApp:
        return self.run.app

    def selected(self) -> Entry | None:
        return self.screen.selected_entry()

    def where(self) -> tuple[date, str | None, str | None]:
        """The cursor's day, and the selected delivery's post name and account."""
        entry = self.selected()
        if entry is None:
            return self.screen.day, None, None
        names = {post.id: name for name, post in self.plan.posts.items()}
        return self.screen.day, names.get(entry.post.id, entry.post.id), entry.account

    def post(self, name: str) -> Post:
        return self.run.workspace.planning.post(self.plan.posts[name].id)

    def state(self, name: str, account: str) -> DeliveryState:
        made = self.plan.posts[name]
        return self.run.workspace.planning.delivery(delivery_id(made.id, account)).state

    async def press(self, *keys: str) -> None:
        await self.run.pilot.press(*keys)
        await self.run.pilot.pause()

    async def select(self, name: str, account: str) -> None:
        """Put the cursor on a post's delivery."""
        self.screen.select(delivery_id(self.plan.posts[name].id, account))
        await self.run.pilot.pause()
        assert self.where()[1:] == (name, account)

    async def showing(self, kind: type[object]) -> None:
        await wait_for(self.run.pilot, lambda: isinstance(self.app.screen, kind), kind.__name__)


@asynccontextmanager
async def content_pane(
    tmp_path: Path, clock: FakeClock, size: tuple[int, int] = (80, 24), poll: bool = False
) -> AsyncIterator[Pane]:
    sources = publishing_sources(clock)
    async with running(
        tmp_path / "data", clock, size=size, poll=poll, sources=as_sources(sources)
    ) as run:
        plan = await plan_week(run.workspace, clock, sources)
        await run.pilot.press("5")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ContentScreen), "content")
        screen = run.app.screen
        assert isinstance(screen, ContentScreen)
        await run.pilot.pause()
        yield Pane(run, screen, plan, sources)
