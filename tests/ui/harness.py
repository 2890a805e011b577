"""Build the real app on a temporary data dir, with a fake clock, and wait on conditions."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from smm_tui.app import SmmApp
from smm_tui.config import Config, demo_config
from smm_tui.core.workspace import Workspace
from smm_tui.runtime import build_sources, open_workspace
from tests.conftest import FakeClock

WAIT_SECONDS = 10.0


@dataclass
class Running:
    """A running app and what tests need to drive and inspect it."""

    app: SmmApp
    pilot: Pilot[None]
    workspace: Workspace


def make_app(
    data_dir: Path, clock: FakeClock, *, config: Config | None = None, poll: bool = True
) -> tuple[SmmApp, Callable[[], None]]:
    """The real app over a demo workspace; call the returned function to close the store."""
    config = config or demo_config("alice")
    sources, _ = build_sources(config, clock=clock)
    counter = itertools.count(1)
    context = open_workspace(
        data_dir,
        config,
        sources=sources,
        clock=clock,
        make_id=lambda: f"{next(counter):06x}{0:010x}",
    )
    workspace, warnings = context.__enter__()
    app = SmmApp(workspace, keymap=config.keymap, warnings=warnings, poll=poll)
    return app, lambda: context.__exit__(None, None, None)


@asynccontextmanager
async def running(
    data_dir: Path,
    clock: FakeClock,
    *,
    config: Config | None = None,
    size: tuple[int, int] = (80, 24),
    poll: bool = True,
) -> AsyncIterator[Running]:
    """Run the app headless; the store is closed (writes finished) on exit."""
    app, close = make_app(data_dir, clock, config=config, poll=poll)
    try:
        async with app.run_test(size=size) as pilot:
            yield Running(app, pilot, app.workspace)
    finally:
        close()


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
