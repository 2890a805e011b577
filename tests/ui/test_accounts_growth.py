"""The accounts screen (A) shows each account's followers: the count, its change over a day,
a week and a month ("—" when there is no reading that old), and the last 30 days as a line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from smm_tui.app import SmmApp
from smm_tui.core.models import Platform
from smm_tui.core.posts import FollowerReading
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from smm_tui.screens.accounts import AccountsScreen
from tests.conftest import T0, FakeClock
from tests.ui.harness import make_app, running, wait_for

Snap = Callable[..., bool]
DAY = timedelta(days=1)


def history() -> list[FollowerReading]:
    """A month of daily readings for bank-vk (growing) and bank-x (falling), one fresh reading
    of bank-tg, a steady bank-mastodon and nothing yet for bank-bsky."""
    readings = [
        FollowerReading("bank-vk", Platform.VK, T0 - n * DAY, 12_000 + (31 - n) * 40 + n % 3 * 15)
        for n in range(31, -1, -1)
    ]
    readings += [
        FollowerReading("bank-x", Platform.X, T0 - n * DAY, 8_000 - (31 - n) * 9)
        for n in range(31, -1, -1)
    ]
    readings.append(FollowerReading("bank-tg", Platform.TELEGRAM, T0 - timedelta(hours=1), 4_210))
    readings += [
        FollowerReading("bank-mastodon", Platform.MASTODON, T0 - n * DAY, 950) for n in (8, 2, 0)
    ]
    return readings


async def store(workspace: Workspace, readings: list[FollowerReading]) -> None:
    changes = ChangeSet()
    for reading in readings:
        changes.put(Collection.FOLLOWERS, reading.to_record())
    await workspace.ctx.commit(changes)


def body(app: Any) -> str:
    return str(app.screen.query_one("#accounts-text", Static).render())


def line_after(text: str, account: str) -> str:
    lines = text.splitlines()
    return next(lines[i + 1] for i, line in enumerate(lines) if f" {account} " in line)


async def test_counts_and_changes_and_a_dash_for_what_is_unknown(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        await store(run.workspace, history())
        await run.pilot.press("A")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, AccountsScreen), "accounts")
        await wait_for(run.pilot, lambda: "followers" in body(run.app), "growth")
        text = body(run.app)
        vk = line_after(text, "bank-vk")
        # 1d: 13,240 now against 13,215 a day ago (wiggle); 7d and 30d against older days.
        assert vk.split("  ")[1:5] == ["13,240 followers", "1d +25", "7d +265", "30d +1,200"]
        assert vk.rstrip().endswith("▇█")  # the sparkline ends on the newest, highest count
        x = line_after(text, "bank-x")
        assert "7,721 followers  1d -9  7d -63  30d -270" in x
        assert "4,210 followers  1d —  7d —  30d —" in line_after(text, "bank-tg")
        assert "950 followers  1d ±0  7d ±0  30d —" in line_after(text, "bank-mastodon")
        bsky = line_after(text, "bank-bsky")
        assert bsky.strip() == "— followers  1d —  7d —  30d —"
        assert " 0" not in bsky and "▁" not in line_after(text, "bank-tg")


async def test_a_new_reading_shows_while_the_screen_is_open(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        await run.pilot.press("A")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, AccountsScreen), "accounts")
        assert "followers" not in body(run.app)  # nothing read yet: the screen is as it was
        await store(run.workspace, [FollowerReading("bank-vk", Platform.VK, T0, 1_000)])
        await wait_for(run.pilot, lambda: "1,000 followers" in body(run.app), "the reading")
        assert "— followers" in line_after(body(run.app), "bank-x")


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[SmmApp]:
    built, close = make_app(tmp_path / "data", clock, poll=False)
    yield built
    close()


def test_accounts_growth_snapshot(snap_compare: Snap, app: SmmApp) -> None:
    async def with_readings(pilot: Pilot[Any]) -> None:
        await store(app.workspace, history())
        await pilot.press("A")
        await wait_for(pilot, lambda: "followers" in body(app), "growth")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=with_readings)
