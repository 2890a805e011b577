"""A session of the old version, after a newer smm-tui migrated the data dir: it says so
once, as a warning, and every change it tries is refused with that line, never written."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from smm_tui.core.models import Status
from smm_tui.store import migrations
from tests.conftest import FakeClock
from tests.ui.harness import notices, running, wait_for


async def test_the_old_session_warns_once_and_writes_nothing(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    async with running(data, clock) as run:
        pilot, app, ws = run.pilot, run.app, run.workspace
        said = notices(app, monkeypatch)
        await wait_for(pilot, lambda: len(run.feed.ids) > 3, "the queue")
        target = run.feed.ids[0]
        before = ws.ctx.mention(target).status
        migrations.write_version(data, migrations.SCHEMA_VERSION + 1)  # a newer smm-tui
        line = (
            f"the data dir {data} was upgraded to schema {migrations.SCHEMA_VERSION + 1} "
            "by a newer smm-tui: quit and start the new version"
        )
        await wait_for(pilot, lambda: (line, "warning") in said, "the warning")
        for _ in range(3):  # the app's own re-reads run meanwhile too
            await asyncio.wrap_future(ws.repo.refresh())
        await pilot.pause()
        assert said.count((line, "warning")) == 1, "said once"

        await pilot.press("g", "d")
        await wait_for(pilot, lambda: (line, "error") in said, "the change refused")
        assert ws.ctx.mention(target).status is before
        assert before is not Status.DONE
