"""Two managers on one server: another process's composer shows here within 2 seconds,
and a second reply asks before it sends."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from textual.widgets import Static, TextArea

from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.confirm import ConfirmScreen
from tests.conftest import FakeClock, make_mention
from tests.ui.harness import running, settle, wait_for

ROOT = Path(__file__).resolve().parents[2]

#: Boris, in his own smm-tui process, starts replying to a mention and keeps at it.
BORIS = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from smm_tui.core.workspace import Workspace
    from smm_tui.store.store import Store

    data_dir, mention_id = Path(sys.argv[1]), sys.argv[2]
    with Store.open(data_dir) as store:
        boris = Workspace(store, actor="boris", sources={})
        asyncio.run(boris.presence.announce(mention_id))
        print("replying", flush=True)
        sys.stdin.readline()
    """
)


async def test_another_process_replying_shows_and_a_second_reply_asks_first(
    tmp_path: Path, clock: FakeClock
) -> None:
    data_dir = tmp_path / "data"
    async with running(data_dir, clock, poll=False) as run:
        ws = run.workspace
        mention = make_mention(1, created_at=clock())
        await ws.ingest.ingest([mention])
        await wait_for(run.pilot, lambda: len(run.feed.ids) == 1, "the mention")

        boris = subprocess.Popen(
            [sys.executable, "-c", BORIS, str(data_dir), mention.id],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        try:
            assert boris.stdout is not None and boris.stdout.readline().strip() == "replying"
            announced = time.monotonic()
            preview = run.app.screen.query_one("#feed-preview", Static)
            await wait_for(
                run.pilot, lambda: "✎ boris is replying" in str(preview.render()), "presence"
            )
            assert time.monotonic() - announced < 2.0

            await run.pilot.press("g", "r")
            await wait_for(
                run.pilot, lambda: isinstance(run.app.screen, ComposerScreen), "composer"
            )
            run.app.screen.query_one(TextArea).text = "We are on it"
            await run.pilot.press("ctrl+s")
            await wait_for(
                run.pilot, lambda: isinstance(run.app.screen, ConfirmScreen), "the warning"
            )
            assert "boris is replying too" in str(run.app.screen.query_one("Label").render())
            await run.pilot.press("n")
            await settle(run.pilot)
            assert ws.outbox.replies_to(mention.id) == []
            assert isinstance(run.app.screen, ComposerScreen), "still writing"
        finally:
            if boris.stdin is not None:
                boris.stdin.close()
            boris.wait(timeout=10)
