"""Audited contests: rules as a file, a commitment before the close, and a beacon draw.

The steps, each refused out of turn with one line saying why:

1. **Rules** (:meth:`AuditedContests.set_rules`): a TOML file (see
   :mod:`smm_tui.core.contest_rules`), kept whole on the contest; changeable until
   the commitment fixes it.
2. **Commit** (:meth:`~AuditedContests.commit`), before entries close: the rules'
   hash, the algorithm and a drand quicknet round at least one period after the close
   are hashed (:class:`~smm_tui.core.contest_proof.Commitment`), and the hash goes out
   as a public comment on the contest post through the outbox (recorded before it is
   sent, never published twice).
3. **Freeze** (:meth:`~AuditedContests.freeze`), once entries closed: the comments
   judged under the rules (:mod:`smm_tui.core.contest_verdicts`), with the facts
   the networks gave (:mod:`smm_tui.core.contest_facts`) and people's overrides;
   the valid entries are frozen, canonically ordered.
4. **Draw** (:meth:`~AuditedContests.draw`), at the committed round: the beacon is
   fetched, its BLS signature verified, and the winners and reserves follow from
   (randomness, entries hash, rules hash) alone (``smm-draw-v2``). A round not out
   yet, or relays that cannot be reached, make the draw wait and say why
   (:class:`DrawWaits`): it never falls back to a local seed.
5. **Announce** (:meth:`~AuditedContests.announce`): the winners and the commitment,
   worded by a saved reply tagged ``contest-winners``, on the contest post.

The proof (:meth:`~AuditedContests.proof`) is rebuilt from what the contest keeps,
so anyone can check it with ``smm-tui contest verify``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from smm_tui.core import beacon as drand
from smm_tui.core import draw as local_draw
from smm_tui.core.contest_facts import FactsAsked, ask_networks, known_facts, unasked
from smm_tui.core.contest_proof import (
    Commitment,
    commit_round,
    pick,
)
from smm_tui.core.contest_results import ContestResults, contest_head, proof_entry
from smm_tui.core.contest_rules import ContestRules, RulesError, parse_rules
from smm_tui.core.contest_verdicts import (
    Override,
    networks,
    override_id,
)
from smm_tui.core.contests import ContestError, ContestService
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import (
    BeaconDraw,
    Contest,
    ContestCommitment,
    ContestState,
    FrozenEntry,
    Platform,
    Reply,
    ReplyState,
    to_iso,
)
from smm_tui.core.network import AdapterError, FactChannel
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


@dataclass(frozen=True, slots=True)
class Gathered:
    """What :meth:`AuditedContests.gather` did: the comments it collected (or why it
    could not), and the facts it asked for."""

    collected: int | str
    facts: FactsAsked


class BeaconSource(Protocol):
    """Where beacon rounds come from: drand's relays, or a recorded round (the demo)."""

    async def fetch(self, round_number: int) -> drand.Beacon:
        """The round as published, unverified; raises BeaconNotYet or AdapterError."""
        ...


#: Opens the beacon source for a contest's committed round (closed after the draw).
BeaconFactory = Callable[[Contest], AbstractAsyncContextManager[BeaconSource]]

#: The folder in the data dir that saved proof files go to.
PROOFS_FOLDER = "proofs"


class AuditedContests(ContestResults):
    """Rules, commitment, eligibility, frozen entries, beacon draw and announcement.

    ``beacons`` opens where a contest's round comes from (drand's relays, or the
    recorded replay); ``files`` is the data dir, where proofs are saved.
    """

    def __init__(
        self,
        ctx: ServiceContext,
        outbox: OutboxService,
        *,
        beacons: BeaconFactory | None = None,
        files: Path | None = None,
    ) -> None:
        super().__init__(ctx, outbox, files)
        self.beacons = beacons

    # -- rules ----------------------------------------------------------------------

    async def set_rules(self, contest_id: str, text: str) -> Contest:
        """Give the contest its rules file; refused once the commitment fixed them."""
        contest = self.get(contest_id)
        if contest.commitment is not None:
            raise ContestError(
                f"contest {contest.name!r} is committed: its rules are fixed by the commitment"
            )
        rules = checked_rules(text, contest.platform, contest.post_external_id)
        fields = {"rules_toml": text, "winners_wanted": rules.winners}
        changes = ChangeSet().patch(
            Collection.CONTESTS, contest.id, fields, expect={"commitment": None}
        )
        self.ctx.audit(changes, "contest", contest.id, "rules", rules_hash=rules.rules_hash())
        await self.ctx.commit(changes)
        return self.get(contest.id)

    # -- commitment -----------------------------------------------------------------

    async def commit(self, contest_id: str, *, replay_round: int | None = None) -> Reply:
        """Fix the rules, the algorithm and a future beacon round, and post their hash.

        The round is the first at least one beacon period after entries close.
        ``replay_round`` (the demo only) commits to an already published, recorded
        round instead: the commitment says so in public, and the proof carries it.
        """
        contest = self.get(contest_id)
        rules = self.required_rules(contest)
        if contest.commitment is not None:
            raise ContestError(f"contest {contest.name!r} is committed already")
        now = self.ctx.clock()
        if now >= rules.closes:
            raise ContestError(
                f"entries closed at {to_iso(rules.closes)}: a commitment must come before the close"
            )
        commitment = Commitment(
            rules_hash=rules.rules_hash(),
            round=replay_round if replay_round is not None else commit_round(rules.closes),
            replay=replay_round is not None,
        )
        changes = ChangeSet()
        reply = self.outbox.reply_under_post(
            changes, contest_head(contest), commitment.text(), contest_id=contest.id
        )
        kept = ContestCommitment(
            hash=commitment.hash(),
            round=commitment.round,
            replay=commitment.replay,
            text=commitment.text(),
            reply_id=reply.id,
            committed_at=now,
            committed_by=self.ctx.actor,
        )
        changes.patch(
            Collection.CONTESTS, contest.id, {"commitment": kept.to_record()}, {"commitment": None}
        )
        self.ctx.audit(changes, "contest", contest.id, "commit", hash=kept.hash, round=kept.round)
        await self.ctx.commit(changes)
        return self.outbox.reply(reply.id)

    def commitment_reply(self, contest: Contest) -> Reply | None:
        """The reply carrying the commitment, if the contest is committed."""
        if contest.commitment is None:
            return None
        return self.outbox.reply(contest.commitment.reply_id)

    # -- eligibility ----------------------------------------------------------------

    async def gather(
        self, contest_id: str, contests: ContestService, channels: Mapping[str, FactChannel]
    ) -> Gathered:
        """What closing needs first: every comment on the post fetched (where the network
        can list them, so none the poller missed is left out), then the entrants' facts."""
        try:
            collected: int | str = await contests.collect_from_network(contest_id)
        except ContestError as exc:
            collected = str(exc)
        return Gathered(collected, await self.ask_facts(contest_id, channels))

    async def ask_facts(self, contest_id: str, channels: Mapping[str, FactChannel]) -> FactsAsked:
        """Ask the networks about the entrants not asked about yet (membership, age)."""
        contest = self.get(contest_id)
        rules = self.required_rules(contest)
        if not (rules.entry.membership or rules.entry.min_account_age_days is not None):
            return FactsAsked()
        comments = self.comments(contest)
        wanted = unasked(comments, known_facts(self.ctx, contest.id))
        platforms = {c.account: c.platform for c in comments}
        return await ask_networks(self.ctx, contest.id, wanted, platforms, channels)

    async def override(self, contest_id: str, mention_id: str, accept: bool, note: str) -> Override:
        """Decide one comment by hand, with a note; refused once entries are frozen."""
        contest = self.get(contest_id)
        if contest.frozen_at is not None:
            raise ContestError(f"contest {contest.name!r}: the entries are frozen")
        if not note.strip():
            raise ContestError("an override needs a note saying why")
        self.ctx.mention(mention_id)
        decided = Override(
            contest_id=contest.id,
            mention_id=mention_id,
            accept=accept,
            note=one_line(note.strip()),
            by=self.ctx.actor,
            at=self.ctx.clock(),
        )
        changes = ChangeSet().put(Collection.CONTEST_OVERRIDES, decided.to_record())
        self.ctx.audit(
            changes,
            "contest",
            contest.id,
            "override",
            mention_id=mention_id,
            accept=accept,
            note=decided.note,
        )
        await self.ctx.commit(changes)
        return decided

    async def drop_override(self, contest_id: str, mention_id: str) -> None:
        """Give a comment back to the rules' verdict; refused once entries are frozen."""
        contest = self.get(contest_id)
        if contest.frozen_at is not None:
            raise ContestError(f"contest {contest.name!r}: the entries are frozen")
        changes = ChangeSet().delete(
            Collection.CONTEST_OVERRIDES, override_id(contest.id, mention_id)
        )
        self.ctx.audit(changes, "contest", contest.id, "override dropped", mention_id=mention_id)
        await self.ctx.commit(changes)

    # -- freeze and draw ------------------------------------------------------------

    async def freeze(self, contest_id: str) -> Contest:
        """Freeze the valid entries, once entries have closed (see the module docstring)."""
        contest = self.get(contest_id)
        rules = self.required_rules(contest)
        if contest.frozen_at is not None:
            raise ContestError(f"contest {contest.name!r}: the entries are frozen already")
        now = self.ctx.clock()
        if now < rules.closes:
            raise ContestError(f"entries close at {to_iso(rules.closes)}; not frozen before")
        entries = [
            FrozenEntry(
                network=v.comment.platform,
                entry=v.comment.external_id,
                handle=v.comment.author.handle,
                mention_id=v.comment.id,
            )
            for v in self.verdicts(contest.id)
            if v.accepted
        ]
        entries.sort(key=lambda e: (e.network.value, e.entry))
        fields = {"frozen_at": to_iso(now), "frozen": [e.to_record() for e in entries]}
        changes = ChangeSet().patch(Collection.CONTESTS, contest.id, fields, {"frozen_at": None})
        self.ctx.audit(changes, "contest", contest.id, "freeze", entries=len(entries))
        await self.ctx.commit(changes)
        return self.get(contest.id)

    async def draw(self, contest_id: str, source: BeaconSource) -> Contest:
        """Draw on the committed round, once its beacon is out and verifies.

        Raises :class:`DrawWaits` while the round is not out or drand cannot be
        reached, and ContestError when a step before is missing or the beacon is false.
        """
        contest = self.get(contest_id)
        rules = self.required_rules(contest)
        commitment = self._ready_to_draw(contest)
        beacon = await _fetch(source, commitment.round)
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
        fields = {"state": ContestState.DRAWN.value, "beacon_draw": drawn.to_record()}
        changes = ChangeSet().patch(
            Collection.CONTESTS, contest.id, fields, {"state": ContestState.OPEN.value}
        )
        self.ctx.audit(changes, "contest", contest.id, "draw", round=beacon.round)
        await self.ctx.commit(changes)
        return self.get(contest.id)

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
        if contest.state is ContestState.DRAWN:
            raise ContestError(f"contest {contest.name!r} was drawn already")
        if contest.frozen_at is None:
            raise ContestError(f"contest {contest.name!r}: freeze the entries first")
        entries = self.frozen_as_entries(contest)
        wanted = min(self.required_rules(contest).winners, len(entries))
        if wanted < 1:
            raise ContestError(f"contest {contest.name!r} has no valid entries")
        result, _ = local_draw.run_draw(
            entries, local_draw.new_seed(), wanted, self.ctx.actor, self.ctx.clock()
        )
        fields = {"state": ContestState.DRAWN.value, "draw": result.to_record()}
        changes = ChangeSet().patch(
            Collection.CONTESTS, contest.id, fields, {"state": ContestState.OPEN.value}
        )
        self.ctx.audit(changes, "contest", contest.id, "draw unverifiable", seed=result.seed)
        await self.ctx.commit(changes)
        return self.get(contest.id)

    def _ready_to_draw(self, contest: Contest) -> ContestCommitment:
        if contest.state is ContestState.DRAWN:
            raise ContestError(f"contest {contest.name!r} was drawn already")
        if contest.commitment is None:
            raise ContestError(
                f"contest {contest.name!r} has no commitment: a beacon draw needs one "
                "made before entries closed"
            )
        reply = self.outbox.reply(contest.commitment.reply_id)
        if reply.state is not ReplyState.SENT:
            raise ContestError(
                f"the commitment is not published yet ({reply.state.value}): send it first"
            )
        if contest.frozen_at is None:
            raise ContestError(f"contest {contest.name!r}: freeze the entries first")
        if not contest.frozen:
            raise ContestError(f"contest {contest.name!r} has no valid entries")
        return contest.commitment


def checked_rules(text: str, platform: Platform, post: str) -> ContestRules:
    """The rules in ``text`` for a contest on ``post``; ContestError naming the key at fault."""
    try:
        rules = parse_rules(text)
    except RulesError as exc:
        raise ContestError(str(exc)) from None
    if (platform, post) not in networks(rules):
        raise ContestError(
            f"rules: posts: must include the contest's post ({platform.value} {post})"
        )
    return rules


def _keys(posts: frozenset[tuple[Any, str]]) -> frozenset[tuple[str, str]]:
    return frozenset((network.value, post) for network, post in posts)


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


__all__ = [
    "AuditedContests",
    "BeaconFactory",
    "BeaconSource",
    "DrawWaits",
    "Gathered",
    "checked_rules",
]
