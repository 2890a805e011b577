"""A contest on a network that cannot see every comment says what it can miss: in the
contest's detail and in the new-contest dialog."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static

from smm_tui.config import Config
from smm_tui.core.contests import reach_caveat
from smm_tui.core.models import Contest, Platform
from smm_tui.screens.contests import ContestScreen, NewContestScreen
from tests.adapters.httpserver import running_server
from tests.conftest import FakeClock
from tests.fakes.base import FakeNetwork
from tests.ui.harness import running, wait_for


def _shown(screen: Screen[Any], selector: str) -> str:
    visual = screen.query_one(selector, Static).render()
    assert isinstance(visual, Content)
    return visual.plain


def test_only_telegram_and_x_have_a_caveat() -> None:
    missing = {p for p in Platform if reach_caveat(p)}
    assert missing == {Platform.TELEGRAM, Platform.X}


async def test_the_detail_warns_of_what_a_contest_can_miss(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, app, contests = run.pilot, run.app, run.workspace.contests
        await wait_for(pilot, lambda: len(run.feed.ids) > 3, "the demo queue")
        made = {
            platform: await contests.create(f"On {platform.value}", platform, "bank", "post-1")
            for platform in (Platform.X, Platform.VK)
        }
        await app.switch_mode("contests")
        await wait_for(pilot, lambda: isinstance(app.screen, ContestScreen), "contests")
        screen = app.screen

        async def detail_of(contest: Contest) -> str:
            listed = screen.query_one("#contest-list", OptionList)
            listed.highlighted = listed.get_option_index(contest.id)
            await wait_for(
                pilot, lambda: contest.name in _shown(screen, "#contest-info"), contest.name
            )
            return _shown(screen, "#contest-info")

        x_detail, vk_detail = await detail_of(made[Platform.X]), await detail_of(made[Platform.VK])

        caveat = reach_caveat(Platform.X)
        assert f"⚠ Reach: {caveat}." in x_detail.splitlines()
        assert "Reach:" not in vk_detail

        await pilot.press("n")  # a demo account sees every comment: no caveat
        await wait_for(pilot, lambda: isinstance(app.screen, NewContestScreen), "the dialog")
        assert not app.screen.query_one("#contest-caveat").display


@pytest.mark.parametrize("network", ["telegram", "x"])
async def test_the_new_contest_dialog_warns_for_an_account_on_a_network_of_limited_reach(
    tmp_path: Path, clock: FakeClock, network: str
) -> None:
    fake: type[FakeNetwork] = importlib.import_module(f"tests.fakes.{network}").FAKE
    for server in running_server():
        await _open_the_dialog_on(fake(server), tmp_path, clock)


async def _open_the_dialog_on(fake: FakeNetwork, tmp_path: Path, clock: FakeClock) -> None:
    config = Config(user="anna", accounts=(fake.account(),))
    sources = {"brand": fake.adapter(clock=clock)}
    async with running(tmp_path / "data", clock, config=config, sources=sources) as run:
        pilot, app = run.pilot, run.app
        await app.switch_mode("contests")
        await wait_for(pilot, lambda: isinstance(app.screen, ContestScreen), "contests")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewContestScreen), "the dialog")
        dialog = app.screen
        await wait_for(pilot, lambda: _shown(dialog, "#contest-caveat") != "", "the caveat")
        assert dialog.query_one("#contest-caveat").display
        assert _shown(dialog, "#contest-caveat") == f"⚠ Reach: {reach_caveat(fake.platform)}."
