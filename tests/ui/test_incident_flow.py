"""Incident mode in the app: `I` on a complaint gathers its near-duplicates in the view,
one reply written once goes to each of them (paced, by the poller's sender), the progress
shows, `x` drops one, `p` pauses, and the incidents list shows it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType

import pytest
from textual.widgets import Static, TextArea

from smm_tui.adapters.demo_outage import OUTAGE_AFTER, OUTAGE_ENV
from smm_tui.config import demo_config
from smm_tui.config.model import IncidentsConfig
from smm_tui.core.incidents import Incident
from smm_tui.core.models import Author, Mention, ReplyState, Status
from smm_tui.core.saved_replies import SavedReply
from smm_tui.screens.alerts import AlertsScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.incident import IncidentScreen
from smm_tui.screens.incident_dialogs import TemplateScreen
from smm_tui.screens.incidents import IncidentsScreen
from smm_tui.widgets.feed_list import FeedList
from tests.conftest import T0, FakeClock
from tests.ui.harness import Running, demo_backlog, running, settle, wait_for

OUTAGE = (
    "Приложение не работает, не могу войти уже час",
    "приложение не работает!!! не могу войти",
    "Не могу войти в приложение, приложение не работает",
    "опять приложение не работает и не могу войти",
    "Приложение не работает не могу войти в личный кабинет",
    "У меня приложение не работает, не могу войти, что случилось?",
)
APOLOGY = SavedReply(
    "outage", "{first_name}, приложение уже чинят, простите. Напишем, когда заработает.", "ru"
)
APOLOGY_EN = SavedReply("outage-en", "{first_name}, the app is being fixed; sorry.", "en")
#: How far the clock moves between two polls of the demo.
POLL_STEP = timedelta(seconds=30)
#: Fast enough that the test does not wait on the demo's pace.
FAST = IncidentsConfig(MappingProxyType({"demo": 6000.0}))


async def with_outage(run: Running, clock: FakeClock) -> list[str]:
    """Six near-identical complaints on the demo's VK account, stored through ingest."""
    account = next(iter(run.workspace.sources))
    mentions = [
        Mention(
            platform=run.workspace.sources[account].platform,
            account=account,
            external_id=f"outage-{n}",
            author=Author(id=f"o{n}", handle=f"client{n}", display_name=f"Анна{n} Петрова"),
            text=text,
            created_at=clock() - timedelta(minutes=n),
            root_external_id="post-outage",
            parent_external_id="post-outage",
            status=Status.NEW,
        )
        for n, text in enumerate(OUTAGE)
    ]
    await run.workspace.ctx.commit(run.workspace.ingest.changes_for(mentions))
    ids = [m.id for m in mentions]
    await wait_for(run.pilot, lambda: set(ids) <= set(run.feed.ids), "the outage in the feed")
    return ids


async def filter_feed(run: Running, query: str) -> None:
    await run.pilot.press("slash", *query, "enter")
    await wait_for(run.pilot, lambda: run.feed.filter.text == query, "the filter")


async def test_i_gathers_the_near_duplicates_in_the_view(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        ids = await with_outage(run, clock)
        await filter_feed(run, "приложение")
        feed_list = run.app.screen.query_one("#feed-list", FeedList)
        feed_list.focus()
        feed_list.move_to(ids[0])
        await run.pilot.press("I")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, IncidentScreen), "incident")
        screen = run.app.screen
        assert isinstance(screen, IncidentScreen)
        incident = run.workspace.incidents.get(screen.incident_id)
        assert set(ids) <= set(incident.members)
        assert incident.query == "приложение"
        await settle(run.pilot)
        networks = str(screen.query_one("#incident-networks", Static).render())
        assert f"{len(incident.members)} mentions" in networks


async def test_one_reply_goes_to_every_member_once(tmp_path: Path, clock: FakeClock) -> None:
    """The demo's own mentions (its simulated networks know them), sent by the poller."""
    config = dataclasses.replace(demo_config("alice"), incidents=FAST)
    async with demo_backlog(tmp_path, clock, config=config) as run:
        run.workspace.saved_replies.replace([APOLOGY])
        ids = [m for m in run.feed.ids if not run.workspace.outbox.replies_to(m)][:5]
        incident = await run.workspace.incidents.open("Outage", ids)
        run.app.push_screen(IncidentScreen(incident.id))
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, IncidentScreen), "incident")
        screen = run.app.screen
        await run.pilot.press("r")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, TemplateScreen), "template")
        await run.pilot.press("ctrl+t", "enter")
        dialog = run.app.screen
        assert dialog.query_one(TextArea).text == APOLOGY.body

        def preview() -> str:
            return str(dialog.query_one("#template-preview", Static).render())

        await wait_for(run.pilot, lambda: "To the first: " in preview(), "the text filled in")
        assert "{first_name}" not in preview()
        await run.pilot.press("ctrl+s")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ConfirmScreen), "confirm")
        await run.pilot.press("y")

        def sent() -> int:
            clock.advance(0.5)  # the pace is kept on the workspace clock
            return run.workspace.incidents.progress(incident.id).sent

        await wait_for(run.pilot, lambda: sent() == len(ids), "every reply sent")
        for mention_id in ids:
            replies = run.workspace.outbox.replies_to(mention_id)
            assert [r.state for r in replies] == [ReplyState.SENT]
            assert "{first_name}" not in replies[0].text
        await settle(run.pilot)
        progress = str(screen.query_one("#incident-progress", Static).render())
        assert f"{len(ids)}/{len(ids)} sent" in progress


async def test_drop_pause_and_the_list(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        ids = await with_outage(run, clock)
        incident: Incident = await run.workspace.incidents.open("Outage", ids)
        run.app.push_screen(IncidentScreen(incident.id))
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, IncidentScreen), "incident")
        await run.pilot.press("space", "x")

        def members() -> tuple[str, ...]:
            return run.workspace.incidents.get(incident.id).members

        await wait_for(run.pilot, lambda: len(members()) == len(ids) - 1, "one dropped")
        await run.pilot.press("p")
        await wait_for(run.pilot, lambda: run.workspace.incidents.get(incident.id).paused, "paused")
        title = str(run.app.screen.query_one("#incident-title", Static).render())
        assert "paused" in title
        await run.pilot.press("escape")
        await run.pilot.press("colon", *"Incidents", "enter")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, IncidentsScreen), "list")
        await settle(run.pilot)
        await run.pilot.press("enter")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, IncidentScreen), "reopened")


async def polled_at(run: Running, clock: FakeClock) -> None:
    """Wait until every account has been polled at the clock's time."""
    now = clock()

    def all_polled() -> bool:
        healths = run.app.account_health()
        return bool(healths) and all(h.last_success == now for h in healths)

    await wait_for(run.pilot, all_polled, "a poll of every account")


async def test_the_demo_outage_alerts_and_one_reply_reaches_every_complaint_once(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16's demo: the outage raises a spike alert, `I` on it gathers the complaints,
    and one reply goes to each of them exactly once, with the progress shown."""
    monkeypatch.delenv(OUTAGE_ENV, raising=False)
    config = dataclasses.replace(demo_config("alice"), incidents=FAST)
    async with running(tmp_path / "data", clock, config=config, working_day=True) as run:
        app, pilot, ws = run.app, run.pilot, run.workspace
        ws.saved_replies.replace([APOLOGY, APOLOGY_EN])
        await wait_for(pilot, lambda: app.alerts.watching, "the spike watch")
        # The live stream up to just before the outage, then a poll every 30 seconds.
        for moment in (OUTAGE_AFTER - POLL_STEP, OUTAGE_AFTER, OUTAGE_AFTER + POLL_STEP):
            clock.now = T0 + moment
            await polled_at(run, clock)
            app.alerts.check()  # as after each poll
            await settle(pilot)
            if moment <= OUTAGE_AFTER:
                assert ws.alerts.all() == [], "quiet before the outage"
        await wait_for(pilot, lambda: "▲" in app.alerts.strip_line(), "the alert on the strip")
        clock.now = T0 + OUTAGE_AFTER + 6 * POLL_STEP  # the manager looks a few minutes on
        await polled_at(run, clock)

        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), "the alerts")
        await pilot.press("I")
        await wait_for(pilot, lambda: isinstance(app.screen, IncidentScreen), "the incident")
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        incident = ws.incidents.get(screen.incident_id)
        outage = [ws.ctx.mention(m) for m in incident.members]
        assert len(outage) >= 10
        assert all(m.created_at > T0 + OUTAGE_AFTER for m in outage), "the outage's own"

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, TemplateScreen), "template")
        await pilot.press("ctrl+t", "enter", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), "confirm")
        await pilot.press("y")

        def sent() -> int:
            clock.advance(0.5)  # the pace is kept on the workspace clock
            return ws.incidents.progress(incident.id).sent

        await wait_for(pilot, lambda: sent() == len(outage), "every reply sent")
        for mention in outage:
            assert [r.state for r in ws.outbox.replies_to(mention.id)] == [ReplyState.SENT]
        await settle(pilot)
        # Complaints that arrived since joined it, to be answered when the manager chooses.
        progress = str(screen.query_one("#incident-progress", Static).render())
        assert f"Replies {len(outage)}/" in progress
