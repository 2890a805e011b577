"""Live spike alerts in the app: the strip's line, the toast, `!` and `enter` to the mentions."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import OptionList

from smm_tui.app import SmmApp
from smm_tui.core.alert_watch import AlertWatch
from smm_tui.core.alerts import AlertBook
from smm_tui.core.context import ServiceContext
from smm_tui.core.spikes import TrendSettings
from smm_tui.screens.alerts import AlertsScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.screens.incident import IncidentScreen
from smm_tui.store.store import Store
from smm_tui.widgets.health_strip import HealthStrip
from tests.conftest import FakeClock
from tests.core.spike_kit import SPIKE_AT, flat_history, spike, store_all
from tests.ui.harness import feed_of, history_trends, notices, running, settle, wait_for

TERM_LINE = "▲ spike: 'приложение' ×14 in 10 min, bank-vk"


def strip_text(app: SmmApp) -> str:
    return "\n".join(str(s.render()) for s in app.screen.query(HealthStrip))


@pytest.fixture
def history(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    with Store.open(data) as store:
        store_all(store, flat_history())
    return data


async def test_a_spike_is_announced_shown_and_opens_its_mentions(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(SPIKE_AT - timedelta(minutes=11))
    async with running(history, clock, poll=False, size=(100, 30)) as run:
        history_trends(run.workspace)
        app, pilot = run.app, run.pilot
        said = notices(app, monkeypatch)
        # As claim_polling does once this process holds the poller lease.
        app.alerts.start_watch()
        await wait_for(pilot, lambda: app.alerts.watching, "the watch warmed")
        assert app.alerts.strip_line() == ""

        burst = spike()
        store_all(run.workspace.repo, burst)
        clock.now = SPIKE_AT
        app.alerts.check()  # as after a poll
        await wait_for(pilot, lambda: TERM_LINE in strip_text(app), "the strip's alert line")
        assert "(+3 more)  ! alerts" in strip_text(app)
        toasts = [message for message, _ in said if "▲" in message]
        assert toasts == [TERM_LINE + " (+3 more)"], "announced once"
        app.alerts.check()
        await settle(pilot)
        assert len([m for m, _ in said if "▲" in m]) == 1

        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), "the alerts")
        rows = app.screen.query_one("#alerts-list", OptionList)
        assert rows.option_count == 4
        assert "'приложение' 14 vs <0.1" in str(rows.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen), "the feed")
        assert set(feed_of(app).ids) == {m.id for m in burst}

        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), "the alerts again")
        await pilot.press("x")
        await wait_for(pilot, lambda: "(+2 more)" in app.alerts.strip_line(), "one dismissed")
        assert TERM_LINE not in app.alerts.strip_line()


async def test_a_process_that_does_not_poll_shows_the_stored_alert(
    history: Path, tmp_path: Path
) -> None:
    clock = FakeClock(SPIKE_AT - timedelta(minutes=11))
    async with running(history, clock, poll=False) as run:
        history_trends(run.workspace)
        app, pilot = run.app, run.pilot
        assert not app.alerts.watching
        # The poller is another process on the same data dir.
        with Store.open(history) as theirs:
            ctx = ServiceContext(theirs, "bob", clock)
            poller = AlertWatch(ctx, TrendSettings(), AlertBook(ctx))
            poller.warm()
            poller.arrived(store_all(theirs, spike()))
            clock.now = SPIKE_AT
            assert poller.check()
        await wait_for(pilot, lambda: TERM_LINE in strip_text(app), "the alert from the store")
        clock.advance(3600)
        await wait_for(pilot, lambda: "▲" not in strip_text(app), "gone an hour later")


async def test_i_on_an_alert_gathers_its_mentions_into_an_incident(history: Path) -> None:
    clock = FakeClock(SPIKE_AT - timedelta(minutes=11))
    async with running(history, clock, poll=False, size=(100, 30)) as run:
        history_trends(run.workspace)
        app, pilot = run.app, run.pilot
        app.alerts.start_watch()
        await wait_for(pilot, lambda: app.alerts.watching, "the watch warmed")
        burst = spike()
        store_all(run.workspace.repo, burst)
        clock.now = SPIKE_AT
        app.alerts.check()
        await wait_for(pilot, lambda: TERM_LINE in strip_text(app), "the alert")
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), "the alerts")
        await pilot.press("I")
        await wait_for(pilot, lambda: isinstance(app.screen, IncidentScreen), "the incident")
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        incident = run.workspace.incidents.get(screen.incident_id)
        assert set(incident.members) == {m.id for m in burst}
