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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from smm_tui.core.contest_draws import BeaconFactory, BeaconSource, ContestDraws, DrawWaits
from smm_tui.core.contest_facts import FactsAsked, ask_networks, known_facts, unasked
from smm_tui.core.contest_proof import Commitment, entries_hash, frozen_text
from smm_tui.core.contest_results import KeepFile, contest_head, proof_entry
from smm_tui.core.contest_rules import ContestRules, RulesError, parse_rules
from smm_tui.core.contest_timing import (
    FREEZE_WITHIN,
    before_round,
    draw_round,
)
from smm_tui.core.contest_verdicts import (
    Override,
    networks,
    override_id,
)
from smm_tui.core.contests import ContestError, ContestService
from smm_tui.core.context import ServiceContext
from smm_tui.core.models import (
    Contest,
    ContestCommitment,
    FrozenEntry,
    Platform,
    Reply,
    to_iso,
)
from smm_tui.core.network import FactChannel
from smm_tui.core.outbox import OutboxService
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sanitize import one_line


@dataclass(frozen=True, slots=True)
class Gathered:
    """What :meth:`AuditedContests.gather` did: the comments it collected (or why it
    could not), and the facts it asked for."""

    collected: int | str
    facts: FactsAsked


class AuditedContests(ContestDraws):
    """Rules, commitment, eligibility, frozen entries, beacon draw and announcement.

    ``beacons`` opens where a contest's round comes from (drand's relays, or the
    recorded replay); ``keep_file`` writes proofs in the data dir.
    """

    def __init__(
        self,
        ctx: ServiceContext,
        outbox: OutboxService,
        *,
        beacons: BeaconFactory | None = None,
        keep_file: KeepFile | None = None,
    ) -> None:
        super().__init__(ctx, outbox, keep_file, beacons)

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

    async def commit(
        self,
        contest_id: str,
        *,
        freeze_within: timedelta = FREEZE_WITHIN,
        replay_round: int | None = None,
    ) -> Reply:
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
            round=replay_round if replay_round is not None else draw_round(rules, freeze_within),
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
        can list them, so none the poller missed is left out), then the entrants' facts.

        Refused before entries close (membership is "at the close", and a fact once asked
        is kept) and once the committed round is out."""
        contest = self.get(contest_id)
        rules = self.required_rules(contest)
        now = self.ctx.clock()
        if now < rules.closes:
            raise ContestError(f"entries close at {to_iso(rules.closes)}: close them then")
        before_round(contest, now, "checking the entrants")
        try:
            collected: int | str = await contests.collect_from_network(contest_id)
        except ContestError as exc:
            collected = str(exc)
        return Gathered(collected, await self.ask_facts(contest_id, channels))

    async def ask_facts(self, contest_id: str, channels: Mapping[str, FactChannel]) -> FactsAsked:
        """Ask the networks about the entrants not asked about yet (membership, age)."""
        contest = self.get(contest_id)
        rules = self.required_rules(contest)
        before_round(contest, self.ctx.clock(), "checking the entrants")
        if not _needs_facts(rules):
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
        before_round(contest, self.ctx.clock(), "overriding a verdict")
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
        before_round(contest, self.ctx.clock(), "overriding a verdict")
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
        before_round(contest, now, "freezing the entries")
        left = self._unchecked(contest, rules)
        if left:
            raise ContestError(
                f"{left} entrants are not checked yet (membership, account age): "
                "ask the networks first; nothing frozen"
            )
        entries = self._valid_entries(contest.id)
        fields: dict[str, object] = {
            "frozen_at": to_iso(now),
            "frozen": [e.to_record() for e in entries],
        }
        changes = ChangeSet()
        if contest.commitment is not None:  # its hash goes out before the round
            text = frozen_text(
                entries_hash(proof_entry(e) for e in entries),
                len(entries),
                contest.commitment.round,
            )
            reply = self.outbox.reply_under_post(
                changes, contest_head(contest), text, contest_id=contest.id
            )
            fields["freeze_reply_id"] = reply.id
        changes.patch(Collection.CONTESTS, contest.id, fields, {"frozen_at": None})
        self.ctx.audit(changes, "contest", contest.id, "freeze", entries=len(entries))
        await self.ctx.commit(changes)
        return self.get(contest.id)

    def _unchecked(self, contest: Contest, rules: ContestRules) -> int:
        """How many entrants still lack the facts the rules need."""
        if not _needs_facts(rules):
            return 0
        wanted = unasked(self.comments(contest), known_facts(self.ctx, contest.id))
        return sum(len(authors) for authors in wanted.values())

    def _valid_entries(self, contest_id: str) -> list[FrozenEntry]:
        """The accepted comments as frozen entries, canonically ordered, each comment once."""
        entries = {
            (v.comment.platform, v.comment.external_id): FrozenEntry(
                network=v.comment.platform,
                entry=v.comment.external_id,
                handle=v.comment.author.handle,
                mention_id=v.comment.id,
            )
            for v in self.verdicts(contest_id)
            if v.accepted
        }
        return [entries[key] for key in sorted(entries, key=lambda k: (k[0].value, k[1]))]


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


def _needs_facts(rules: ContestRules) -> bool:
    """Whether the rules ask the networks anything about entrants."""
    return rules.entry.membership or rules.entry.min_account_age_days is not None


__all__ = [
    "AuditedContests",
    "BeaconFactory",
    "BeaconSource",
    "DrawWaits",
    "Gathered",
    "checked_rules",
]
