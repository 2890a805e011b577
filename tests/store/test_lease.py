"""The polling lease: one holder per data dir, handed on when the holder goes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from smm_tui.store.lease import PollerLease
from smm_tui.store.store import Store


def test_one_holder_at_a_time_and_the_next_takes_over(tmp_path: Path) -> None:
    first = PollerLease(tmp_path, "host-a:1")
    second = PollerLease(tmp_path, "host-b:2")
    assert first.try_acquire() and first.try_acquire(), "asking again keeps it"
    assert not second.try_acquire()
    assert second.holder() == "host-a:1"
    first.release()
    assert second.try_acquire() and second.holder() == "host-b:2"
    second.release()


def test_a_killed_holder_never_blocks_the_others(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from pathlib import Path
                from smm_tui.store.lease import PollerLease
                lease = PollerLease(Path({str(tmp_path)!r}), "child:1")
                assert lease.try_acquire()
                print("held", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        waiting = PollerLease(tmp_path, "me:2")
        assert not waiting.try_acquire() and waiting.holder() == "child:1"
        holder.kill()
        holder.wait()
        assert waiting.try_acquire()
        waiting.release()
    finally:
        holder.kill()


def test_the_lease_files_are_not_taken_for_store_shards(tmp_path: Path) -> None:
    lease = PollerLease(tmp_path, "me:1")
    assert lease.try_acquire()
    with Store.open(tmp_path) as store:
        assert store.warnings == []
    assert not list(tmp_path.glob("*.corrupt-*"))
    assert oct((tmp_path / ".poller.json").stat().st_mode & 0o777) == "0o600"
    lease.release()
