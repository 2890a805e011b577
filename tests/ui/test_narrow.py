"""At 60x20 and 80x24 nothing the user needs is cut, wrapped away or hidden."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.content import Content
from textual.widgets import Input, Label, Static

from smm_tui.core import report
from smm_tui.core.cards import card_title
from smm_tui.core.models import Platform, Sentiment, Ticket, TicketColumn
from smm_tui.core.polling import AccountHealth, HealthState
from smm_tui.core.query import QueryError
from smm_tui.screens.accounts import BUDGET_NOTE, accounts_content
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.report import report_content
from smm_tui.screens.tickets import TicketEditScreen, column_title, ticket_prompt
from smm_tui.widgets.render import query_error_content
from smm_tui.widgets.status_bar import StatusBar
from tests.conftest import FakeClock
from tests.ui.harness import running, wait_for

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
OURS = ["bank-vk", "bank-x", "bank-mastodon", "bank-bsky"]


def _widest(content: Content) -> int:
    return max(len(line) for line in content.plain.split("\n"))


def test_a_card_title_leaves_out_our_own_handle() -> None:
    assert card_title("@bank_x Card payments failing", OURS) == "Card payments failing"
    assert card_title("@bank_mastodon@mastodon.social, За что?", OURS) == "За что?"
    assert card_title("@anna @bank_x hi", OURS) == "@anna @bank_x hi", "not ours: kept"
    assert card_title("@bank_x", OURS) == "@bank_x", "nothing else to show"
    ticket = Ticket("t1", "m1", "@bank_x Card payments failing", NOW, NOW)
    assert ticket_prompt(ticket, OURS).plain.startswith("Card payments failing\n")


def test_column_titles_fit_a_narrow_board() -> None:
    assert column_title(TicketColumn.WAITING, 2, 30) == "Waiting on department 2"
    for column in TicketColumn:
        assert len(column_title(column, 12, 12)) <= 12


def test_the_report_fits_60_columns() -> None:
    row = report.Row("network", "mastodon-long-name", mentions=1234, times=[60.0, 600.0])
    row.tone = {Sentiment.NEGATIVE: 3}
    assert _widest(report_content([row], 7, 58)) <= 58
    wide = report_content([row], 7, 78)
    assert "− / = / +" in wide.plain and _widest(wide) <= 78


def test_accounts_say_what_an_unknown_budget_is() -> None:
    health = AccountHealth("bank-mastodon", Platform.MASTODON, HealthState.OK, last_success=NOW)
    wide = accounts_content([health], NOW)
    assert "?" not in wide.plain and "unknown" in wide.plain and BUDGET_NOTE in wide.plain
    narrow = accounts_content([health], NOW, 52)
    assert _widest(Content(narrow.plain.split("\n\n")[0])) <= 52


def test_a_query_error_gives_its_message_a_line_of_its_own() -> None:
    error = QueryError("platform: unknown value 'vkk'", 9, "one of: vk, telegram, x")
    lines = query_error_content("platform:vkk", error).plain.split("\n")
    assert lines == ["✖ platform:vkk", str(error)]


async def test_long_texts_wrap_in_dialogs_and_the_header_at_60x20(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, size=(60, 20)) as run:
        pilot, app = run.pilot, run.app
        await wait_for(pilot, lambda: len(run.feed.ids) >= 10, "the queue")
        await pilot.press("slash")
        box = app.screen.query_one("#feed-filter", Input)
        box.value = "platform:vk sentiment:neg"
        await pilot.press("enter")
        bar = app.screen.query_one(StatusBar)
        left = bar.query_one("#status-left", Static)
        await wait_for(pilot, lambda: "sentiment:neg" in str(left.render()), "the filter")
        await pilot.pause()
        assert left.size.height == 2, "a long filter takes a second line, not cut"
        assert "Tickets" not in str(bar.query_one("#status-tabs", Static).render())

        question = "Draw 3 winners of “Store vouchers giveaway” from 19 entries? The d" * 2
        await app.push_screen(ConfirmScreen(question))
        label = app.screen.query(Label).first()
        await pilot.pause()
        assert label.size.height >= 2 and label.size.width <= 60
        await pilot.press("n")

        title = "Списали 22 260 ₽ два раза за одну покупку, верните деньги срочно"
        edit = TicketEditScreen(Ticket("t1", run.feed.ids[0], title, NOW, NOW))
        await app.push_screen(edit)
        await pilot.pause()
        heading = edit.query_one("#edit-title", Label)
        assert heading.size.height >= 2, (title, "the title wraps in the dialog")
