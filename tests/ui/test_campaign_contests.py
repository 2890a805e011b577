"""``C`` in the contest pane links the selected contest to the campaign named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import Input, Label

from smm_tui.core.campaigns import CampaignService
from smm_tui.core.models import Platform
from smm_tui.screens.contests import ContestScreen
from smm_tui.screens.line import LineScreen
from tests.conftest import FakeClock
from tests.ui.harness import running, wait_for
from tests.ui.test_campaigns import FIRST_DAY


async def test_C_on_a_contest_links_it_to_the_campaign_named(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        ws, pilot, app = run.workspace, run.pilot, run.app
        service = CampaignService(ws.ctx)
        await service.create("Spring Sale", FIRST_DAY, date(2026, 11, 30))
        await service.create("Winter", date(2026, 12, 1), date(2026, 12, 31))
        contest = await ws.contests.create("Giveaway", Platform.VK, "bank-vk", "post-contest")
        await app.switch_mode("contests")
        await wait_for(pilot, lambda: isinstance(app.screen, ContestScreen), "contests")
        contests = app.screen
        assert isinstance(contests, ContestScreen)
        await wait_for(pilot, lambda: contests.selected() == contest.id, "the contest")
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, LineScreen), "the dialog")
        hint = str(app.screen.query_one(".hint", Label).render())
        assert "Spring Sale, Winter" in hint
        app.screen.query_one(Input).value = "spring sale"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is contests, "back to the contest")
        await wait_for(
            pilot, lambda: service.get("Spring Sale").contest_ids == (contest.id,), "the link"
        )
        assert service.get("Winter").contest_ids == ()
