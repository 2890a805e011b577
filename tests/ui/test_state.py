"""Who owns each piece of UI state and which way it flows; no reads from disk while painting."""

from __future__ import annotations

import gc
import threading
import warnings
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.message import Message

from smm_tui.core.models import Platform, ReplyState, Status
from smm_tui.core.polling import AccountHealth, HealthState
from smm_tui.core.repository import Collection, Record
from smm_tui.messages import ArchiveLoaded, DataChanged
from smm_tui.screens.base import in_background
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.screens.tickets import TicketBoardScreen
from smm_tui.store.store import Store
from smm_tui.widgets.feed_list import FeedList
from smm_tui.widgets.health_strip import HealthReport, HealthStrip
from smm_tui.widgets.status_bar import StatusBar
from tests.conftest import T0, FakeClock, make_mention
from tests.ui.harness import (
    feed_of,
    make_app,
    no_background_reads,
    running,
    settle,
    stored_mentions,
    wait_for,
)


async def test_the_detail_view_fetches_the_thread_again_once_a_reply_is_sent(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock) as run:
        pilot, ws = run.pilot, run.workspace
        await wait_for(pilot, lambda: len(run.feed.ids) >= 10, "the demo queue")
        await pilot.press("g", "enter")
        await wait_for(pilot, lambda: isinstance(run.app.screen, MentionScreen), "the detail")
        detail = run.app.screen
        assert isinstance(detail, MentionScreen)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(run.app.screen, ComposerScreen), "the composer")
        await pilot.press(*"Thanks, we are on it", "ctrl+s")

        def sent_external_id() -> str | None:
            replies = ws.outbox.replies_to(detail.mention_id)
            return next((r.external_id for r in replies if r.state is ReplyState.SENT), None)

        await wait_for(pilot, sent_external_id, "the reply to be sent")
        # No key is pressed: the sent reply reaches the detail view, which asks again.
        await wait_for(
            pilot,
            lambda: any(m.external_id == sent_external_id() for m in detail.thread),
            "the thread in the detail view to show the sent reply",
        )


async def test_the_archive_arrives_as_its_own_message_and_no_change_is_empty(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_background_reads(monkeypatch)
    data_dir = tmp_path / "data"
    stored_mentions(data_dir, 40, 4, over_days=True)
    seen: list[Message] = []

    def hook(message: Message) -> None:
        if isinstance(message, DataChanged | ArchiveLoaded):
            seen.append(message)

    app, close = make_app(data_dir, clock, poll=False, sources={}, defer_archive=True)
    try:
        async with app.run_test(size=(80, 24), message_hook=hook) as pilot:

            def bar() -> str:
                return str(app.screen.query_one("#feed-views").render())

            await wait_for(pilot, lambda: "All 40" in bar(), f"the archive counted ({bar()})")
            assert any(isinstance(m, ArchiveLoaded) for m in seen)
            empty = [m for m in seen if isinstance(m, DataChanged) and not m.changed]
            assert not empty, "a DataChanged that names no change"
    finally:
        close()


async def test_the_feed_follows_changes_made_while_another_pane_is_shown(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        pilot, ws = run.pilot, run.workspace
        run_id = make_mention(1)
        await ws.ingest.ingest([run_id])
        await wait_for(pilot, lambda: run_id.id in run.feed.ids, "the mention")
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(run.app.screen, TicketBoardScreen), "tickets")
        await ws.triage.set_status([run_id.id], Status.DONE)
        # Still on the ticket board: the feed screen's own model has taken the change in.
        await wait_for(pilot, lambda: run_id.id not in feed_of(run.app).ids, "the feed updated")
        assert isinstance(run.app.screen, TicketBoardScreen)


class _Bare(App[None]):
    """An app that knows nothing of accounts or keymaps: widgets get what they show."""

    def compose(self) -> ComposeResult:
        yield StatusBar("Feed", {"app.feed": "1", "app.tickets": "2"})
        yield HealthStrip()


async def test_the_strip_and_the_bar_show_what_they_are_given() -> None:
    app = _Bare()
    async with app.run_test(size=(120, 10)) as pilot:
        health = AccountHealth("bank-vk", Platform.VK, HealthState.AUTH_FAILED, message="401")
        app.query_one(HealthStrip).show_health(HealthReport([health], T0, details_key="A"))
        await pilot.pause()
        assert "bank-vk" in str(app.query_one(HealthStrip).render())
        tabs = str(app.query_one("#status-tabs").render())
        assert "1 Feed" in tabs and "2 Tickets" in tabs


async def test_background_work_runs_off_the_loop_and_returns_on_it() -> None:
    app: App[None] = App()
    threads: dict[str, threading.Thread] = {}
    errors: list[Exception] = []

    def blocking() -> int:
        threads["work"] = threading.current_thread()
        return 42

    def broken() -> int:
        raise LookupError("gone")

    def done(result: int) -> None:
        threads["done"] = threading.current_thread()
        assert result == 42

    async with app.run_test() as pilot:
        in_background(app, blocking, done=done, group="test")
        in_background(app, broken, group="test", expected=(LookupError,), failed=errors.append)
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert threads["work"] is not threading.main_thread()
    assert threads["done"] is threading.main_thread()
    assert [str(e) for e in errors] == ["gone"]


async def test_async_work_replaced_before_it_starts_is_never_created() -> None:
    app: App[None] = App()
    started: list[str] = []
    shown: list[str] = []

    async def fetch(name: str) -> str:
        started.append(name)
        return name

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with app.run_test() as pilot:
            # The second fetch of an exclusive group cancels the first before it starts.
            old, new = partial(fetch, "old"), partial(fetch, "new")
            in_background(app, old, done=shown.append, group="g", exclusive=True)
            in_background(app, new, done=shown.append, group="g", exclusive=True)
            await wait_for(pilot, lambda: shown == ["new"], "the newer fetch shown")
            del old, new
        gc.collect()
    assert started == ["new"]
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []


@pytest.fixture
def reads_while_painting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The ids of closed mentions any store looks up while the feed list paints a line."""
    painting = threading.local()
    reads: list[str] = []
    paint, get = FeedList.render_line, Store.get

    def render_line(self: FeedList, y: int) -> Any:
        painting.now = True
        try:
            return paint(self, y)
        finally:
            painting.now = False

    def counted_get(self: Store, collection: Collection, record_id: str) -> Record | None:
        record = get(self, collection, record_id)
        if getattr(painting, "now", False) and record and record["status"] == "done":
            reads.append(record_id)
        return record

    monkeypatch.setattr(FeedList, "render_line", render_line)
    monkeypatch.setattr(Store, "get", counted_get)
    yield reads


async def test_painting_the_feed_reads_no_archived_mention(
    tmp_path: Path, clock: FakeClock, reads_while_painting: list[str]
) -> None:
    data_dir = tmp_path / "data"
    stored_mentions(data_dir, 300, 10, over_days=True)
    async with running(data_dir, clock, poll=False, sources={}) as run:
        pilot = run.pilot
        await wait_for(pilot, lambda: len(run.feed.ids) == 30, "the open queue")
        await pilot.press("o", "G")  # every mention, down to the oldest
        await wait_for(pilot, lambda: len(run.feed.ids) == 300, "every mention")
        feed_list = run.app.screen.query_one(FeedList)
        assert isinstance(run.app.screen, FeedScreen)
        await settle(pilot)
        # The rows came in from a worker: the bottom row shows its mention, not a placeholder.
        last = run.feed.mention(run.feed.ids[-1])
        assert last is not None
        await wait_for(
            pilot,
            lambda: last.author.handle in feed_list.render_line(feed_list.size.height - 1).text,
            "the last row drawn",
        )
        assert reads_while_painting == []
