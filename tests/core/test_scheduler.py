"""The publishing loop: due posts out on time, the start notice, and the numbers read."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from smm_tui.core.network import AuthError, PostCounters, TransientError
from smm_tui.core.planning import PostDraft
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Delivery, DeliveryState
from smm_tui.core.scheduler import MAX_WAIT, NUMBERS_EVERY, PublishingEngine
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.core.publishing_kit import PostSource, publishing_workspace, scheduled, sources
from tests.core.services_kit import run

#: A safety net only: every wait below is on a condition the fake clock brings about.
DEADLINE = 30.0


@pytest.fixture
def accounts(clock: FakeClock) -> dict[str, PostSource]:
    return sources(clock, Platform.VK, Platform.X)


@pytest.fixture
def ws(store: Store, clock: FakeClock, accounts: dict[str, PostSource]) -> Workspace:
    return publishing_workspace(store, clock, accounts)


def engine(ws: Workspace) -> PublishingEngine:
    return ws.publishing_engine()


def post(ws: Workspace, text: str, *names: str, in_seconds: float = 0) -> list[Delivery]:
    at = ws.ctx.clock() + timedelta(seconds=in_seconds)
    created = run(ws.planning.create(PostDraft(text, names or tuple(ws.sources)), at))
    return ws.planning.deliveries(created.id)


# -- publish_due -----------------------------------------------------------------------------------


def test_publish_due_sends_every_accounts_due_deliveries(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    post(ws, "First")
    clock.advance(1)
    post(ws, "Second", "bank-vk")
    post(ws, "Not yet", in_seconds=60)
    settled = run(engine(ws).publish_due())
    assert sorted((d.account, d.text, d.state) for d in settled) == [
        ("bank-vk", "First", DeliveryState.PUBLISHED),
        ("bank-vk", "Second", DeliveryState.PUBLISHED),
        ("bank-x", "First", DeliveryState.PUBLISHED),
    ]
    assert [p.text for p in accounts["bank-vk"].posts] == ["First", "Second"]  # in order
    assert [p.text for p in accounts["bank-x"].posts] == ["First"]
    assert run(engine(ws).publish_due()) == []


def test_an_account_missing_from_the_sources_is_skipped_and_stays_scheduled(
    store: Store, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    ws = publishing_workspace(store, clock, accounts)
    post(ws, "Hello")
    only_x = publishing_workspace(store, clock, {"bank-x": accounts["bank-x"]})
    settled = run(engine(only_x).publish_due())
    assert [d.account for d in settled] == ["bank-x"]
    states = {d.account: d.state for d in ws.planning.deliveries()}
    assert states == {"bank-vk": DeliveryState.SCHEDULED, "bank-x": DeliveryState.PUBLISHED}
    assert accounts["bank-vk"].publish_calls == 0


def test_a_failing_account_does_not_stop_the_others(
    ws: Workspace, accounts: dict[str, PostSource]
) -> None:
    post(ws, "Hello")
    accounts["bank-vk"].failures = [RuntimeError("a bug in the adapter")]
    settled = {d.account: d for d in run(engine(ws).publish_due())}
    assert settled["bank-x"].state is DeliveryState.PUBLISHED
    assert settled["bank-vk"].state is DeliveryState.FAILED and settled["bank-vk"].uncertain


# -- the start notice ------------------------------------------------------------------------------


def test_no_notice_when_nothing_was_missed(ws: Workspace, clock: FakeClock) -> None:
    post(ws, "Soon", in_seconds=60)
    assert run(engine(ws).start_notice()) is None
    clock.advance(60 + 29)
    assert run(engine(ws).start_notice()) is None  # due within the last 30 s: on time


def test_notice_for_posts_missed_while_nothing_ran(ws: Workspace, clock: FakeClock) -> None:
    post(ws, "One", "bank-vk", in_seconds=60)
    clock.advance(3600)
    assert run(engine(ws).start_notice()) == (
        "1 post fell due while smm-tui was not running: publishing now"
    )
    post(ws, "Two", "bank-vk", in_seconds=0)
    clock.advance(3600)
    assert run(engine(ws).start_notice()) == (
        "2 posts fell due while smm-tui was not running: publishing now"
    )


def test_notice_for_held_posts(ws: Workspace, clock: FakeClock) -> None:
    post(ws, "Old", "bank-vk")
    clock.advance(7 * 3600)
    assert run(engine(ws).start_notice()) == (
        "1 post more than 6 h late waits for you to confirm (Content pane, p)"
    )
    assert run(engine(ws).start_notice()) is None  # held once; it waits quietly after
    assert run(engine(ws).publish_due()) == []


def test_notice_for_both_missed_and_held_posts(ws: Workspace, clock: FakeClock) -> None:
    post(ws, "Old")  # on both accounts
    clock.advance(3 * 3600)
    post(ws, "Missed", "bank-vk")
    clock.advance(4 * 3600)
    assert run(engine(ws).start_notice()) == (
        "1 post fell due while smm-tui was not running: publishing now; "
        "2 posts more than 6 h late wait for you to confirm (Content pane, p)"
    )
    assert [d.text for d in run(engine(ws).publish_due())] == ["Missed"]


# -- read_numbers ----------------------------------------------------------------------------------


def test_read_numbers_reads_due_counts_and_counters(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    post(ws, "Hello", "bank-vk")
    run(engine(ws).publish_due())
    accounts["bank-vk"].counters["p1"] = PostCounters(likes=4)
    report = run(engine(ws).read_numbers())
    assert (report.followers, report.counters, report.errors) == (["bank-vk", "bank-x"], 0, [])
    assert run(engine(ws).read_numbers()).followers == []  # not due again yet

    clock.advance(3600)
    accounts["bank-vk"].followers = 1010
    report = run(engine(ws).read_numbers())
    assert (report.followers, report.counters) == (["bank-vk", "bank-x"], 1)
    assert [r.followers for r in ws.growth.readings("bank-vk")] == [1000, 1010]
    assert ws.planning.deliveries()[0].likes == 4


def test_read_numbers_reports_errors_as_lines(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    post(ws, "Hello")
    run(engine(ws).publish_due())
    clock.advance(3600)
    accounts["bank-vk"].follower_error = AuthError("token expired\nre-issue it")
    accounts["bank-vk"].counters_error = TransientError("HTTP 503")
    accounts["bank-x"].counters_error = KeyError("https://api.example/?token=SECRET")
    report = run(engine(ws).read_numbers())
    assert report.followers == ["bank-x"]
    assert report.errors == [
        "bank-vk: followers not read: token expired re-issue it",
        "bank-vk: counters not read: HTTP 503",
        "bank-x: counters not read: unexpected error (KeyError)",
    ]
    assert all("\n" not in line for line in report.errors)


def test_read_numbers_skips_accounts_missing_from_the_sources(
    store: Store, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    ws = publishing_workspace(store, clock, accounts)
    post(ws, "Hello")
    run(engine(ws).publish_due())
    clock.advance(3600)
    only_x = publishing_workspace(store, clock, {"bank-x": accounts["bank-x"]})
    report = run(engine(only_x).read_numbers())
    assert (report.followers, report.counters, report.errors) == (["bank-x"], 1, [])
    assert accounts["bank-vk"].counter_calls == [] and accounts["bank-vk"].followers == 1000


# -- run -------------------------------------------------------------------------------------------


class FakeSleep:
    """Sleeps that move the fake clock instead of waiting; the numbers' long beat never ends."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        if seconds >= NUMBERS_EVERY:
            await asyncio.Event().wait()  # until the test cancels the loop
        self.waits.append(seconds)
        self.clock.advance(seconds)
        await asyncio.sleep(0)


async def run_until(engine: PublishingEngine, settled: list[Delivery], count: int) -> list[str]:
    """Run the loop until ``count`` deliveries settled; the notices it gave."""
    notices: list[str] = []
    task = asyncio.create_task(engine.run(settled.append, notices.append))
    try:
        async with asyncio.timeout(DEADLINE):
            while len(settled) < count:
                await asyncio.sleep(0.001)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    return notices


def test_run_publishes_a_post_a_second_ahead_on_time(
    ws: Workspace, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    [delivery] = post(ws, "On time", "bank-vk", in_seconds=1)
    sleep = FakeSleep(clock)
    loop = PublishingEngine(ws.publisher, ws.growth, ws.sources, clock, sleep=sleep)
    settled: list[Delivery] = []
    notices = asyncio.run(run_until(loop, settled, 1))

    assert [(d.id, d.state) for d in settled] == [(delivery.id, DeliveryState.PUBLISHED)]
    [published] = accounts["bank-vk"].posts
    assert published.at == delivery.scheduled_at  # not before, and not a moment later
    assert sleep.waits[0] == 1.0 and notices == []
    assert {r.account for r in ws.growth.readings()} == {"bank-vk", "bank-x"}


def test_run_does_not_spin_on_a_post_it_cannot_send(
    store: Store, clock: FakeClock, accounts: dict[str, PostSource]
) -> None:
    ws = publishing_workspace(store, clock, accounts)
    post(ws, "Stuck", "bank-vk")
    [later] = post(ws, "Later", "bank-x", in_seconds=5)
    only_x = publishing_workspace(store, clock, {"bank-x": accounts["bank-x"]})
    sleep = FakeSleep(clock)
    loop = PublishingEngine(only_x.publisher, only_x.growth, only_x.sources, clock, sleep=sleep)
    settled: list[Delivery] = []
    asyncio.run(run_until(loop, settled, 1))
    assert [d.id for d in settled] == [later.id]
    assert accounts["bank-x"].posts[0].at == later.scheduled_at
    assert 0.0 not in sleep.waits and all(w <= MAX_WAIT for w in sleep.waits)


def test_run_gives_the_start_notice(ws: Workspace, clock: FakeClock) -> None:
    scheduled(ws, in_seconds=0, text="Missed")
    clock.advance(3600)
    loop = PublishingEngine(ws.publisher, ws.growth, ws.sources, clock, sleep=FakeSleep(clock))
    settled: list[Delivery] = []
    notices = asyncio.run(run_until(loop, settled, 2))
    assert notices == ["2 posts fell due while smm-tui was not running: publishing now"]
    assert {d.state for d in settled} == {DeliveryState.PUBLISHED}
