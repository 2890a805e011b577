"""Labelling by hand, in bulk: mark with space, L, one key."""

from __future__ import annotations

from pathlib import Path

from smm_tui.core.models import Intent, Sentiment
from smm_tui.screens.label import LabelScreen
from tests.conftest import FakeClock
from tests.ui.harness import running, settle, wait_for


async def test_marked_mentions_get_a_label_that_sticks(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, ws = run.pilot, run.workspace
        await wait_for(pilot, lambda: len(ws.feed.ids) >= 100, "the backlog")
        await pilot.press("g")
        first, second = ws.feed.ids[0], ws.feed.ids[1]
        await pilot.press("space", "space", "L")
        await wait_for(pilot, lambda: isinstance(run.app.screen, LabelScreen), "the picker")
        await pilot.press("n")
        await wait_for(
            pilot,
            lambda: all(ws.ctx.mention(i).sentiment is Sentiment.NEGATIVE for i in (first, second)),
            "both negative",
        )
        await settle(pilot)
        assert all("sentiment" in ws.ctx.mention(i).overridden for i in (first, second))

        await pilot.press("L", "s")  # no marks left: the mention under the cursor
        await settle(pilot)
        labelled = [i for i in ws.feed.ids[:3] if ws.ctx.mention(i).intent is Intent.SPAM]
        assert len(labelled) == 1
