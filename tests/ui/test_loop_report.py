"""The report pane's "Closing the loop" section: counted with the rest, fitted to the pane."""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets import Static

from smm_tui.core.handoffs import Handoff, HandoffState
from smm_tui.core.loop_report import LoopRow
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.screens.report import ReportScreen, loop_content
from tests.conftest import T0, FakeClock, make_mention
from tests.ui.harness import running, wait_for


def _widest(content: Content) -> int:
    return max(len(line) for line in content.plain.split("\n"))


def test_the_section_fits_60_and_80_columns_and_says_when_there_is_nothing() -> None:
    busy = LoopRow("mastodon-long-name", opened=12345, to_resolution=[600_000.0])
    rows = [busy, LoopRow("total", opened=12345, to_resolution=[600_000.0])]
    assert _widest(loop_content(rows, 7, 58)) <= 58
    assert _widest(loop_content(rows, 7, 78)) <= 78
    assert "10000.0h" in loop_content(rows, 7, 58).plain
    assert loop_content([], 30).plain == "Closing the loop: no tickets opened in the last 30 days."


def test_a_hostile_network_name_is_text_not_markup() -> None:
    rows = [LoopRow("[@click=app.quit]x[/]"), LoopRow("total")]
    lines = loop_content(rows, 7).plain.split("\n")
    assert lines[2].startswith("[@click=app.qui")


async def test_the_pane_shows_what_became_of_the_tickets(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        ws, pilot = run.workspace, run.pilot
        first, second = make_mention(1, created_at=T0), make_mention(2, created_at=T0)
        await ws.ingest.ingest([first, second])
        closed = await ws.tickets.open([first.id], department="Cards")
        waiting = await ws.tickets.open([second.id], department="Cards")
        sent = Handoff(
            "h1", waiting.id, "T-2", "Cards", "s", "t", {}, T0, "anna", state=HandoffState.SENT
        )
        await ws.ctx.commit(ChangeSet().put(Collection.HANDOFFS, sent.to_record()))
        clock.advance(45 * 60)
        await ws.tickets.close(closed.id, reason="called the customer")
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(run.app.screen, ReportScreen), "the report")
        table = run.app.screen.query_one("#report-table", Static)
        await wait_for(pilot, lambda: "Closing the loop" in str(table.render()), "the section")
        lines = str(table.render()).split("\n")
        tickets = lines.index(next(line for line in lines if line.startswith("Tickets")))
        assert lines[tickets + 1].split() == ["vk", "2", "1", "1", "0", "0"]
        assert lines[tickets + 2].split() == ["total", "2", "1", "1", "0", "0"]
        reviews = lines.index(next(line for line in lines if line.startswith("Reviews")))
        assert lines[reviews + 1].split() == ["vk", "0", "0", "0", "45.0m", "—"]
        assert max(map(len, lines)) <= 80
