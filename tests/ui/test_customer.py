"""The customer view is a list to work from: move, open, reply, and a note on the customer."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import Input, OptionList, Static

from smm_tui.core.repository import Collection
from smm_tui.core.workspace import Workspace
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.customer import CustomerScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.screens.note import NoteScreen
from smm_tui.store.store import Store
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock
from tests.ui.harness import Running, notices, running, settle, wait_for

#: A note that would be markup if anything parsed it.
NOTE = "VIP [b]lawyer[/b] involved [@click=app.quit]x[/]"


def _returning_author(run: Running) -> str | None:
    """A mention in the queue whose author (on that network) wrote at least twice."""
    ws = run.workspace
    counts = Counter(
        (r["platform"], r["author"]["id"]) for r in ws.repo.records(Collection.MENTIONS)
    )
    mentions = [ws.ctx.mention(i) for i in run.feed.ids]
    return next((m.id for m in mentions if counts[m.platform.value, m.author.id] >= 2), None)


async def _open_customer(run: Running) -> CustomerScreen:
    pilot, app = run.pilot, run.app
    await wait_for(pilot, lambda: _returning_author(run), "a returning author in the queue")
    target = _returning_author(run)
    assert target is not None
    # The cursor is put on the mention itself: the live demo keeps adding mentions, so a
    # count of j presses taken before them could land on another author.
    feed = app.screen.query_one(FeedList)
    feed.cursor = run.feed.index_of(target) or 0
    await wait_for(pilot, lambda: feed.current == target, "the cursor on the returning author")
    await pilot.press("C")
    await wait_for(pilot, lambda: isinstance(app.screen, CustomerScreen), "customer view")
    screen = app.screen
    assert isinstance(screen, CustomerScreen)
    assert target in {m.id for m in screen.history.mentions}
    return screen


def _text(screen: CustomerScreen, selector: str) -> str:
    visual = screen.query_one(selector, Static).render()
    assert isinstance(visual, Content)
    return visual.plain


async def test_the_customer_view_moves_opens_and_replies(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, app = run.pilot, run.app
        screen = await _open_customer(run)
        history = screen.history
        assert len(history.mentions) >= 2
        rows = screen.query_one(OptionList)
        first = history.mentions[0]
        prompt = rows.get_option_at_index(0).prompt
        assert isinstance(prompt, Content)
        # The whole text, and a date, not only a time of day.
        assert first.text.split()[-1] in prompt.plain
        assert first.created_at.strftime("%Y-%m-%d") in prompt.plain

        assert screen.selected_row() == first.id
        await pilot.press("j")
        assert screen.selected_row() == history.mentions[1].id
        await pilot.press("G")
        assert rows.highlighted == rows.option_count - 1
        await pilot.press("g")
        assert screen.selected_row() == first.id
        await pilot.press("j", "k", "j")
        second = history.mentions[1].id

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MentionScreen), "the mention")
        detail = app.screen
        assert isinstance(detail, MentionScreen) and detail.mention_id == second
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back to the customer")
        assert screen.selected_row() == second, "the cursor stays where it was"

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ComposerScreen), "the composer")
        composer = app.screen
        assert isinstance(composer, ComposerScreen) and composer.mention_id == second


async def test_a_note_on_the_customer_shows_wherever_they_appear(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, app, ws = run.pilot, run.app, run.workspace
        screen = await _open_customer(run)
        assert not screen.query_one("#customer-note").display
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note dialog")
        await pilot.press(*NOTE, "enter")
        await wait_for(pilot, lambda: app.screen is screen, "the note kept")
        await settle(pilot)
        history = screen.history
        note = ws.notes.get(history.platform, history.author.id)
        assert note is not None and note.text == NOTE and note.updated_by == "alice"
        await wait_for(pilot, lambda: _text(screen, "#customer-note") == f"Note: {NOTE}", "shown")
        assert app.is_running, "the note is text, never markup"

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MentionScreen), "the mention")
        detail = app.screen
        assert isinstance(detail, MentionScreen)
        await wait_for(
            pilot,
            lambda: f"Note: {NOTE}" in str(detail.query_one("#detail-mention", Static).render()),
            "the note in the detail view",
        )
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen), "the feed")
        feed = app.screen
        preview = feed.query_one("#feed-preview", Static)
        await wait_for(
            pilot, lambda: str(preview.render()).startswith("Note: VIP"), "the note in the preview"
        )
        first_line = str(preview.render()).split("\n")[0]
        assert len(first_line) <= preview.content_size.width, "one line in the preview"

        # An empty note removes it.
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerScreen), "customer again")
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note dialog")
        await pilot.press("ctrl+u", "enter")
        await wait_for(
            pilot,
            lambda: ws.notes.get(history.platform, history.author.id) is None,
            "the note removed",
        )


async def test_a_note_a_teammate_changed_meanwhile_is_not_lost(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    async with running(data, clock) as run:
        pilot, app, ws = run.pilot, run.app, run.workspace
        said = notices(app, monkeypatch)
        screen = await _open_customer(run)
        history = screen.history
        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note dialog")
        # Meanwhile omar, in his own smm-tui on the same data dir, writes a note first.
        with Store.open(data) as theirs:
            omar = Workspace(theirs, actor="omar", sources={}, clock=clock)
            await omar.notes.set(history.platform, history.author, "Lawyer involved", base=None)
        await pilot.press(*"Calls back at 5", "enter")
        await wait_for(pilot, lambda: app.screen is screen, "back on the customer")
        await wait_for(pilot, lambda: any(s == "error" for _, s in said), "told")
        message = next(m for m, s in said if s == "error")
        assert message == (
            "Note not saved: omar changed it meanwhile; your text is kept: press N to save it again"
        )
        note = ws.notes.get(history.platform, history.author.id)
        assert note is not None and note.text == "Lawyer involved", "omar's note stands"
        await wait_for(
            pilot, lambda: _text(screen, "#customer-note") == "Note: Lawyer involved", "theirs"
        )

        await pilot.press("N")
        await wait_for(pilot, lambda: isinstance(app.screen, NoteScreen), "the note again")
        assert app.screen.query_one(Input).value == "Calls back at 5", "the text is kept"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                getattr(ws.notes.get(history.platform, history.author.id), "text", "")
                == "Calls back at 5"
            ),
            "saved over theirs, knowingly",
        )
        assert screen.unsaved_note is None
