"""Where a command's beacon draw gets its round: drand's relays, or the recorded replay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from smm_tui.adapters.drand import DrandRelays
from smm_tui.adapters.http import make_client
from smm_tui.adapters.replay_beacon import ReplayBeacon
from smm_tui.core.contest_run import BeaconSource
from smm_tui.core.models import Contest


@asynccontextmanager
async def beacon_source(contest: Contest) -> AsyncIterator[BeaconSource]:
    """The source for ``contest``'s committed round: the replay when it committed to the
    recorded round (the demo), else drand's relays, over a client closed after."""
    if contest.commitment is not None and contest.commitment.replay:
        yield ReplayBeacon()
        return
    async with make_client() as client:
        yield DrandRelays(client)
