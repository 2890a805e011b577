"""The Content pane: moving through the week and the list, filtering, and what each key does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Footer, OptionList, SelectionList, Static, TextArea

from smm_tui.core.calendar import Status
from smm_tui.core.context import NotFound
from smm_tui.core.posts import DeliveryState, delivery_id
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.content import ContentScreen
from smm_tui.screens.content_detail import PostDetailScreen
from smm_tui.screens.help import HelpScreen
from smm_tui.screens.post_editor import PostEditorScreen
from smm_tui.screens.schedule import ScheduleScreen
from smm_tui.widgets.calendar import WeekView
from tests.conftest import T0, FakeClock
from tests.ui.harness import notices, settle, wait_for
from tests.ui.test_content_kit import MONDAY, THURSDAY, content_pane

# -- moving ---------------------------------------------------------------------------------------


async def test_the_cursor_moves_by_post_day_and_week(tmp_path: Path, clock: FakeClock) -> None:
    async with content_pane(tmp_path, clock) as pane:
        # It opens on today, on the post nearest the hour: the 12:00 webinar.
        assert pane.where() == (THURSDAY, "webinar", "bank-tg")
        await pane.press("j")
        assert pane.where() == (THURSDAY, "webinar", "bank-vk")
        await pane.press("j", "j")
        assert pane.where() == (THURSDAY, "x-thread", "bank-x"), "j stops at the last"
        await pane.press("g")
        assert pane.where() == (THURSDAY, "draft", "bank-vk"), "drafts sit above the hours"
        await pane.press("G", "k")
        assert pane.where() == (THURSDAY, "webinar", "bank-vk")
        await pane.press("h")
        assert pane.where() == (THURSDAY - timedelta(days=1), "wednesday", "bank-bsky")
        await pane.press("h")
        assert pane.where() == (THURSDAY - timedelta(days=2), "tuesday", "bank-mastodon")
        await pane.press("h", "h")
        assert pane.where() == (MONDAY.date() - timedelta(days=1), None, None)
        assert "16–22 Nov 2026" in str(pane.screen.query_one("#status-left", Static).render())
        await pane.press("right_square_bracket")
        assert pane.where()[0] == MONDAY.date() + timedelta(days=6)
        assert pane.where()[1] == "sunday"
        await pane.press("t")
        assert pane.where() == (THURSDAY, "webinar", "bank-tg")


async def test_enter_opens_the_post_in_full(tmp_path: Path, clock: FakeClock) -> None:
    async with content_pane(tmp_path, clock) as pane:
        await pane.select("monday", "bank-vk")
        await pane.press("enter")
        await pane.showing(PostDetailScreen)
        shown = str(pane.app.screen.query_one("#post-detail", Static).render())
        assert "Our new card is here!\nLimits up to 1M." in shown
        assert "https://example.net/" in shown
        assert "likes 12 · reposts 3 · replies 4 · views —" in shown, "VK gives no views here"
        assert "views need a user token" in shown and "read 25 Nov 19:00" in shown
        await pane.press("escape")
        await pane.showing(ContentScreen)
        await pane.select("tuesday", "bank-mastodon")
        await pane.press("enter")
        await pane.showing(PostDetailScreen)
        shown = str(pane.app.screen.query_one("#post-detail", Static).render())
        assert "the instance refused the post (422)" in shown


async def test_the_list_shows_every_delivery_in_time_order(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with content_pane(tmp_path, clock) as pane:
        await pane.press("v")
        listing = pane.screen.query_one("#content-list", OptionList)
        assert pane.app.focused is listing and not pane.screen.query_one(WeekView).display
        assert listing.option_count == 13
        rows = [str(listing.get_option_at_index(n).prompt) for n in range(listing.option_count)]
        assert rows[0].startswith("Mon 23 10:00 bank-tg    TG ✓ published  Our new card is here!")
        assert rows[0].endswith("♥12 ↻3 ↩4 ◉1,204")
        assert rows[-1].startswith("draft        bank-vk    VK ✎ draft      Idea")
        assert pane.where() == (THURSDAY, "webinar", "bank-tg"), "the selection is kept"
        await pane.press("j")
        assert pane.where() == (THURSDAY, "webinar", "bank-vk")
        await pane.press("G")
        assert pane.where()[1] == "draft"
        await pane.press("v")
        assert pane.screen.query_one(WeekView).display and pane.where()[1] == "draft"


async def test_the_filter_narrows_both_views_and_says_what_is_wrong(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with content_pane(tmp_path, clock) as pane:
        listing = pane.screen.query_one("#content-list", OptionList)
        await pane.press("v", "slash", *"status:failed,held")
        await wait_for(pane.run.pilot, lambda: listing.option_count == 2, "the filter")
        await pane.press("enter")
        assert pane.app.focused is listing
        await pane.press("slash", "ctrl+u", *"statsu:x")
        error = pane.screen.query_one("#content-filter-error", Static)
        await wait_for(pane.run.pilot, lambda: error.display, "the error")
        assert "did you mean 'status'?" in str(error.render())
        await pane.press("enter")
        assert listing.option_count == 2, "a wrong filter changes nothing"
        await pane.press("escape")
        assert listing.option_count == 13 and not error.display
        await pane.press("v", "slash", *"campaign:spring", "enter")
        week = pane.screen.query_one(WeekView).week
        assert week is not None
        assert {e.post.id for slot in week.slots for cell in slot.cells for e in cell} == {
            pane.plan.posts["wednesday"].id,
            pane.plan.posts["friday"].id,
        }


async def test_help_names_the_pane_s_keys_and_what_posts_cannot_hold(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with content_pane(tmp_path, clock) as pane:
        await pane.press("question_mark")
        await pane.showing(HelpScreen)
        help_screen = pane.app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = {bid: keys for keys, _, bid in help_screen.rows}
        assert rows["content.new"] == "n" and rows["content.retry"] == "R"
        assert rows["app.content"] == "5"
        assert "Images are not supported yet: posts are text and links." in help_screen.notes
        await pane.press("escape")
        await pane.showing(ContentScreen)
        titles = [c.title for c in pane.app.get_system_commands(pane.app.screen)]
        assert "Go to the content calendar" in titles and "New post" in titles


# -- keys on posts --------------------------------------------------------------------------------


async def test_n_writes_a_new_post_through_the_editor(tmp_path: Path, clock: FakeClock) -> None:
    async with content_pane(tmp_path, clock) as pane:
        await pane.press("n")
        await pane.showing(PostEditorScreen)
        editor = pane.app.screen
        editor.query_one(SelectionList).select("bank-tg")
        editor.query_one(TextArea).text = "Hello from the pane"
        await pane.press("ctrl+s")
        await pane.showing(ContentScreen)
        await settle(pane.run.pilot)
        made = [p for p in pane.run.workspace.planning.posts() if p.text == "Hello from the pane"]
        assert [(p.accounts, p.scheduled_at) for p in made] == [(("bank-tg",), None)]
        assert pane.where() == (THURSDAY, made[0].id, "bank-tg"), "the new draft is selected"


async def test_e_edits_the_selected_post_and_keeps_its_time(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with content_pane(tmp_path, clock) as pane:
        await pane.select("friday", "bank-vk")
        await pane.press("e")
        await pane.showing(PostEditorScreen)
        pane.app.screen.query_one(TextArea).text = "Friday quiz: three questions"
        await pane.press("ctrl+s")
        await pane.showing(ContentScreen)
        await settle(pane.run.pilot)
        friday = pane.post("friday")
        assert friday.text == "Friday quiz: three questions"
        assert friday.scheduled_at == T0 + timedelta(days=1, hours=6)


async def test_s_schedules_and_u_takes_back_to_a_draft(tmp_path: Path, clock: FakeClock) -> None:
    async with content_pane(tmp_path, clock) as pane:
        await pane.select("draft", "bank-vk")
        await pane.press("s")
        await pane.showing(ScheduleScreen)
        await pane.press(*"tomorrow 10:00", "enter")
        await pane.showing(ContentScreen)
        await settle(pane.run.pilot)
        assert pane.post("draft").scheduled_at == T0 + timedelta(days=1, hours=1)
        assert pane.where() == (THURSDAY + timedelta(days=1), "draft", "bank-vk"), "it follows"
        await pane.press("u")
        await settle(pane.run.pilot)
        assert pane.post("draft").scheduled_at is None
        assert pane.state("draft", "bank-vk") is DeliveryState.DRAFT


async def test_d_duplicates_and_x_deletes_after_asking(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with content_pane(tmp_path, clock) as pane:
        planning = pane.run.workspace.planning
        await pane.select("monday", "bank-vk")
        await pane.press("D")
        await settle(pane.run.pilot)
        copies = [p for p in planning.posts() if p.text == pane.post("monday").text]
        assert len(copies) == 2 and copies[-1].scheduled_at is None
        entry = pane.selected()
        assert entry is not None and entry.post.id == copies[-1].id, "the copy is selected"
        await pane.press("x")
        await pane.showing(ConfirmScreen)
        await pane.press("n")
        await settle(pane.run.pilot)
        assert planning.post(copies[-1].id)
        await pane.press("x")
        await pane.showing(ConfirmScreen)
        await pane.press("y")
        await settle(pane.run.pilot)
        with pytest.raises(NotFound):
            planning.post(copies[-1].id)
        said = notices(pane.app, monkeypatch)
        await pane.select("monday", "bank-vk")
        await pane.press("x")
        await pane.showing(ConfirmScreen)
        await pane.press("y")
        await settle(pane.run.pilot)
        assert said == [("the post is published everywhere: duplicate it to post again", "error")]


async def test_p_publishes_now_or_lets_a_late_post_go(tmp_path: Path, clock: FakeClock) -> None:
    async with content_pane(tmp_path, clock) as pane:
        await pane.select("late", "bank-vk")
        entry = pane.selected()
        assert entry is not None and entry.status is Status.HELD
        await pane.press("p")
        await pane.showing(ConfirmScreen)
        await pane.press("y")
        await settle(pane.run.pilot)
        record = delivery_id(pane.plan.posts["late"].id, "bank-vk")
        late = pane.run.workspace.planning.delivery(record)
        assert not late.held and late.scheduled_at == MONDAY + timedelta(days=1), "time kept"
        await pane.select("sunday", "bank-mastodon")
        await pane.press("p")
        await pane.showing(ConfirmScreen)
        await pane.press("y")
        await settle(pane.run.pilot)
        assert pane.post("sunday").scheduled_at == T0


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_fewer_days_not_narrower_ones_and_help_in_the_footer(
    tmp_path: Path, clock: FakeClock, size: tuple[int, int]
) -> None:
    async with content_pane(tmp_path, clock, size=size) as pane:
        week = pane.screen.query_one(WeekView)
        assert week.days_shown() == (range(1, 6) if size[0] == 60 else range(7))
        await pane.press("l", "l", "l")
        assert week.days_shown() == (range(2, 7) if size[0] == 60 else range(7))
        footer = [str(key.render()).strip() for key in pane.screen.query_one(Footer).children]
        helps = [k for k in pane.screen.query_one(Footer).children if "Help" in str(k.render())]
        assert "? Help" in footer and helps[0].region.right <= size[0]
        status = pane.screen.query_one("#status-left", Static)
        assert status.size.height == 1, "the summary keeps to one line"
