"""Build the real app on a temporary data dir, with a fake clock, and wait on conditions."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict, Unpack

import pytest
from textual.app import App
from textual.pilot import Pilot

import smm_tui.app as app_module
import smm_tui.screens.feed as feed_module
from smm_tui.app import SmmApp
from smm_tui.config import Config, demo_config
from smm_tui.core.feed import FeedModel
from smm_tui.core.models import Platform, Status
from smm_tui.core.polling import DEFAULT_POLICIES, PollingEngine, PollPolicy, Sleep
from smm_tui.core.saved_replies import SavedReply
from smm_tui.core.sources import AccountSource
from smm_tui.core.spikes import TrendSettings
from smm_tui.core.workspace import Workspace
from smm_tui.runtime import build_sources, open_workspace
from smm_tui.screens.feed import FeedScreen
from smm_tui.store.store import Store
from tests.conftest import T0, FakeClock, make_mention

WAIT_SECONDS = 10.0


@dataclass
class Running:
    """A running app and what tests need to drive and inspect it."""

    app: SmmApp
    pilot: Pilot[None]
    workspace: Workspace

    @property
    def feed(self) -> FeedModel:
        """The feed screen's model: what the feed shows."""
        return feed_of(self.app)


def feed_of(app: App[None]) -> FeedModel:
    """The model of the app's feed screen (it owns it), whichever pane is in view."""
    screen = app.get_screen_stack("feed")[0]
    assert isinstance(screen, FeedScreen)
    return screen.feed


def make_app(
    data_dir: Path,
    clock: FakeClock,
    *,
    config: Config | None = None,
    poll: bool = True,
    env: Mapping[str, str] | None = None,
    sources: Mapping[str, AccountSource] | None = None,
    policies: Mapping[Platform, PollPolicy] = DEFAULT_POLICIES,
    sleep: Sleep = asyncio.sleep,
    defer_archive: bool = False,
    saved_replies_watch: Callable[[], tuple[SavedReply, ...] | str | None] | None = None,
    working_day: bool = False,
) -> tuple[SmmApp, Callable[[], None]]:
    """The real app over a workspace (demo by default); the function returned closes the store.

    ``sources`` replaces the adapters the config would give; ``policies`` paces polling
    and ``sleep`` is how the polling loops wait between polls. ``working_day`` opens the
    demo as ``smm-tui demo`` does: a fortnight behind it, a live stream, its outage.
    """
    config = config or demo_config("alice")
    if sources is None and not working_day:
        sources, _ = build_sources(config, env=env, clock=clock)
    counter = itertools.count(1)
    context = open_workspace(
        data_dir,
        config,
        sources=sources,
        env=env,
        clock=clock,
        make_id=lambda: f"{next(counter):06x}{0:010x}",
        defer_archive=defer_archive,
    )
    workspace, warnings = context.__enter__()
    engine = PollingEngine(
        workspace.sources, workspace.ingest, workspace.ctx.clock, policies=policies, sleep=sleep
    )
    app = SmmApp(
        workspace,
        keymap=config.keymap,
        warnings=warnings,
        poll=poll,
        engine=engine,
        saved_replies_watch=saved_replies_watch,
    )

    def close() -> None:
        context.__exit__(None, None, None)

    return app, close


class AppOptions(TypedDict, total=False):
    """What ``running`` passes on to ``make_app``; see there."""

    config: Config | None
    poll: bool
    env: Mapping[str, str] | None
    sources: Mapping[str, AccountSource] | None
    policies: Mapping[Platform, PollPolicy]
    sleep: Sleep
    defer_archive: bool
    saved_replies_watch: Callable[[], tuple[SavedReply, ...] | str | None] | None
    working_day: bool


@asynccontextmanager
async def running(
    data_dir: Path,
    clock: FakeClock,
    *,
    size: tuple[int, int] = (80, 24),
    notifications: bool = False,
    **options: Unpack[AppOptions],
) -> AsyncIterator[Running]:
    """Run the app headless; the store is closed (writes finished) on exit.

    ``options`` are ``make_app``'s; ``notifications`` shows toasts as widgets (Textual's test
    mode leaves them out).
    """
    app, close = make_app(data_dir, clock, **options)
    try:
        async with app.run_test(size=size, notifications=notifications) as pilot:
            yield Running(app, pilot, app.workspace)
    finally:
        close()


#: How many mentions the demo lists once its backlog is in.
DEMO_BACKLOG = 140


@asynccontextmanager
async def demo_backlog(
    tmp_path: Path, clock: FakeClock, **options: Unpack[AppOptions]
) -> AsyncIterator[Running]:
    """The demo app on a fresh data dir under ``tmp_path``, once its whole backlog is listed."""
    async with running(tmp_path / "data", clock, **options) as run:
        await wait_for(run.pilot, lambda: len(run.feed.ids) >= DEMO_BACKLOG, "the whole backlog")
        yield run


async def wait_for(pilot: Pilot[None], condition: Callable[[], object], what: str) -> None:
    """Let the app run until ``condition()`` holds; fail with ``what`` after a bound."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.02)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the workers for service calls and sends have finished (pollers never do)."""
    busy = [worker for worker in pilot.app.workers if worker.group != "poll"]
    if busy:  # an empty list would mean "every worker", pollers included
        await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause()


def notices(app: App[None], monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every toast the app shows from now on, as (message, severity)."""
    said: list[tuple[str, str]] = []

    def notify(message: str, *, severity: str = "information", **_: object) -> None:
        said.append((message, severity))

    monkeypatch.setattr(app, "notify", notify)
    return said


def no_background_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """No refresh or warm-up within the test: only the app's own requests read the store."""
    monkeypatch.setattr(app_module, "REFRESH_SECONDS", 3600.0)
    monkeypatch.setattr(feed_module, "WARM_AFTER_SECONDS", 3600.0)


def stored_mentions(
    data_dir: Path, total: int, open_every: int, *, over_days: bool = False
) -> None:
    """A store of ``total`` mentions, one in ``open_every`` still open, the rest done.

    They go in through ingest, so the open ones have due times and start-up writes nothing;
    ``over_days`` spreads them over a month's days (and so over many daily archives).
    """
    with Store.open(data_dir) as store:
        ingest = Workspace(store, actor="anna", sources={}).ingest
        mentions = [
            make_mention(
                n,
                status=Status.NEW if n % open_every == 0 else Status.DONE,
                **({"created_at": T0.replace(day=1 + n % 28)} if over_days else {}),
            )
            for n in range(total)
        ]
        store.commit(ingest.changes_for(mentions))


def history_trends(workspace: Workspace) -> None:
    """Spike alerts and rising terms over the stored history, as a real workspace has them.

    The built-in demo's count only its live stream (``runtime.trends_from``); tests that
    store a history of their own on the demo's config want the real thing.
    """
    zone = workspace.settings.trends.zone
    workspace.settings = dataclasses.replace(
        workspace.settings, trends=TrendSettings(zone=zone), alerts_from_start=False
    )
