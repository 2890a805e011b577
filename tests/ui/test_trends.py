"""The Trends pane: rising terms of the last hour or day, examples, `enter` to the feed."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from smm_tui.app import SmmApp
from smm_tui.screens.feed import FeedScreen
from smm_tui.screens.help import HelpScreen
from smm_tui.screens.trends import TrendsScreen
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.core.spike_kit import SPIKE_AT, flat_history, spike, store_all
from tests.ui.harness import feed_of, history_trends, running, wait_for


@pytest.fixture
def spiked(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store_all(store, [*flat_history(), *spike()])
    return data


def trends_of(app: SmmApp) -> TrendsScreen:
    screen = app.screen
    assert isinstance(screen, TrendsScreen)
    return screen


def rows(app: SmmApp) -> list[str]:
    widget = app.screen.query_one("#trends-list", OptionList)
    return [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]


def text_of(app: SmmApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_rising_terms_toggle_show_examples_and_open_the_feed(spiked: Path) -> None:
    async with running(spiked, FakeClock(SPIKE_AT), poll=False) as run:
        history_trends(run.workspace)
        app, pilot = run.app, run.pilot
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, TrendsScreen), "the trends pane")
        screen = trends_of(app)
        await wait_for(pilot, lambda: screen.trends is not None, "the terms counted")
        assert [row.split()[0] for row in rows(app)] == ["приложение", "работает"]
        top = screen.trends.terms[0] if screen.trends else None
        assert top is not None
        assert top.baseline < 0.1
        assert rows(app)[0].split()[1:4] == ["14", "<0.1", f"{top.score:.1f}"]
        examples = text_of(app, "#trends-examples")
        assert "'приложение' · 14 in the last hour" in examples
        assert "User 100013 (user100013): приложение не работает" in examples

        await pilot.press("j")
        assert "'работает' · 14" in text_of(app, "#trends-examples")
        await pilot.press("g")
        assert "'приложение'" in text_of(app, "#trends-examples")
        await pilot.press("G")
        assert "'работает'" in text_of(app, "#trends-examples")

        await pilot.press("w")
        await wait_for(pilot, lambda: screen.trends and screen.trends.window == "1d", "the day")
        assert "rising in the last day" in str(screen.query_one("#status-left", Static).render())

        await pilot.press("g", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen), "the feed")
        assert len(feed_of(app).ids) == 14
        assert all("приложение" in run.workspace.ctx.mention(i).text for i in feed_of(app).ids)


async def test_a_young_store_says_it_is_warming_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store_all(store, spike())
    async with running(data, FakeClock(SPIKE_AT), poll=False) as run:
        history_trends(run.workspace)
        app, pilot = run.app, run.pilot
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, TrendsScreen), "the trends pane")
        await wait_for(pilot, lambda: trends_of(app).trends is not None, "counted")
        assert rows(app) == []
        said = text_of(app, "#trends-examples")
        assert "Warming up: rising terms need 24 hours of history" in said
        assert "w shows the last day." in said


async def test_a_flat_stream_lists_nothing_and_help_lists_the_keys(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store_all(store, flat_history())
    clock = FakeClock(SPIKE_AT)
    async with running(data, clock, poll=False) as run:
        history_trends(run.workspace)
        app, pilot = run.app, run.pilot
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(app.screen, TrendsScreen), "the trends pane")
        await wait_for(pilot, lambda: trends_of(app).trends is not None, "counted")
        assert rows(app) == []
        assert "Nothing is rising: the last hour looks like the 7 days before it." in text_of(
            app, "#trends-examples"
        )
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        ids = {binding_id for _, _, binding_id in help_screen.rows}
        assert {"trends.window", "trends.open", "trends.first", "app.trends", "app.alerts"} <= ids
        assert any("score: -log10" in note for note in help_screen.notes)


def test_narrow_rows_drop_the_baseline_first() -> None:
    from smm_tui.core.trends import RisingTerm
    from smm_tui.screens.trends import heading, term_row

    term = RisingTerm("приложение", 14, 0.06, 12.3, (), (0, 1, 0, 14))
    wide, narrow = str(term_row(term, 78)), str(term_row(term, 58))
    assert "<0.1" in wide and "<0.1" not in narrow
    assert "baseline" in str(heading(78)) and "baseline" not in str(heading(58))
    assert len(wide) <= 78 and len(narrow) <= 58
