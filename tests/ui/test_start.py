"""Start-up over a large store: the open queue first, the archive read after the first paint."""

from __future__ import annotations

from pathlib import Path

import pytest

import smm_tui.app as app_module
import smm_tui.screens.feed as feed_module
from smm_tui.core.models import Status
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention
from tests.ui.harness import running, wait_for


async def test_the_queue_shows_first_and_the_archive_follows(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No refresh or warm-up within the test: only the app's own request reads it.
    monkeypatch.setattr(app_module, "REFRESH_SECONDS", 3600.0)
    monkeypatch.setattr(feed_module, "WARM_AFTER_SECONDS", 3600.0)
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        # Through ingest, so the open ones have due times and start-up writes nothing.
        ingest = Workspace(store, actor="anna", sources={}).ingest
        mentions = [
            make_mention(n, status=Status.NEW if n % 4 == 0 else Status.DONE) for n in range(40)
        ]
        store.commit(ingest.changes_for(mentions))
    async with running(data_dir, clock, poll=False, sources={}, defer_archive=True) as run:
        ws = run.workspace
        await wait_for(run.pilot, lambda: len(ws.feed.ids) == 10, "the open queue")
        # Once painted, the app asks for the archive; "All" then counts everything.
        all_view = str(run.app.screen.query_one("#feed-views").render())
        await wait_for(
            run.pilot,
            lambda: "All 40" in str(run.app.screen.query_one("#feed-views").render()),
            f"the archive to be counted (bar: {all_view})",
        )
        await run.pilot.press("o")  # the whole feed
        await wait_for(run.pilot, lambda: len(ws.feed.ids) == 40, "every mention")
