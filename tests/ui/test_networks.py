"""The app on real adapters: the live feed and replies through each network's local server,
and the health strip when an account is rate-limited or its token expired."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from smm_tui.adapters.base import Adapter
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.app import SmmApp
from smm_tui.config import Config, demo_config
from smm_tui.core.models import Platform, ReplyState
from smm_tui.core.network import AuthError, MentionPage, RateBudget, RateLimited
from smm_tui.core.polling import HealthState, PollPolicy
from smm_tui.core.repository import Collection
from smm_tui.runtime import build_sources
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.widgets.health_strip import HealthStrip
from tests.adapters.httpserver import running_server
from tests.adapters.test_contract import NETWORKS
from tests.conftest import T0, FakeClock
from tests.fakes.base import FakeNetwork, Fault
from tests.ui.harness import feed_of, make_app, running, settle, wait_for

Snap = Callable[..., bool]


@pytest.fixture(params=NETWORKS)
def fake(request: pytest.FixtureRequest) -> Iterator[FakeNetwork]:
    module = importlib.import_module(f"tests.fakes.{request.param}")
    for server in running_server():
        yield module.FAKE(server)


async def test_live_feed_and_a_reply_through_the_network(
    tmp_path: Path, clock: FakeClock, fake: FakeNetwork
) -> None:
    config = Config(user="anna", accounts=(fake.account(),))
    fast = {fake.platform: PollPolicy(interval=0.05)}
    async with running(
        tmp_path / "data", clock, config=config, env=fake.env(), policies=fast
    ) as run:
        ws = run.workspace
        fake.add_mention("my card is blocked")

        def arrived() -> bool:
            return any("card is blocked" in m.text for m in run.feed.mentions(run.feed.ids))

        await wait_for(run.pilot, arrived, "the live mention")
        target = next(i for i in run.feed.ids if "card is blocked" in ws.ctx.mention(i).text)
        await run.pilot.press("g", *["j"] * (run.feed.index_of(target) or 0), "r")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ComposerScreen), "composer")
        run.app.screen.query_one(TextArea).text = "Unblocked, sorry for the trouble"
        await run.pilot.press("ctrl+s")

        await wait_for(run.pilot, lambda: len(fake.published) == 1, "the reply published")
        await wait_for(
            run.pilot,
            lambda: [r.state for r in ws.outbox.replies_to(target)] == [ReplyState.SENT],
            "the reply confirmed",
        )
        assert fake.published[0].in_reply_to == ws.ctx.mention(target).external_id
        assert ws.ctx.mention(target).first_response_at is not None


EXPIRED = "vk account 'bank-vk': token refused or expired (error 5): set BANK_VK_TOKEN"


class Expired(DemoAdapter):
    """A demo account whose token was revoked."""

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        raise AuthError(EXPIRED)


class Limited(DemoAdapter):
    """A demo account that spent its rate budget until ``until``."""

    until = T0 + timedelta(minutes=14)

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        raise RateLimited("x account 'bank-x': rate limited", self.until)

    def rate_budget(self) -> RateBudget | None:
        return RateBudget(0, 180, self.until)


def troubled_app(tmp_path: Path, clock: FakeClock) -> tuple[SmmApp, Callable[[], None]]:
    config = demo_config("alice")
    sources, _ = build_sources(config, clock=clock)
    # Held as Adapter, which declares ``poll_interval: float | None`` as AccountSource does;
    # DemoAdapter's ``poll_interval = 2.0`` makes mypy see the subclasses' attribute as float.
    expired: Adapter = Expired("bank-vk", simulate=Platform.VK, seed=1, clock=clock)
    limited: Adapter = Limited("bank-x", simulate=Platform.X, seed=2, clock=clock)
    sources["bank-vk"], sources["bank-x"] = expired, limited
    steady = {platform: PollPolicy(jitter=0) for platform in Platform}
    return make_app(tmp_path / "data", clock, config=config, sources=sources, policies=steady)


async def all_polled(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, SmmApp)
    await wait_for(
        pilot,
        lambda: all(h.state is not HealthState.STARTING for h in app.account_health()),
        "every account polled",
    )
    repo = app.workspace.repo
    # Three working accounts, 30 each; spam and contest entries among them are closed at once.
    await wait_for(pilot, lambda: repo.count(Collection.MENTIONS) >= 90, "the demo backlog")
    await wait_for(
        pilot,
        lambda: len(feed_of(app).ids) == sum(1 for _ in repo.open_mentions()),
        "the queue showing the open ones",
    )
    await pilot.press("g")  # the cursor follows a mention: put it on the newest
    app.show_health()
    await pilot.pause()


async def test_the_strip_states_an_expired_token_and_a_rate_limit(
    tmp_path: Path, clock: FakeClock
) -> None:
    app, close = troubled_app(tmp_path, clock)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await all_polled(pilot)
            text = str(app.screen.query_one(HealthStrip).render())
            assert "✖ bank-vk token!" in text
            assert "▲ bank-x limit 14m" in text
            assert "3 ok, last 09:00" in text
            assert text.splitlines()[-1] == EXPIRED
            health = {h.account: h for h in app.account_health()}
            assert health["bank-x"].budget == RateBudget(0, 180, Limited.until)
            await pilot.press("A")
            body = str(app.screen.query_one("#accounts-text").render())
            assert "bank-x" in body and "rate limited" in body and "0/180" in body
            assert "set BANK_VK_TOKEN" in body
    finally:
        close()


async def test_with_no_accounts_the_strip_says_so_for_as_long_as_it_lasts(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(
        tmp_path / "data", clock, config=Config(user="anna"), sources={}, notifications=True
    ) as run:
        strip = run.app.screen.query_one(HealthStrip)
        assert strip.display
        assert "no accounts configured" in str(strip.render())
        assert not run.app.screen.query("Toast")  # a state, not a passing toast


def test_health_strip_snapshot(snap_compare: Snap, tmp_path: Path, clock: FakeClock) -> None:
    app, close = troubled_app(tmp_path, clock)
    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=all_polled)
    finally:
        close()


def test_accounts_screen_snapshot(snap_compare: Snap, tmp_path: Path, clock: FakeClock) -> None:
    app, close = troubled_app(tmp_path, clock)

    async def open_accounts(pilot: Pilot[Any]) -> None:
        await all_polled(pilot)
        await pilot.press("A")
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=open_accounts)
    finally:
        close()


@pytest.fixture
def telegram() -> Iterator[FakeNetwork]:
    module = importlib.import_module("tests.fakes.telegram")
    for server in running_server():
        yield module.FAKE(server)


async def test_a_reply_that_may_be_in_a_telegram_chat_is_resent_only_when_confirmed(
    tmp_path: Path, clock: FakeClock, telegram: FakeNetwork
) -> None:
    fake = telegram
    config = Config(user="anna", accounts=(fake.account(),))
    adapter = fake.adapter(clock=clock)  # short timeouts, so the stall ends the POST quickly
    fast = {fake.platform: PollPolicy(interval=0.05)}
    async with running(
        tmp_path / "data", clock, config=config, sources={"brand": adapter}, policies=fast
    ) as run:
        ws = run.workspace
        ws.outbox.retry_delays = (0.0, 0.0)
        fake.add_mention("where is my refund?")
        await wait_for(run.pilot, lambda: len(run.feed.ids) == 1, "the mention")
        (target,) = run.feed.ids
        fake.fail("reply", Fault.COMMIT_THEN_STALL)
        await run.pilot.press("g", "enter")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, MentionScreen), "detail")
        reply_id = (await ws.outbox.queue(target, "Refunded today")).id
        run.app.send_reply(reply_id)

        def state() -> tuple[ReplyState, bool]:
            current = ws.outbox.reply(reply_id)
            return current.state, ws.outbox.needs_force(current)

        await wait_for(run.pilot, lambda: state()[0] is ReplyState.FAILED, "the stall")
        await run.pilot.press("R")  # looks for it, cannot tell: a person must decide
        await wait_for(run.pilot, lambda: state() == (ReplyState.FAILED, True), "unverifiable")
        assert len(fake.published) == 1

        await run.pilot.press("R")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ConfirmScreen), "a question")
        await run.pilot.press("n")
        await settle(run.pilot)
        assert len(fake.published) == 1
        await run.pilot.press("R")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ConfirmScreen), "again")
        await run.pilot.press("y")
        await wait_for(run.pilot, lambda: state()[0] is ReplyState.SENT, "sent on request")
        assert len(fake.published) == 2
    await adapter.aclose()
    await fake.aclose()
