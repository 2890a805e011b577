"""An account's first poll reads its recent backlog: five networks, one contract.

Every fake answers at most :attr:`FakeNetwork.page_size` (3) items a page, so
the 8 recent mentions seeded here take several pages on each network. The
adapters are built from the account's config by the real wiring
(:func:`smm_tui.runtime.build_adapter`, ``backfill`` included) and polled into
the real store through :func:`poll_account`, as the polling engine does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from smm_tui.adapters.base import Adapter, RateLimited
from smm_tui.config import Config
from smm_tui.core.models import Platform
from smm_tui.core.network import DEFAULT_BACKFILL
from smm_tui.core.workspace import Workspace, poll_account
from smm_tui.runtime import build_adapter, open_workspace
from tests.adapters import checks
from tests.fakes.base import FakeNetwork, Fault
from tests.fakes.bluesky import FakeBluesky

RECENT = [f"recent {k}" for k in range(1, 9)]
#: How many calls of the "mentions" operation a first poll makes before its second
#: page of mentions: VK first starts a long-poll session and lists the wall's posts.
CALLS_BEFORE_SECOND_PAGE = {
    Platform.MASTODON: 1,
    Platform.BLUESKY: 1,
    Platform.X: 1,
    Platform.TELEGRAM: 1,
    Platform.VK: 3,
}
#: The networks that list mentions newest first: what a backfill read before a rate
#: limit is among the newest, so it is stored at once (the cursor still waits).
NEWEST_FIRST = (Platform.MASTODON, Platform.BLUESKY, Platform.X)


def seed(fake: FakeNetwork) -> None:
    for text in RECENT:
        fake.add_mention(text)


def stored_texts(workspace: Workspace) -> list[str]:
    """The texts of every stored mention, each once per stored record, sorted."""
    stored = checks.stored_mentions(workspace)
    assert len({m.id for m in stored}) == len(stored)
    return sorted(checks.texts(stored))


@asynccontextmanager
async def polled(
    fake: FakeNetwork, clock: checks.MovableClock, tmp_path: Path, backfill: int
) -> AsyncIterator[tuple[Workspace, Adapter]]:
    """A workspace on ``tmp_path`` whose one account (``backfill`` as set) is on ``fake``."""
    account = dataclasses.replace(fake.account(), backfill=backfill)
    config = Config(user="anna", accounts=(account,))
    if isinstance(fake, FakeBluesky):
        fake.clock = clock  # its rate-limit resets follow the adapter's clock
    adapter = build_adapter(account, config, env=fake.env(), clock=clock, index=0, long_poll=False)
    try:
        with open_workspace(tmp_path, config, sources={"brand": adapter}, clock=clock) as (ws, _):
            yield ws, adapter
    finally:
        await adapter.aclose()


async def test_a_rate_limit_mid_backfill_waits_for_the_reset_and_stores_each_once(
    fake: FakeNetwork, real_clock: checks.MovableClock, tmp_path: Path
) -> None:
    seed(fake)
    fake.fail("mentions", Fault.RATE_LIMIT, after=CALLS_BEFORE_SECOND_PAGE[fake.platform])
    async with polled(fake, real_clock, tmp_path, DEFAULT_BACKFILL) as (ws, adapter):
        with pytest.raises(RateLimited) as caught:
            await poll_account(ws, adapter)
        retry_at = caught.value.retry_at
        assert retry_at > real_clock()
        assert ws.ingest.cursor("brand") is None, "the cursor moved before the backfill ended"
        early = stored_texts(ws)
        assert early == (sorted(RECENT[-3:]) if fake.platform in NEWEST_FIRST else [])
        sent = len(fake.server.requests)

        real_clock.move_to(retry_at - timedelta(seconds=1))
        with pytest.raises(RateLimited):
            await poll_account(ws, adapter)
        assert len(fake.server.requests) == sent, "a request went out before the reset"

        real_clock.move_to(retry_at + timedelta(seconds=1))
        await checks.poll_until_quiet(ws, adapter)

        assert len(fake.server.requests) > sent
        assert stored_texts(ws) == sorted(RECENT)
        assert ws.ingest.cursor("brand") is not None


@pytest.mark.parametrize("backfill", [5, 0])
async def test_backfill_keeps_the_newest_and_later_polls_carry_on(
    fake: FakeNetwork, real_clock: checks.MovableClock, tmp_path: Path, backfill: int
) -> None:
    seed(fake)
    kept = RECENT[len(RECENT) - backfill :]
    async with polled(fake, real_clock, tmp_path, backfill) as (ws, adapter):
        first = await poll_account(ws, adapter)
        assert first.error is None
        assert stored_texts(ws) == sorted(kept)
        assert ws.ingest.cursor("brand") is not None

        fake.add_mention("after the first poll")
        await checks.poll_until_quiet(ws, adapter)

        assert stored_texts(ws) == sorted([*kept, "after the first poll"])


async def test_an_empty_first_poll_then_takes_everything_that_comes(
    fake: FakeNetwork, real_clock: checks.MovableClock, tmp_path: Path
) -> None:
    async with polled(fake, real_clock, tmp_path, 0) as (ws, adapter):
        assert (await poll_account(ws, adapter)).stored == 0

        for text in RECENT[:4]:
            fake.add_mention(text)
        await checks.poll_until_quiet(ws, adapter)

        assert stored_texts(ws) == sorted(RECENT[:4])
