"""Account growth and post performance: follower readings and counters at their checkpoints."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from smm_tui.core.growth import NOT_FOUND, GrowthService
from smm_tui.core.network import PostCounters, TransientError
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Delivery, DeliveryState, FollowerReading
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.core.publishing_kit import PostSource, publishing_workspace, scheduled, sources
from tests.core.services_kit import run

HOUR = 3600.0
DAY = 24 * HOUR


@pytest.fixture
def accounts(clock: FakeClock) -> dict[str, PostSource]:
    return sources(clock, Platform.VK, Platform.TELEGRAM)


@pytest.fixture
def ws(store: Store, clock: FakeClock, accounts: dict[str, PostSource]) -> Workspace:
    return publishing_workspace(store, clock, accounts)


def read(ws: Workspace, accounts: dict[str, PostSource], name: str, count: int) -> FollowerReading:
    accounts[name].followers = count
    return run(ws.growth.read_followers(name, accounts[name]))


def published(ws: Workspace, accounts: dict[str, PostSource], text: str = "Hello") -> Delivery:
    """A post published now on bank-vk."""
    delivery = scheduled(ws, in_seconds=0, text=text)
    vk = next(d for d in ws.planning.deliveries(delivery.post_id) if d.account == "bank-vk")
    return run(ws.publisher.send(vk.id, accounts["bank-vk"]))


# -- followers -------------------------------------------------------------------------------------


def test_an_account_never_read_is_due(ws: Workspace, clock: FakeClock) -> None:
    assert ws.growth.followers_due(clock()) == ["bank-vk", "bank-telegram"]


def test_a_count_is_due_again_after_every(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    read(ws, accounts, "bank-vk", 1000)
    read(ws, accounts, "bank-telegram", 50)
    assert ws.growth.followers_due(clock()) == []
    clock.advance(59 * 60)
    assert ws.growth.followers_due(clock()) == []
    clock.advance(60)
    assert ws.growth.followers_due(clock()) == ["bank-vk", "bank-telegram"]


def test_every_is_the_accounts_own_beat(store: Store, clock: FakeClock) -> None:
    accounts = sources(clock, Platform.VK)
    growth = GrowthService(
        publishing_workspace(store, clock, accounts).ctx, accounts, every=timedelta(hours=6)
    )
    run(growth.read_followers("bank-vk", accounts["bank-vk"]))
    clock.advance(5 * HOUR)
    assert growth.followers_due(clock()) == []
    clock.advance(HOUR)
    assert growth.followers_due(clock()) == ["bank-vk"]


def test_a_reading_keeps_the_count_with_its_time(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    reading = read(ws, accounts, "bank-vk", 1234)
    assert reading == FollowerReading("bank-vk", Platform.VK, clock(), 1234)
    clock.advance(HOUR)
    read(ws, accounts, "bank-vk", 1240)
    assert [(r.at, r.followers) for r in ws.growth.readings("bank-vk")] == [
        (clock() - timedelta(hours=1), 1234),
        (clock(), 1240),
    ]
    latest = ws.growth.latest("bank-vk")
    assert latest is not None and latest.followers == 1240
    assert ws.growth.latest("bank-telegram") is None
    assert len(ws.growth.readings()) == 2


def test_a_failed_reading_stores_nothing(ws: Workspace, accounts: dict[str, PostSource]) -> None:
    accounts["bank-vk"].follower_error = TransientError("HTTP 503")
    with pytest.raises(TransientError):
        run(ws.growth.read_followers("bank-vk", accounts["bank-vk"]))
    assert ws.growth.readings() == []


def history(ws: Workspace, clock: FakeClock, counts: list[tuple[float, int]]) -> datetime:
    """Store readings ``days`` ago; now is the clock's time."""
    now = clock()
    changes = ChangeSet()
    for days_ago, followers in counts:
        at = now - timedelta(days=days_ago)
        changes.put(
            Collection.FOLLOWERS, FollowerReading("bank-vk", Platform.VK, at, followers).to_record()
        )
    ws.repo.commit(changes)
    return now


def test_change_over_1_7_and_30_days(ws: Workspace, clock: FakeClock) -> None:
    now = history(
        ws, clock, [(40, 800), (30, 900), (10, 950), (7, 960), (1.5, 990), (1, 1000), (0, 1010)]
    )
    day, week, month = (timedelta(days=n) for n in (1, 7, 30))
    assert ws.growth.change("bank-vk", day, now) == 10
    assert ws.growth.change("bank-vk", week, now) == 50
    assert ws.growth.change("bank-vk", month, now) == 110


def test_change_is_none_without_a_reading_that_old(ws: Workspace, clock: FakeClock) -> None:
    now = history(ws, clock, [(6.9, 100), (0, 120)])
    assert ws.growth.change("bank-vk", timedelta(days=1), now) == 20
    assert ws.growth.change("bank-vk", timedelta(days=7), now) is None
    assert ws.growth.change("bank-telegram", timedelta(days=1), now) is None


def test_change_can_be_a_loss(ws: Workspace, clock: FakeClock) -> None:
    now = history(ws, clock, [(1, 1000), (0, 990)])
    assert ws.growth.change("bank-vk", timedelta(days=1), now) == -10


def test_series_is_the_counts_since_oldest_first(ws: Workspace, clock: FakeClock) -> None:
    now = history(ws, clock, [(3, 1), (2, 2), (1, 3), (0, 4)])
    assert ws.growth.series("bank-vk", now - timedelta(days=2)) == [2, 3, 4]
    assert ws.growth.series("bank-vk", now + timedelta(seconds=1)) == []
    assert ws.growth.series("bank-telegram", now - timedelta(days=30)) == []


# -- post counters ---------------------------------------------------------------------------------


def due_ids(ws: Workspace, clock: FakeClock) -> list[str]:
    return [d.id for d in ws.growth.counters_due(clock())]


def read_due(ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]) -> list[Delivery]:
    return run(ws.growth.read_counters(ws.growth.counters_due(clock()), accounts["bank-vk"]))


def test_counters_are_read_at_1h_24h_and_7_days(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    delivery = published(ws, accounts)
    accounts["bank-vk"].counters["p1"] = PostCounters(likes=1, reposts=0, replies=0, views=10)
    assert due_ids(ws, clock) == []  # only published ones, from their first checkpoint
    assert delivery.published_at is not None
    for offset, checks in ((HOUR, 1), (DAY, 2), (7 * DAY, 3)):
        clock.now = delivery.published_at + timedelta(seconds=offset - 1)
        assert due_ids(ws, clock) == []
        clock.advance(1)
        assert due_ids(ws, clock) == [delivery.id]
        [after] = read_due(ws, clock, accounts)
        assert (after.metrics_checks, after.metrics_at) == (checks, clock())
        assert due_ids(ws, clock) == []
    clock.advance(365 * DAY)
    assert due_ids(ws, clock) == []  # three readings, then no more


def test_missed_checkpoints_are_caught_up_at_once(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    delivery = published(ws, accounts)
    accounts["bank-vk"].counters["p1"] = PostCounters(likes=5)
    clock.advance(2 * DAY)  # nothing ran at 1 h or 24 h
    [after] = read_due(ws, clock, accounts)
    assert after.metrics_checks == 2 and after.likes == 5
    assert due_ids(ws, clock) == []
    clock.advance(10 * DAY)
    [final] = read_due(ws, clock, accounts)
    assert final.metrics_checks == 3
    assert accounts["bank-vk"].counter_calls == [[delivery.external_id]] * 2


def test_counters_keep_none_where_the_network_cannot_give_them(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    published(ws, accounts)
    note = "VK gives views only to a user token"
    accounts["bank-vk"].counters["p1"] = PostCounters(likes=3, reposts=1, replies=0, note=note)
    clock.advance(HOUR)
    [after] = read_due(ws, clock, accounts)
    assert (after.likes, after.reposts, after.replies, after.views) == (3, 1, 0, None)
    assert after.metrics_note == note


def test_a_post_gone_from_the_account_passes_its_checkpoint(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    published(ws, accounts)
    accounts["bank-vk"].counters["p1"] = PostCounters(likes=3)
    clock.advance(HOUR)
    read_due(ws, clock, accounts)
    del accounts["bank-vk"].counters["p1"]
    clock.advance(DAY)
    [after] = read_due(ws, clock, accounts)
    assert after.metrics_checks == 2 and after.metrics_note == NOT_FOUND
    assert after.likes == 3  # the last figures read are kept
    assert due_ids(ws, clock) == []


def test_an_on_demand_reading_does_not_move_the_schedule(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    delivery = published(ws, accounts)
    accounts["bank-vk"].counters["p1"] = PostCounters(likes=2)
    clock.advance(10 * 60)
    [now] = run(ws.growth.read_counters([delivery], accounts["bank-vk"], scheduled=False))
    assert (now.likes, now.metrics_checks, now.metrics_at) == (2, 0, clock())
    clock.advance(50 * 60)
    assert due_ids(ws, clock) == [delivery.id]  # the 1 h reading still comes


def test_only_published_deliveries_with_an_id_are_read(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    delivery = published(ws, accounts)  # bank-telegram's delivery stays scheduled
    waiting = scheduled(ws, in_seconds=60)
    clock.advance(2 * HOUR)
    assert due_ids(ws, clock) == [delivery.id]
    assert waiting.state is DeliveryState.SCHEDULED
    assert run(ws.growth.read_counters([waiting], accounts["bank-vk"])) == []
    assert accounts["bank-vk"].counter_calls == []  # nothing to ask the network


def test_a_failed_counter_reading_changes_nothing(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    delivery = published(ws, accounts)
    accounts["bank-vk"].counters_error = TransientError("HTTP 500")
    clock.advance(HOUR)
    with pytest.raises(TransientError):
        read_due(ws, clock, accounts)
    assert ws.planning.delivery(delivery.id) == delivery
