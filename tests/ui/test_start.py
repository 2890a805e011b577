"""Start-up over a large store: the open queue first, the archive read after the first paint."""

from __future__ import annotations

from pathlib import Path

from smm_tui.core.models import Status
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention
from tests.ui.harness import running, wait_for


async def test_the_queue_shows_first_and_the_archive_follows(
    tmp_path: Path, clock: FakeClock
) -> None:
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        changes = ChangeSet()
        for n in range(40):
            status = Status.NEW if n % 4 == 0 else Status.DONE
            changes.put(Collection.MENTIONS, make_mention(n, status=status).to_record())
        store.commit(changes)
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
