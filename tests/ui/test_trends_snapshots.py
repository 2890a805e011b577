"""SVG snapshots of the Trends pane and the spike alerts list, at 80x24 and 60x20, over a
seeded week of flat mentions and a burst of complaints (no polling: the data is fixed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from smm_tui.app import SmmApp
from smm_tui.core.alert_watch import AlertWatch
from smm_tui.core.alerts import AlertBook
from smm_tui.core.context import ServiceContext
from smm_tui.core.spikes import TrendSettings
from smm_tui.screens.alerts import AlertsScreen
from smm_tui.screens.trends import TrendsScreen
from smm_tui.store.store import Store
from smm_tui.widgets.health_strip import HealthStrip
from tests.conftest import FakeClock
from tests.core.spike_kit import SPIKE_AT, flat_history, spike, store_all
from tests.ui.harness import history_trends, make_app, wait_for

Snap = Callable[..., bool]
SIZES = [(80, 24), (60, 20)]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[SmmApp]:
    """The app five minutes after a burst the poller raised alerts for."""
    data = tmp_path / "data"
    clock = FakeClock(SPIKE_AT - timedelta(minutes=11))
    with Store.open(data) as store:
        store_all(store, flat_history())
        ctx = ServiceContext(store, "alice", clock)
        watch = AlertWatch(ctx, TrendSettings(), AlertBook(ctx))
        watch.warm()
        watch.arrived(store_all(store, spike()))
        clock.now = SPIKE_AT
        assert watch.check()
    clock.advance(5 * 60)
    built, close = make_app(data, clock, poll=False)
    history_trends(built.workspace)
    yield built
    close()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_trends_snapshot(snap_compare: Snap, app: SmmApp, size: tuple[int, int]) -> None:
    async def show_trends(pilot: Pilot[Any]) -> None:
        await pilot.press("6")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, TrendsScreen), "trends")
        screen = pilot.app.screen
        assert isinstance(screen, TrendsScreen)
        await wait_for(pilot, lambda: screen.trends is not None, "the terms counted")
        pilot.app.clear_notifications()  # the alert's toast would hide the examples
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=show_trends)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_alerts_snapshot(snap_compare: Snap, app: SmmApp, size: tuple[int, int]) -> None:
    async def show_alerts(pilot: Pilot[Any]) -> None:
        strip = pilot.app.screen.query_one(HealthStrip)
        await wait_for(pilot, lambda: "▲ spike" in str(strip.render()), "the alert on the strip")
        pilot.app.clear_notifications()  # the alert's toast would hide the list
        await pilot.pause()
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AlertsScreen), "alerts")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=show_alerts)
