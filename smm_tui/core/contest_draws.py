"""The draw of an audited contest: on its committed drand round, verified, or explicitly not.

See :mod:`smm_tui.core.contest_run` for the steps and :mod:`smm_tui.core.contest_timing`
for when a draw is allowed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from smm_tui.core import beacon as drand
from smm_tui.core import draw as local_draw
from smm_tui.core.contest_proof import Commitment, pick
from smm_tui.core.contest_results import ContestResults, KeepFile, proof_entry
from smm_tui.core.contest_rules import ContestRules
from smm_tui.core.contest_timing import check_published_in_time
from smm_tui.core.contests import ContestError
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import BeaconDraw, Contest, ContestCommitment, ContestState, Reply, to_iso
from smm_tui.core.network import AdapterError
from smm_tui.core.outbox import OutboxService
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sanitize import one_line


class DrawWaits(ContestError):
    """The draw cannot be made yet (the round is not out, drand cannot be reached).

    ``retry_at`` is when to try again, where known.
    """

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class BeaconSource(Protocol):
    """Where beacon rounds come from: drand's relays, or a recorded round (the demo)."""

    async def fetch(self, round_number: int) -> drand.Beacon:
        """The round as published, unverified; raises BeaconNotYet or AdapterError."""
        ...


#: Opens the beacon source for a contest's committed round (closed after the draw).
BeaconFactory = Callable[[Contest], AbstractAsyncContextManager[BeaconSource]]


class ContestDraws(ContestResults):
    """Draws a frozen contest: on the committed round from ``beacons`` (drand's relays,
    or the recorded replay), or, by a person's explicit choice, from a local seed."""

    def __init__(
        self,
        ctx: ServiceContext,
        outbox: OutboxService,
        keep_file: KeepFile | None,
        beacons: BeaconFactory | None,
    ) -> None:
        super().__init__(ctx, outbox, keep_file)
        self.beacons = beacons

    def freeze_reply(self, contest: Contest) -> Reply | None:
        """The reply that publishes the frozen entries' hash, once they are frozen."""
        if contest.freeze_reply_id is None:
            return None
        return self.outbox.reply(contest.freeze_reply_id)

    async def draw(self, contest_id: str, source: BeaconSource) -> Contest:
        """Draw on the committed round, once its beacon is out and verifies.

        Raises :class:`DrawWaits` while the round is not out or drand cannot be
        reached, and ContestError when a step before is missing or the beacon is false.
        """
        contest = self.get(contest_id)
        rules = self.required_rules(contest)
        commitment = self._ready_to_draw(contest, rules)
        beacon = await _fetch(source, commitment.round)
        if beacon.round != commitment.round:
            raise ContestError(f"asked for drand round {commitment.round}, got {beacon.round}")
        try:
            await asyncio.to_thread(drand.verify, beacon)
        except drand.BeaconInvalid as exc:
            raise ContestError(
                f"drand round {beacon.round} does not verify ({exc.reason}): not drawn"
            ) from None
        entries = tuple(proof_entry(e) for e in contest.frozen)
        winners, reserves = pick(rules, entries, beacon.randomness)
        by_entry = {(e.network, e.entry): e.mention_id for e in contest.frozen}
        drawn = BeaconDraw(
            round=beacon.round,
            randomness=beacon.randomness.hex(),
            signature=beacon.signature.hex(),
            winners=tuple(by_entry[(w.network, w.entry)] for w in winners),
            reserves=tuple(by_entry[(r.network, r.entry)] for r in reserves),
            drawn_at=self.ctx.clock(),
            drawn_by=self.ctx.actor,
        )
        drawn_fields = {"beacon_draw": drawn.to_record()}
        return await self._drawn(contest, drawn_fields, "draw", round=beacon.round)

    async def draw_from_beacon(self, contest_id: str) -> Contest:
        """:meth:`draw` from the source the contest's commitment names (see ``beacons``)."""
        if self.beacons is None:
            raise ContestError("no beacon source here: draw with smm-tui contest draw")
        async with self.beacons(self.get(contest_id)) as source:
            return await self.draw(contest_id, source)

    async def draw_unverifiable(self, contest_id: str) -> Contest:
        """Draw from a local seed, as a person's explicit choice when the beacon cannot be
        had: labelled ``smm-draw-v1`` with its seed, which nobody outside can check was
        not re-rolled (its proof says so). Entries must be frozen first."""
        contest = self.get(contest_id)
        _not_drawn(contest)
        _frozen_with_entries(contest)
        entries = self.frozen_as_entries(contest)
        wanted = min(self.required_rules(contest).winners, len(entries))
        result, _ = local_draw.run_draw(
            entries, local_draw.new_seed(), wanted, self.ctx.actor, self.ctx.clock()
        )
        drawn_fields = {"draw": result.to_record()}
        return await self._drawn(contest, drawn_fields, "draw unverifiable", seed=result.seed)

    async def _drawn(
        self, contest: Contest, fields: Mapping[str, object], action: str, **detail: object
    ) -> Contest:
        """Record a draw (once: only an open contest is drawn), audited."""
        drawn = {"state": ContestState.DRAWN.value, **fields}
        changes = ChangeSet().patch(
            Collection.CONTESTS, contest.id, drawn, {"state": ContestState.OPEN.value}
        )
        self.ctx.audit(changes, "contest", contest.id, action, **detail)
        await self.ctx.commit(changes)
        return self.get(contest.id)

    def _ready_to_draw(self, contest: Contest, rules: ContestRules) -> ContestCommitment:
        _not_drawn(contest)
        if contest.commitment is None:
            raise ContestError(
                f"contest {contest.name!r} has no commitment: a beacon draw needs one "
                "made before entries closed"
            )
        committed = contest.commitment
        recomputed = Commitment(rules.rules_hash(), committed.round, committed.replay).hash()
        if recomputed != committed.hash:
            raise ContestError(
                f"the rules kept no longer give the published commitment {committed.hash}"
            )
        _frozen_with_entries(contest)
        check_published_in_time(
            contest,
            rules,
            committed,
            self.outbox.reply(committed.reply_id),
            self.freeze_reply(contest),
        )
        return committed


def _not_drawn(contest: Contest) -> None:
    if contest.state is ContestState.DRAWN:
        raise ContestError(f"contest {contest.name!r} was drawn already")


def _frozen_with_entries(contest: Contest) -> None:
    if contest.frozen_at is None:
        raise ContestError(f"contest {contest.name!r}: freeze the entries first")
    if not contest.frozen:
        raise ContestError(f"contest {contest.name!r} has no valid entries")


async def _fetch(source: BeaconSource, round_number: int) -> drand.Beacon:
    try:
        return await source.fetch(round_number)
    except drand.BeaconNotYet as exc:
        due = drand.time_of(round_number)
        raise DrawWaits(
            f"drand round {round_number} is not out yet: due {to_iso(due)}; the draw waits for it",
            exc.retry_at,
        ) from None
    except AdapterError as exc:
        raise DrawWaits(
            one_line(f"drand cannot be reached ({exc}); the draw waits, with no local fallback")
        ) from None
