"""SVG snapshots of every pane at 80x24 (the key screens at 60x20 and 120x40 too), from the
real app on a seeded demo workspace."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from smm_tui.app import SmmApp
from smm_tui.core.models import ContestState, Platform, TicketColumn
from smm_tui.core.polling import HealthState
from smm_tui.screens.accounts import AccountsScreen
from smm_tui.screens.assign import AssignScreen
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.contests import NewContestScreen
from smm_tui.screens.customer import CustomerScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.label import LabelScreen, TagScreen
from smm_tui.screens.note import NoteScreen
from smm_tui.screens.report import ReportScreen
from smm_tui.screens.tickets import TicketEditScreen
from tests.conftest import FakeClock
from tests.ui.harness import feed_of, make_app, settle, wait_for

SIZE = (80, 24)
Snap = Callable[..., bool]


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock) -> Iterator[SmmApp]:
    built, close = make_app(tmp_path / "data", clock)
    yield built
    close()


async def loaded(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, SmmApp)
    await wait_for(pilot, lambda: len(feed_of(app).ids) >= 10, "the demo queue")
    await wait_for(
        pilot,
        lambda: all(h.state is HealthState.OK for h in app.account_health()),
        "every account polled",
    )
    await pilot.press("g")


def then(
    *steps: Callable[[Pilot[Any]], Awaitable[None]],
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        for step in steps:
            await step(pilot)
        await pilot.pause()

    return run_before


def test_feed(snap_compare: Snap, app: SmmApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=then())


def test_feed_filtered_and_marked(snap_compare: Snap, app: SmmApp) -> None:
    async def filter_and_mark(pilot: Pilot[Any]) -> None:
        await pilot.press("slash", *"card", "enter", "space", "space")

    assert snap_compare(app, terminal_size=SIZE, run_before=then(filter_and_mark))


def test_detail_with_thread(snap_compare: Snap, app: SmmApp) -> None:
    async def open_detail(pilot: Pilot[Any]) -> None:
        await pilot.press("j", "enter")
        screen = pilot.app.screen
        assert isinstance(screen, MentionScreen)
        await wait_for(pilot, lambda: screen.thread, "the thread")

    assert snap_compare(app, terminal_size=SIZE, run_before=then(open_detail))


def test_composer(snap_compare: Snap, app: SmmApp) -> None:
    async def compose(pilot: Pilot[Any]) -> None:
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ComposerScreen), "composer")
        await pilot.press(*"Здравствуйте! Уже проверяем, напишем в личные сообщения.")

    assert snap_compare(app, terminal_size=SIZE, run_before=then(compose))


def test_ticket_board(snap_compare: Snap, app: SmmApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=then(_board))


def test_contest_with_proof(snap_compare: Snap, app: SmmApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=then(_contests))


def test_help(snap_compare: Snap, app: SmmApp) -> None:
    async def show_help(pilot: Pilot[Any]) -> None:
        await pilot.press("question_mark")

    assert snap_compare(app, terminal_size=SIZE, run_before=then(show_help))


def test_customer_view(snap_compare: Snap, app: SmmApp) -> None:
    async def open_customer(pilot: Pilot[Any]) -> None:
        ws = app.workspace
        # The demo has returning authors: show one with several mentions.
        counts: dict[str, int] = {}
        for mention_id in feed_of(app).ids:
            author = ws.ctx.mention(mention_id).author.id
            counts[author] = counts.get(author, 0) + 1
        target = next(i for i in feed_of(app).ids if counts[ws.ctx.mention(i).author.id] > 1)
        await pilot.press("g", *["j"] * (feed_of(app).index_of(target) or 0), "C")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerScreen), "customer view")

    assert snap_compare(app, terminal_size=SIZE, run_before=then(open_customer))


def test_report(snap_compare: Snap, app: SmmApp) -> None:
    async def open_report(pilot: Pilot[Any]) -> None:
        await pilot.press("4")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen), "the report")
        table = app.screen.query_one("#report-table")
        await wait_for(pilot, lambda: "By network" in str(table.render()), "the figures")

    assert snap_compare(app, terminal_size=SIZE, run_before=then(open_report))


# -- every key screen at 60x20, 80x24 and 120x40 -------------------------------------------------

SIZES = {"60x20": (60, 20), "80x24": (80, 24), "120x40": (120, 40)}


async def _detail(pilot: Pilot[Any]) -> None:
    await pilot.press("j", "enter")
    screen = pilot.app.screen
    assert isinstance(screen, MentionScreen)
    await wait_for(pilot, lambda: screen.thread, "the thread")


async def _board(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, SmmApp)
    workspace = app.workspace
    first, second = feed_of(app).ids[0], feed_of(app).ids[3]
    await workspace.tickets.open([first], department="Cards")
    ticket = await workspace.tickets.open([second], department="Mobile app")
    await workspace.tickets.move(ticket.id, TicketColumn.WAITING)
    await pilot.press("2")
    await pilot.pause()


async def _contests(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, SmmApp)
    workspace = app.workspace
    made = await workspace.contests.create(
        "November giveaway", Platform.VK, "bank-vk", "post-contest"
    )
    source = workspace.source_for("bank-vk")
    assert source is not None
    await workspace.contests.collect(made.id, await source.fetch_post_comments("post-contest"))
    await workspace.contests.run_draw(made.id, seed="5eed" * 16)
    assert workspace.contests.get(made.id).state is ContestState.DRAWN
    await pilot.press("3")


async def _report(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await pilot.press("4")
    await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen), "the report")
    table = app.screen.query_one("#report-table")
    await wait_for(pilot, lambda: "By network" in str(table.render()), "the figures")


async def _accounts(pilot: Pilot[Any]) -> None:
    await pilot.press("A")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AccountsScreen), "accounts")


async def _feed(pilot: Pilot[Any]) -> None:
    await pilot.pause()


SCREENS: dict[str, Callable[[Pilot[Any]], Awaitable[None]]] = {
    "feed": _feed,
    "detail": _detail,
    "board": _board,
    "contests": _contests,
    "report": _report,
    "accounts": _accounts,
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen_at_size(snap_compare: Snap, app: SmmApp, screen: str, size: str) -> None:
    assert snap_compare(app, terminal_size=SIZES[size], run_before=then(SCREENS[screen]))


# -- the dialogs, the filter's error line and the empty feed -------------------------------------


def _opens(screen: type[Screen[Any]], *keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A step that presses ``keys`` and waits until ``screen`` is on top."""

    async def press_and_wait(pilot: Pilot[Any]) -> None:
        await pilot.press(*keys)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, screen), screen.__name__)

    return press_and_wait


async def _draft(pilot: Pilot[Any]) -> None:
    await _opens(ComposerScreen, "r")(pilot)
    await pilot.press(*"Checking now")


async def _ticket(pilot: Pilot[Any]) -> None:
    await _board(pilot)
    await settle(pilot)


DIALOGS: dict[str, tuple[Callable[[Pilot[Any]], Awaitable[None]], ...]] = {
    "confirm": (_draft, _opens(ConfirmScreen, "ctrl+g")),
    "assign": (_opens(AssignScreen, "a"),),
    "label": (_opens(LabelScreen, "L"),),
    "tag": (_opens(TagScreen, "number_sign"),),
    "note": (_opens(CustomerScreen, "C"), _opens(NoteScreen, "N")),
    "ticket_edit": (_ticket, _opens(TicketEditScreen, "e")),
    "new_contest": (_opens(NewContestScreen, "3", "n"),),
}


@pytest.mark.parametrize("dialog", DIALOGS)
def test_dialog(snap_compare: Snap, app: SmmApp, dialog: str) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=then(*DIALOGS[dialog]))


def _filtered(query: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A step that types ``query`` after / and waits until the feed has tried it."""

    async def type_query(pilot: Pilot[Any]) -> None:
        await pilot.press("slash", *query)
        error = pilot.app.screen.query_one("#feed-filter-error", Static)
        feed = feed_of(pilot.app)
        await wait_for(pilot, lambda: error.display or not feed.ids, f"the feed tried {query}")

    return type_query


def _press(*keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def press(pilot: Pilot[Any]) -> None:
        await pilot.press(*keys)

    return press


#: A query with a mistake: the filter shows one line saying what is wrong.
BAD_QUERY = "sentiment:angry"
#: A query nothing in the demo workspace matches.
NO_MATCH = "zebra"


@pytest.mark.parametrize("size", ["80x24", "60x20"])
def test_filter_error_line(snap_compare: Snap, app: SmmApp, size: str) -> None:
    run_before = then(_filtered(BAD_QUERY))
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", ["80x24", "60x20"])
def test_empty_feed(snap_compare: Snap, app: SmmApp, size: str) -> None:
    run_before = then(_filtered(NO_MATCH), _press("enter"))
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
