"""ctrl+t in the composer: a saved reply, filled for the customer, in their language first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, TextArea

from smm_tui.app import SmmApp
from smm_tui.core.demo_replies import DEMO_SAVED_REPLIES
from smm_tui.core.models import Mention
from smm_tui.core.saved_replies import SavedReply, same_language
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.saved_reply_picker import SavedReplyPicker
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock
from tests.ui.harness import DEMO_BACKLOG, Running, feed_of, make_app, running, settle, wait_for
from tests.ui.test_snapshots import loaded

Snap = Callable[..., bool]


def russian_with_a_name(mention: Mention) -> bool:
    """A Russian-speaking customer with a display name, whose mention has no ticket."""
    return (
        same_language("ru", mention.language)
        and " " not in mention.author.display_name.strip()[:1]
        and bool(mention.author.display_name.strip())
        and mention.ticket_id is None
    )


async def open_composer_where(
    pilot: Pilot[Any], app: SmmApp, wanted: Callable[[Mention], bool]
) -> Mention:
    """Open the composer on the first mention in the queue that is ``wanted``."""
    feed = feed_of(app)
    await wait_for(pilot, lambda: len(feed.ids) >= DEMO_BACKLOG, "the whole backlog")
    mention = next(m for m in map(app.workspace.ctx.mention, feed.ids) if wanted(m))
    app.screen.query_one(FeedList).cursor = feed.index_of(mention.id) or 0
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, ComposerScreen), "the composer")
    assert isinstance(app.screen, ComposerScreen) and app.screen.mention_id == mention.id
    return mention


async def open_picker(run: Running) -> SavedReplyPicker:
    await run.pilot.press("ctrl+t")
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, SavedReplyPicker), "the picker")
    picker = run.app.screen
    assert isinstance(picker, SavedReplyPicker)
    return picker


def shown_names(picker: SavedReplyPicker) -> list[str]:
    return [reply.name for reply, _ in picker.shown]


def rendered_rows(picker: SavedReplyPicker) -> list[str]:
    """The option list's lines as drawn (so markup would have been interpreted by now)."""
    options = picker.query_one(OptionList)
    return [
        "".join(segment.text for segment in options.render_line(y))
        for y in range(options.size.height)
    ]


async def test_the_customers_language_first_and_enter_inserts_it_filled(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        run.workspace.saved_replies.replace(DEMO_SAVED_REPLIES)
        mention = await open_composer_where(run.pilot, run.app, russian_with_a_name)
        first_name = mention.author.display_name.split()[0]
        composer = run.app.screen
        assert isinstance(composer, ComposerScreen)

        picker = await open_picker(run)
        languages = [reply.language for reply, _ in picker.shown]
        assert languages[:4] == ["ru"] * 4 and "ru" not in languages[4:]
        await run.pilot.press(*"двойное")  # the filter reads bodies too
        assert shown_names(picker)[0] == "double-debit-fixed"
        await run.pilot.press("enter")
        await wait_for(run.pilot, lambda: run.app.screen is composer, "the composer again")
        area = composer.query_one(TextArea)
        expected = (
            f"{first_name}, мы вернули двойное списание. "
            "Проверьте, пожалуйста, что деньги на карте."
        )
        assert area.text == expected and area.has_focus
        # Saved as a draft, as typing is.
        drafts = run.workspace.outbox
        await wait_for(
            run.pilot, lambda: (d := drafts.draft(mention.id)) and d.text == expected, "draft"
        )

        # A second one goes in at the cursor.
        area.move_cursor((0, 0))
        picker = await open_picker(run)
        picker.query_one(Input).value = "thanks-ru"
        await run.pilot.press("enter")
        await wait_for(run.pilot, lambda: run.app.screen is composer, "the composer again")
        assert area.text == "Спасибо за добрые слова! Передадим команде." + expected


async def test_a_reply_missing_a_field_is_not_inserted_and_esc_cancels(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        run.workspace.saved_replies.replace(DEMO_SAVED_REPLIES)
        await open_composer_where(run.pilot, run.app, russian_with_a_name)
        composer = run.app.screen
        area = composer.query_one(TextArea)
        area.text = "Добрый день. "

        picker = await open_picker(run)
        picker.query_one(Input).value = "ticket-opened"  # {department}: the mention has no ticket
        await run.pilot.pause()
        assert shown_names(picker)[0] == "ticket-opened-ru"
        assert any(
            "no {department}: the mention has no ticket" in row for row in rendered_rows(picker)
        )
        await run.pilot.press("enter")
        await run.pilot.pause()
        assert run.app.screen is picker
        note = str(picker.query_one("#saved-reply-note").render())
        assert "ticket-opened-ru: no {department}: the mention has no ticket" in note

        # j and k are letters of the filter; arrows and ctrl+n / ctrl+p move.
        picker.query_one(Input).value = ""
        await run.pilot.press("j", "k")
        assert picker.query_one(Input).value == "jk"
        picker.query_one(Input).value = ""
        await run.pilot.press("down", "ctrl+n", "ctrl+p")
        assert picker.query_one(OptionList).highlighted == 1

        await run.pilot.press("escape")
        await wait_for(run.pilot, lambda: run.app.screen is composer, "the composer again")
        assert area.text == "Добрый день. "


async def test_a_hostile_body_shows_and_goes_in_literally(tmp_path: Path, clock: FakeClock) -> None:
    hostile = SavedReply("[red]name[/]", "[bold]x[/] [@click=app.quit]go[/]", "ru", ("[i]t[/i]",))
    async with running(tmp_path / "data", clock) as run:
        await open_composer_where(run.pilot, run.app, russian_with_a_name)
        composer = run.app.screen
        # None saved yet: the picker says where they go, and enter does nothing.
        picker = await open_picker(run)
        assert "[[saved_replies]]" in str(picker.query_one("#saved-reply-note").render())
        await run.pilot.press("enter", "escape")
        await wait_for(run.pilot, lambda: run.app.screen is composer, "the composer again")

        run.workspace.saved_replies.replace([hostile])
        picker = await open_picker(run)
        rows = rendered_rows(picker)
        assert any("[red]name[/]" in row and "[i]t[/i]" in row for row in rows)
        assert any("[bold]x[/] [@click=app.quit]go[/]" in row for row in rows)
        await run.pilot.press("enter")
        await wait_for(run.pilot, lambda: run.app.screen is composer, "the composer again")
        assert composer.query_one(TextArea).text == hostile.body


# -- the snapshot ----------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[SmmApp]:
    built, close = make_app(tmp_path / "data", clock)
    built.workspace.saved_replies.replace(DEMO_SAVED_REPLIES)
    yield built
    close()


@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_picker_snapshot(snap_compare: Snap, app: SmmApp, size: tuple[int, int]) -> None:
    async def pick(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await open_composer_where(pilot, app, russian_with_a_name)
        await settle(pilot)  # the thread is in
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, SavedReplyPicker), "the picker")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=pick)
