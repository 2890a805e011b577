"""The app when the disk fails under it: the error is said in one line, nothing half-done.

The store's own tests inject ENOSPC and EIO at every write, fsync and rename of a
commit; here the same fault meets a person pressing a key.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from textual.app import App

from smm_tui.core.models import Status
from smm_tui.core.repository import Collection
from smm_tui.store import storage
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention
from tests.store.test_store_safety import FaultyOs
from tests.ui.harness import running, settle, wait_for


def toasts(app: App[None]) -> list[str]:
    """The text of every toast on screen."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


@pytest.mark.parametrize(
    ("function", "code"),
    [("write", errno.ENOSPC), ("fsync", errno.EIO), ("replace", errno.ENOSPC)],
    ids=["ENOSPC-write", "EIO-fsync", "ENOSPC-rename"],
)
async def test_a_failing_disk_is_reported_and_the_last_good_state_kept(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, function: str, code: int
) -> None:
    faulty = FaultyOs(function, code)
    monkeypatch.setattr(storage, "os", faulty)
    data_dir = tmp_path / "data"
    async with running(data_dir, clock, poll=False, sources={}, notifications=True) as run:
        ws = run.workspace
        ws.repo.commit(ws.ingest.changes_for([make_mention(n) for n in range(3)]))
        await wait_for(run.pilot, lambda: len(run.feed.ids) == 3, "the mentions")
        target = run.feed.ids[0]

        faulty.arm(1, sticky=True)
        await run.pilot.press("d")  # done, and on to the next
        await settle(run.pilot)
        said_so = lambda: any("could not save" in t for t in toasts(run.app))  # noqa: E731
        await wait_for(run.pilot, said_so, "the error to be said")
        (said,) = [t for t in toasts(run.app) if "could not save" in t]
        assert str(data_dir) in said and "\n" not in said.strip()
        assert "nothing was changed" in said or "finished on the next save" in said
        assert ws.ctx.mention(target).status is Status.NEW  # the last good state
        assert target in run.feed.ids

        faulty.disarm()  # space freed: the same key now works
        await run.pilot.press("g", "d")
        await settle(run.pilot)
        await wait_for(run.pilot, lambda: target not in run.feed.ids, "the mention to leave")
    with Store.open(data_dir) as reopened:
        record = reopened.get(Collection.MENTIONS, target)
        assert record is not None and record["status"] == Status.DONE.value
