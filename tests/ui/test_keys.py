"""Keys can be remapped from the config, and help is built from the live bindings."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from smm_tui.config import demo_config
from smm_tui.core.models import Status
from smm_tui.core.repository import Collection
from smm_tui.keymap import binding_ids, check_keymap
from smm_tui.screens.help import HelpScreen
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import FakeClock
from tests.ui.harness import demo_backlog, settle, wait_for


def test_every_binding_has_a_unique_id() -> None:
    ids = binding_ids()
    assert {"feed.done_next", "feed.reply", "app.help", "tickets.move_right"} <= ids


def test_unknown_keymap_id_is_named_with_a_suggestion() -> None:
    assert check_keymap({"feed.done_nxt": "x"}) == (
        "unknown key 'keymap.feed.done_nxt' (did you mean 'feed.done_next'?)"
    )
    assert check_keymap({"feed.reply": "R"}) is None


async def test_remapped_key_works_and_help_shows_it(tmp_path: Path, clock: FakeClock) -> None:
    config = demo_config("alice")
    config = type(config)(
        user=config.user,
        accounts=config.accounts,
        keymap={"feed.done_next": "x", "app.contests": "4"},
        users=config.users,
    )
    async with demo_backlog(tmp_path, clock, config=config) as run:
        pilot, ws = run.pilot, run.workspace
        await pilot.press("g")
        tabs = str(run.app.screen.query_one("#status-tabs", Static).render())
        # At 80 columns the tabs name only the current pane; the others show their keys.
        assert " 1 Feed " in tabs and " 4 " in tabs and " 3 " not in tabs
        first = run.app.screen.query_one(FeedList).current
        assert first is not None
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: ws.ctx.mention(first).status is Status.DONE, "x = done")
        await settle(pilot)
        closed = [r for r in ws.repo.records(Collection.AUDIT) if r["detail"].get("new") == "done"]
        assert [r["entity_id"] for r in closed] == [first], "d must do nothing once remapped"

        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(run.app.screen, HelpScreen), "help")
        help_screen = run.app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {bid: keys for keys, _, bid in help_screen.rows}
        assert rows["feed.done_next"] == "x"
        assert rows["feed.reply"] == "r"
        assert "app.help" in rows and "feed.down" in rows
        # The queue's order is no key's, so help says it in words.
        assert any("overdue mentions first, highest priority first" in n for n in help_screen.notes)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(run.app.screen, HelpScreen), "help closed")


def test_a_remap_that_makes_a_key_ambiguous_is_refused() -> None:
    assert check_keymap({"feed.reply": "d"}) == (
        "keymap: key 'd' is bound to both 'feed.reply' and 'feed.done_next'"
    )
    assert check_keymap({"feed.reply": "1"}) == (
        "keymap: key '1' is bound to both 'app.feed' and 'feed.reply'"
    )
    assert check_keymap({"feed.done_next": "x,d"}) is None
    assert check_keymap({}) is None
