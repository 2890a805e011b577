"""Two smm-tui on one data dir: one polls, the other shows who does, and takes over."""

from __future__ import annotations

from pathlib import Path

from smm_tui.core.polling import HealthState
from smm_tui.store.lease import PollerLease
from smm_tui.widgets.health_strip import HealthStrip
from tests.conftest import FakeClock
from tests.ui.harness import feed_of, make_app, wait_for


async def test_the_second_app_leaves_polling_to_the_first_then_takes_over(
    tmp_path: Path, clock: FakeClock
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    other = PollerLease(data_dir, "teammate-host:4242")
    assert other.try_acquire()
    app, close = make_app(data_dir, clock)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert not app.polling and app.poller_elsewhere == "teammate-host:4242"
            strip = app.screen.query_one(HealthStrip)
            app.show_health()
            assert "polled by teammate-host:4242" in str(strip.render())
            assert len(feed_of(app).ids) == 0, "the teammate's process fetches"

            other.release()
            app.claim_polling()
            assert app.polling and app.poller_elsewhere is None
            await wait_for(pilot, lambda: len(feed_of(app).ids) >= 140, "the whole backlog")
            await wait_for(
                pilot,
                lambda: all(h.state is HealthState.OK for h in app.account_health()),
                "every account polled",
            )
            assert not PollerLease(data_dir, "late:1").try_acquire()
    finally:
        close()
    assert PollerLease(data_dir, "after:1").try_acquire(), "closing released the lease"
