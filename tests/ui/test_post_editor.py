"""The post editor and the schedule dialog: fields, live lengths, saving, problems, leaving."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, SelectionList, Static, TextArea

from smm_tui.app import SmmApp
from smm_tui.core.planning import PostDraft
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.post_editor import EditorResult, PostEditorScreen
from smm_tui.screens.schedule import ScheduleScreen, resolve
from tests.conftest import T0, FakeClock
from tests.ui.harness import Running, make_app, running, settle, wait_for

Snap = Callable[..., bool]
#: What the editors opened in a test were closed with, in order.
Results = list[EditorResult | None]
ALL = ("bank-vk", "bank-tg", "bank-mastodon", "bank-bsky", "bank-x")


@asynccontextmanager
async def editor_open(
    tmp_path: Path, clock: FakeClock, *accounts: str
) -> AsyncIterator[tuple[Running, PostEditorScreen, Results]]:
    """The app (not polling: nothing moves behind the dialog) with a new post's editor open
    on it, ``accounts`` ticked."""
    results: Results = []
    screen = PostEditorScreen(accounts=accounts or None)
    async with running(tmp_path / "data", clock, poll=False) as run:
        await open_on(run.pilot, screen, results.append)
        yield run, screen, results


async def open_on(
    pilot: Pilot[Any], screen: PostEditorScreen, done: Callable[[EditorResult | None], None]
) -> None:
    pilot.app.push_screen(screen, done)
    await wait_for(pilot, lambda: screen.is_current and pilot.app.focused is not None, "editor")
    await pilot.pause()


def text_of(screen: PostEditorScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_the_fields_and_a_length_for_every_account(tmp_path: Path, clock: FakeClock) -> None:
    async with editor_open(tmp_path, clock, "bank-vk", "bank-x") as (run, editor, _):
        listed = editor.query_one(SelectionList)
        assert listed.option_count == 5 and set(listed.selected) == {"bank-vk", "bank-x"}
        menu = editor.query_one("#post-version", Select).query_one(OptionList)
        prompts = [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]
        assert prompts == ["Main text (every network)", "VK version", "X version"]
        assert "Images are not supported yet." in str(editor.query("Label").nodes[-1].render())
        await run.pilot.press(*"Hello")
        await wait_for(run.pilot, lambda: "5/280" in text_of(editor, "#post-lengths"), "gauge")
        lengths = text_of(editor, "#post-lengths").splitlines()
        assert [line.split()[:3] for line in lengths] == [
            ["bank-vk", "VK", "5/4096"],
            ["bank-x", "X", "5/280"],
        ]


async def test_the_gauge_goes_over_as_x_counts(tmp_path: Path, clock: FakeClock) -> None:
    async with editor_open(tmp_path, clock, "bank-vk", "bank-x") as (run, editor, results):
        area = editor.query_one(TextArea)
        area.text = "漢" * 140  # a CJK character weighs 2 on X
        await wait_for(run.pilot, lambda: "280/280" in text_of(editor, "#post-lengths"), "full")
        assert "over" not in text_of(editor, "#post-lengths")
        area.text = "漢" * 141
        await wait_for(run.pilot, lambda: "282/280" in text_of(editor, "#post-lengths"), "over")
        x_line = text_of(editor, "#post-lengths").splitlines()[1]
        assert x_line.split() == ["bank-x", "X", "282/280", "2", "over"]
        assert "141/4096" in text_of(editor, "#post-lengths")
        await run.pilot.press("ctrl+s")
        await run.pilot.pause()
        problem = editor.query_one("#post-problem", Static)
        assert problem.display
        assert str(problem.render()) == (
            "✖ too long for X (bank-x): 282 characters, the limit is 280"
        )
        assert editor.is_current and results == []
        await run.pilot.press("backspace")  # writing again clears the problem
        await wait_for(run.pilot, lambda: not problem.display, "the problem gone")


async def test_a_version_per_network_replaces_the_main_text_there(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with editor_open(tmp_path, clock, "bank-vk", "bank-x") as (run, editor, results):
        await run.pilot.press(*"Long news for everyone")
        editor.query_one("#post-version", Select).value = "x"
        area = editor.query_one(TextArea)
        await wait_for(run.pilot, lambda: area.text == "", "the empty X version")
        assert "X gets the main text" in str(area.placeholder)
        await run.pilot.press(*"Short")
        await wait_for(run.pilot, lambda: "5/280" in text_of(editor, "#post-lengths"), "X count")
        assert "22/4096" in text_of(editor, "#post-lengths")
        await run.pilot.press("shift+tab", "shift+tab")  # back to the campaign
        assert isinstance(run.app.focused, Input)
        await run.pilot.press(*"launch", "ctrl+s")
        await wait_for(run.pilot, lambda: results, "saved")
        assert results == [
            EditorResult(
                PostDraft(
                    "Long news for everyone", ("bank-vk", "bank-x"), {"x": "Short"}, "launch"
                ),
                None,
            )
        ]


async def test_saved_as_a_draft(tmp_path: Path, clock: FakeClock) -> None:
    async with editor_open(tmp_path, clock) as (run, editor, results):
        assert isinstance(run.app.focused, SelectionList)  # no account yet: choose first
        await run.pilot.press("ctrl+s")
        assert "no account chosen" in text_of(editor, "#post-problem")
        await run.pilot.press("j", "space", "tab", "tab", "tab", *"News", "ctrl+s")
        await wait_for(run.pilot, lambda: results, "saved")
        assert results == [EditorResult(PostDraft("News", ("bank-tg",)), None)]
        assert not editor.is_attached


async def test_scheduled_through_the_schedule_dialog(tmp_path: Path, clock: FakeClock) -> None:
    async with editor_open(tmp_path, clock, "bank-tg") as (run, editor, results):
        await run.pilot.press("ctrl+t")
        assert isinstance(run.app.screen, PostEditorScreen)  # an empty text is refused first
        assert "the text for bank-tg is empty" in text_of(editor, "#post-problem")
        await run.pilot.press(*"Tomorrow's news", "ctrl+t")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ScheduleScreen), "dialog")
        await run.pilot.press(*"+2h", "enter")
        await wait_for(run.pilot, lambda: results, "saved")
        assert results == [
            EditorResult(PostDraft("Tomorrow's news", ("bank-tg",)), T0 + timedelta(hours=2))
        ]


async def test_esc_leaves_at_once_when_nothing_changed(tmp_path: Path, clock: FakeClock) -> None:
    async with editor_open(tmp_path, clock, "bank-vk") as (run, _, results):
        await run.pilot.press("escape")
        await wait_for(run.pilot, lambda: results, "closed")
        assert results == [None]


async def test_esc_asks_before_throwing_changes_away(tmp_path: Path, clock: FakeClock) -> None:
    async with editor_open(tmp_path, clock, "bank-vk") as (run, editor, results):
        await run.pilot.press(*"Half a thought", "escape")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ConfirmScreen), "asked")
        await run.pilot.press("n")
        await wait_for(run.pilot, lambda: editor.is_current, "back in the editor")
        assert editor.query_one(TextArea).text == "Half a thought" and results == []
        await run.pilot.press("escape", "y")
        await wait_for(run.pilot, lambda: results, "closed")
        assert results == [None]


async def test_editing_a_scheduled_post_fills_it_in_and_keeps_its_time(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        at = T0 + timedelta(days=1)
        planning = run.workspace.planning
        draft = PostDraft("Main", ("bank-vk", "bank-x"), {"x": "For X"}, "autumn")
        post = await planning.create(draft, at)
        results: Results = []
        editor = PostEditorScreen(post)
        await open_on(run.pilot, editor, results.append)
        assert editor.query_one(TextArea).text == "Main"
        assert editor.query_one("#post-campaign", Input).value == "autumn"
        assert set(editor.query_one(SelectionList).selected) == {"bank-vk", "bank-x"}
        assert editor.query_one("#post-editor").border_subtitle == "scheduled Fri 27 Nov 2026 09:00"
        await run.pilot.press(*" news", "ctrl+s")
        await wait_for(run.pilot, lambda: results, "saved")
        assert results == [
            EditorResult(PostDraft("Main news", draft.accounts, draft.versions, "autumn"), at)
        ]
        await settle(run.pilot)


async def test_the_schedule_dialog_shows_what_a_time_means_as_it_is_typed(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        chosen: list[object] = []
        run.app.push_screen(ScheduleScreen(None), chosen.append)
        await wait_for(run.pilot, lambda: isinstance(run.app.focused, Input), "the dialog")
        dialog = run.app.screen

        def line() -> str:
            return str(dialog.query_one("#schedule-resolved", Static).render())

        await run.pilot.press(*"tomorrow 09:30")
        await wait_for(run.pilot, lambda: "Fri 27 Nov 2026 09:30 UTC" in line(), "resolved")
        assert line() == "→ Fri 27 Nov 2026 09:30 UTC · in 1d 30m"
        await run.pilot.press("ctrl+u", *"someday")
        await wait_for(run.pilot, lambda: "not a time" in line(), "the error")
        assert line().startswith("✖ not a time: 'someday' (try +30s")
        await run.pilot.press("ctrl+u", *"2026-11-25 10:00", "enter")
        await wait_for(run.pilot, lambda: "in the past" in line(), "refused")
        assert dialog.is_current and chosen == []
        await run.pilot.press("ctrl+u", *"+90m", "enter")
        await wait_for(run.pilot, lambda: chosen, "chosen")
        assert chosen == [T0 + timedelta(minutes=90)]


async def test_the_schedule_dialog_starts_from_the_current_time_and_esc_keeps_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        chosen: list[object] = []
        run.app.push_screen(ScheduleScreen(T0 + timedelta(hours=3)), chosen.append)
        await wait_for(run.pilot, lambda: isinstance(run.app.focused, Input), "the dialog")
        assert run.app.screen.query_one(Input).value == "2026-11-26 12:00"
        await run.pilot.press("escape")
        await wait_for(run.pilot, lambda: chosen, "closed")
        assert chosen == [None]


def test_times_are_read_in_the_teams_zone() -> None:
    moscow = ZoneInfo("Europe/Moscow")
    moment, line = resolve("fri 18:00", T0, moscow)
    assert moment == T0.replace(day=27, hour=15)
    assert str(line) == "→ Fri 27 Nov 2026 18:00 Europe/Moscow (15:00 here) · in 1d 6h"
    assert resolve("  ", T0, moscow)[0] is None


# -- snapshots -----------------------------------------------------------------------------


@pytest.fixture
def quiet_app(tmp_path: Path, clock: FakeClock) -> Any:
    built, close = make_app(tmp_path / "data", clock, poll=False)
    yield built
    close()


async def _writing(pilot: Pilot[Any]) -> None:
    editor = PostEditorScreen(accounts=ALL)
    await open_on(pilot, editor, lambda _: None)
    editor.query_one(TextArea).text = (
        "Our new card is here: no fees abroad, cashback on every trip. "
        "https://example.com/cards " + "漢" * 98
    )
    editor.query_one("#post-campaign", Input).value = "card-launch"
    lengths = editor.query_one("#post-lengths", Static)
    await wait_for(pilot, lambda: "over" in str(lengths.visual), "the gauge counts the text")
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_post_editor_snapshot(snap_compare: Snap, quiet_app: SmmApp, size: tuple[int, int]) -> None:
    assert snap_compare(quiet_app, terminal_size=size, run_before=_writing)
