"""A new demo data dir opens on a week of content: posts out with their numbers, posts to
come, drafts, and a month of follower counts, all played through the real services."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from smm_tui.adapters.demo import DemoAdapter
from smm_tui.config import demo_config
from smm_tui.core import demo_posts
from smm_tui.core.context import ServiceContext
from smm_tui.core.growth import CHECKPOINTS, GrowthService
from smm_tui.core.planning import PlanningService, PublishingSettings
from smm_tui.core.posts import Delivery, DeliveryState, Post
from smm_tui.core.rehearsal import RehearsalRepository
from smm_tui.core.repository import Collection, Repository
from smm_tui.runtime import build_sources, open_workspace
from tests.conftest import T0, FakeClock

CONFIG = demo_config("alice")
TEAM = (CONFIG.user, *CONFIG.users)


def demo_sources() -> dict[str, DemoAdapter]:
    sources, _warnings = build_sources(CONFIG, clock=lambda: T0, working_day=True)
    demos = {name: source for name, source in sources.items() if isinstance(source, DemoAdapter)}
    assert len(demos) == len(CONFIG.accounts) == 5
    return demos


def week_plan(
    now: datetime = T0, seed: int = CONFIG.demo.seed, timezone: str = "UTC"
) -> demo_posts.WeekPlan:
    channels: dict[str, demo_posts.ChannelAt] = {
        name: source.with_clock for name, source in demo_sources().items()
    }
    settings = PublishingSettings(timezone=timezone)
    return demo_posts.WeekPlan(channels, TEAM, settings, now, seed)


@dataclasses.dataclass(frozen=True)
class Week:
    """The week as a workspace would read it."""

    repo: Repository
    planning: PlanningService
    growth: GrowthService


@cache
def week(now: datetime = T0, seed: int = CONFIG.demo.seed, timezone: str = "UTC") -> Week:
    repo = RehearsalRepository()
    repo.commit(demo_posts.rehearse_week(week_plan(now, seed, timezone)))
    ctx = ServiceContext(repo, "alice", lambda: now)
    sources = demo_sources()
    return Week(repo, PlanningService(ctx, sources), GrowthService(ctx, sources))


def posts_by_state(seeded: Week) -> dict[DeliveryState, list[Post]]:
    grouped: dict[DeliveryState, list[Post]] = {}
    for post in seeded.planning.posts():
        states = {d.state for d in seeded.planning.deliveries(post.id)}
        assert len(states) == 1, "every account of a demo post is in the same state"
        grouped.setdefault(states.pop(), []).append(post)
    return grouped


def snapshot(repo: Repository) -> dict[str, Any]:
    """Every record the week wrote; audit events without their (random) ids."""
    kept = {
        c.value: sorted(repo.records(c), key=lambda r: r["id"])
        for c in (Collection.POSTS, Collection.DELIVERIES, Collection.FOLLOWERS)
    }
    kept["audit"] = sorted(({**r, "id": ""} for r in repo.records(Collection.AUDIT)), key=repr)
    return kept


def test_the_week_has_posts_out_posts_to_come_and_two_drafts() -> None:
    grouped = posts_by_state(week())

    assert set(grouped) == {DeliveryState.PUBLISHED, DeliveryState.SCHEDULED, DeliveryState.DRAFT}
    assert 6 <= len(grouped[DeliveryState.PUBLISHED]) <= 10
    assert 4 <= len(grouped[DeliveryState.SCHEDULED]) <= 8
    assert len(grouped[DeliveryState.DRAFT]) == 2
    for post in grouped[DeliveryState.PUBLISHED]:
        assert post.scheduled_at is not None and T0 - timedelta(days=9) < post.scheduled_at < T0
    for post in grouped[DeliveryState.SCHEDULED]:
        assert post.scheduled_at is not None and T0 < post.scheduled_at < T0 + timedelta(days=7)


def test_one_post_to_come_goes_to_two_accounts_with_a_version_each() -> None:
    seeded = week()
    scheduled = posts_by_state(seeded)[DeliveryState.SCHEDULED]
    shared = [post for post in scheduled if len(post.accounts) == 2]

    assert len(shared) == 1
    post = shared[0]
    texts = {d.account: d.text for d in seeded.planning.deliveries(post.id)}
    sources = demo_sources()
    assert set(post.versions) == {sources[name].platform.value for name in post.accounts}
    assert len(set(texts.values())) == 2
    assert all(text != post.text for text in texts.values())


def test_the_week_is_in_russian_and_english_with_a_spring_campaign() -> None:
    posts = week().planning.posts()
    cyrillic = [post for post in posts if any("а" <= ch <= "я" for ch in post.text.lower())]

    assert 0 < len(cyrillic) < len(posts)
    assert sum(post.campaign == "spring" for post in posts) >= 4
    assert {post.author for post in posts} <= set(TEAM)
    accounts = Counter(account for post in posts for account in post.accounts)
    assert set(accounts) == set(demo_sources())


def test_each_published_delivery_has_its_link_and_counters() -> None:
    seeded = week()
    published = [d for d in seeded.planning.deliveries() if d.state is DeliveryState.PUBLISHED]

    assert 6 <= len(published) <= 12
    for delivery in published:
        assert delivery.url and delivery.url.startswith("https://"), delivery
        assert delivery.external_id
        assert delivery.scheduled_at is not None and delivery.published_at is not None
        assert timedelta(0) <= delivery.published_at - delivery.scheduled_at < timedelta(seconds=30)
        assert delivery.metrics_at is not None and delivery.metrics_checks >= 1
        assert delivery.published_at + timedelta(hours=1) <= delivery.metrics_at < T0
        assert delivery.likes is not None and delivery.reposts is not None
        has_views = delivery.platform.value in ("vk", "x")
        assert (delivery.views is not None) is has_views, delivery
    assert max(d.metrics_checks for d in published) == 3  # one is a week old


def test_counters_were_read_at_every_checkpoint_passed() -> None:
    for delivery in week().planning.deliveries():
        if delivery.published_at is None:
            continue
        # The readings are hourly: a checkpoint is read within the hour after it.
        read_by = T0 - delivery.published_at - timedelta(hours=1)
        assert delivery.metrics_checks == sum(read_by >= c for c in CHECKPOINTS), delivery


def test_follower_counts_cover_thirty_days_hourly_and_grow() -> None:
    seeded = week()
    for account in demo_sources():
        readings = seeded.growth.readings(account)
        assert readings[0].at <= T0 - timedelta(days=30)
        assert T0 - timedelta(hours=1) <= readings[-1].at < T0
        gaps = {later.at - earlier.at for earlier, later in itertools.pairwise(readings)}
        assert gaps == {timedelta(hours=1)}
        changes = [seeded.growth.change(account, timedelta(days=d), T0) for d in (1, 7, 30)]
        assert all(change is not None and change > 0 for change in changes), (account, changes)
        assert changes[0] < changes[1] < changes[2]  # type: ignore[operator]


def test_growth_differs_per_network() -> None:
    seeded = week()
    latest = [seeded.growth.latest(account) for account in demo_sources()]

    assert len({reading.followers for reading in latest if reading is not None}) == len(latest)


def test_the_same_seed_and_clock_give_the_same_week() -> None:
    first = RehearsalRepository()
    first.commit(demo_posts.rehearse_week(week_plan()))

    assert snapshot(first) == snapshot(week().repo)
    assert snapshot(week(seed=CONFIG.demo.seed + 1).repo) != snapshot(first)


def test_posts_go_out_at_their_local_times() -> None:
    zone = ZoneInfo("Asia/Yekaterinburg")
    planned = {post.text: post.at for post in demo_posts.WEEK if not post.draft}
    for post in week(timezone=zone.key).planning.posts():
        if post.scheduled_at is None:
            continue
        local = post.scheduled_at.astimezone(zone)
        meant = planned[post.text]
        offset = datetime.combine(local.date(), local.time()) - datetime.combine(
            local.date(), meant
        )
        assert timedelta(0) <= offset <= timedelta(minutes=20), (post.text, local)


async def test_a_new_demo_data_dir_opens_on_the_week_and_publishes_on(tmp_path: Path) -> None:
    clock = FakeClock()
    with open_workspace(tmp_path / "demo", CONFIG, clock=clock) as (workspace, _warnings):
        grouped = posts_by_state(Week(workspace.repo, workspace.planning, workspace.growth))
        assert len(grouped[DeliveryState.SCHEDULED]) >= 4
        following = workspace.publisher.next_due_at()
        assert following is not None
        clock.now = following + timedelta(seconds=1)

        sent = await workspace.publishing_engine().publish_due()
        numbers = await workspace.publishing_engine().read_numbers()

    assert sent and all(isinstance(d, Delivery) for d in sent)
    assert all(d.state is DeliveryState.PUBLISHED and d.url for d in sent)
    assert sorted(numbers.followers) == sorted(a.name for a in CONFIG.accounts)
    assert not numbers.errors
