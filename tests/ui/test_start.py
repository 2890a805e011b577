"""Start-up over a large store: the open queue first, the archive read after the first paint."""

from __future__ import annotations

from pathlib import Path

import pytest

from smm_tui.config import Config
from smm_tui.core.feed import FeedModel
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.runtime import open_workspace
from smm_tui.store.store import Store
from tests.conftest import T0, FakeClock, make_mention
from tests.ui.harness import no_background_reads, running, stored_mentions, wait_for


async def test_the_queue_shows_first_and_the_archive_follows(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_background_reads(monkeypatch)
    data_dir = tmp_path / "data"
    stored_mentions(data_dir, 40, 4)
    async with running(data_dir, clock, poll=False, sources={}, defer_archive=True) as run:
        await wait_for(run.pilot, lambda: len(run.feed.ids) == 10, "the open queue")
        # Once painted, the app asks for the archive; "All" then counts everything.
        all_view = str(run.app.screen.query_one("#feed-views").render())
        await wait_for(
            run.pilot,
            lambda: "All 40" in str(run.app.screen.query_one("#feed-views").render()),
            f"the archive to be counted (bar: {all_view})",
        )
        await run.pilot.press("o")  # the whole feed
        await wait_for(run.pilot, lambda: len(run.feed.ids) == 40, "every mention")


def test_mentions_from_before_due_times_are_queued_by_them_from_the_start(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    alarming = make_mention(
        3, text="FRAUD: you charged my card twice, scammers, give it back!", created_at=T0
    )
    with Store.open(data_dir) as store:  # as an older version stored them: no due times
        changes = ChangeSet()
        for n in range(6):
            mention = alarming if n == 3 else make_mention(n, text="all good", created_at=T0)
            changes.put(Collection.MENTIONS, mention.to_record())
        store.commit(changes)
    with open_workspace(data_dir, Config(user="anna"), sources={}) as (ws, _):
        feed = FeedModel(ws.repo, ws.query_context)
        assert all(m.sla_due_at is not None for m in feed.mentions(feed.ids))
        # All due at once: priority decides, so the alarming one leads the queue.
        assert feed.ids[0] == alarming.id
