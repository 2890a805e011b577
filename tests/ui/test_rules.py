"""Rules from the config act on arriving mentions, and the detail view says which fired."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from textual.widgets import Static

from smm_tui.config import RuleConfig, demo_config
from smm_tui.core.models import Status
from smm_tui.screens.detail import MentionScreen
from tests.conftest import FakeClock, make_mention
from tests.ui.harness import running, wait_for


async def test_a_rule_routes_a_fraud_report_and_the_detail_says_so(
    tmp_path: Path, clock: FakeClock
) -> None:
    rule = RuleConfig("fraud to Fraud", '"мошен"', ("fraud",), None, "Fraud", False, 20)
    config = dataclasses.replace(demo_config("anna"), rules=(rule,))
    async with running(tmp_path / "data", clock, config=config, poll=False) as run:
        ws = run.workspace
        report = make_mention(1, text="Мошенники звонят от имени банка!", created_at=clock())
        await ws.ingest.ingest([report])
        stored = ws.ctx.mention(report.id)
        assert stored.status is Status.TICKETED and "fraud" in stored.tags
        assert ws.tickets.get(stored.ticket_id or "").department == "Fraud"

        await run.pilot.press("o")  # ticketed mentions are not in the open queue
        await wait_for(run.pilot, lambda: report.id in list(run.feed.ids), "the mention")
        await run.pilot.press("g", "enter")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, MentionScreen), "detail")
        why = run.app.screen.query_one("#detail-why", Static)
        await wait_for(run.pilot, lambda: "Rules fraud to Fraud" in str(why.render()), "why")
