"""The results half of audited contests: the proof, the winners and their announcement.

See :mod:`smm_tui.core.contest_run` for the steps before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from smm_tui.core import beacon as drand
from smm_tui.core.contest_proof import (
    Commitment,
    ProofEntry,
    build_proof,
    build_proof_v1,
    proof_json,
    shown_handle,
)
from smm_tui.core.contest_reads import ContestReads
from smm_tui.core.contests import ContestError
from smm_tui.core.context import ServiceContext
from smm_tui.core.ingest import entry_for
from smm_tui.core.models import (
    Author,
    Contest,
    Entry,
    FrozenEntry,
    Mention,
    Reply,
    ReplyState,
    Status,
)
from smm_tui.core.outbox import OutboxService
from smm_tui.core.repository import ChangeSet, Collection

#: Saved replies with this tag word the winners' announcement.
ANNOUNCEMENT_TAG = "contest-winners"
_DEFAULT_ANNOUNCEMENT = (
    "{contest}: the winners are {winners}. Drawn on drand quicknet round {round}, "
    "as committed before entries closed ({commitment}). The proof: "
    "smm-tui contest verify proof.json"
)
#: Writes a file at a data-dir-relative path, whole or not at all; returns where it went.
KeepFile = Callable[[PurePosixPath, bytes], Path]

#: The folder in the data dir that saved proof files go to.
PROOFS_FOLDER = "proofs"


class ContestResults(ContestReads):
    """A drawn contest's proof, winners and announcement; ``keep_file`` writes a file in
    the data dir (the store layer's, atomic and private), where proofs are saved."""

    def __init__(
        self, ctx: ServiceContext, outbox: OutboxService, keep_file: KeepFile | None
    ) -> None:
        super().__init__(ctx, outbox)
        self.keep_file = keep_file

    def proof(self, contest_id: str) -> dict[str, Any]:
        """The proof file of the contest's draw (see ``docs/draw.md``): a beacon draw's,
        or an unverifiable local-seed draw's (``smm-draw-v1``, which says so)."""
        contest = self.get(contest_id)
        if contest.draw is not None:
            entries = self.frozen_as_entries(contest)
            return build_proof_v1(contest.draw, entries, contest.name)
        drawn, commitment = contest.beacon_draw, contest.commitment
        if drawn is None or commitment is None:
            raise ContestError(f"contest {contest.name!r} has no beacon draw yet")
        reply = self.outbox.reply(commitment.reply_id)
        frozen = contest.freeze_reply_id
        return build_proof(
            contest=contest.name,
            rules=self.required_rules(contest),
            commitment=Commitment(
                rules_hash=self.required_rules(contest).rules_hash(),
                round=commitment.round,
                replay=commitment.replay,
            ),
            commitment_url=reply.url or None,
            entries=[proof_entry(e) for e in contest.frozen],
            beacon=drand.Beacon(
                drawn.round, bytes.fromhex(drawn.randomness), bytes.fromhex(drawn.signature)
            ),
            frozen_url=(self.outbox.reply(frozen).url or None) if frozen is not None else None,
        )

    async def save_proof(self, contest_id: str) -> Path:
        """Write the proof to ``proofs/<contest>.json`` in the data dir; its path."""
        if self.keep_file is None:
            raise ContestError("no data dir to save the proof in")
        contest = self.get(contest_id)
        payload = proof_json(self.proof(contest_id)).encode()
        relative = PurePosixPath(PROOFS_FOLDER, f"{proof_file_stem(contest)}.json")
        return await asyncio.to_thread(self.keep_file, relative, payload)

    def frozen_as_entries(self, contest: Contest) -> list[Entry]:
        """The frozen entries as ``smm-draw-v1`` draws them (one per author)."""
        mentions = (self.ctx.repo.get(Collection.MENTIONS, e.mention_id) for e in contest.frozen)
        return [entry_for(contest.id, Mention.from_record(m)) for m in mentions if m is not None]

    def winner_handles(self, contest: Contest) -> list[str]:
        """The winners' handles in draw order."""
        if contest.draw is not None:
            by_id = {e.id: e.author.handle for e in self.frozen_as_entries(contest)}
            return [shown_handle(by_id[i]) for i in contest.draw.winner_entry_ids if i in by_id]
        if contest.beacon_draw is None:
            return []
        handles = {e.mention_id: e.handle for e in contest.frozen}
        return [shown_handle(handles[m]) for m in contest.beacon_draw.winners if m in handles]

    def announcement_values(self, contest: Contest) -> dict[str, str]:
        """The fields an announcement's saved reply may use."""
        if contest.draw is not None:
            return {
                "contest": contest.name,
                "winners": ", ".join(self.winner_handles(contest)),
                "commitment": f"an unverifiable draw (local seed {contest.draw.seed[:16]}…)",
                "round": "none",
            }
        if contest.beacon_draw is None or contest.commitment is None:
            return {"contest": contest.name}
        return {
            "contest": contest.name,
            "winners": ", ".join(self.winner_handles(contest)),
            "commitment": f"sha256 {contest.commitment.hash}",
            "round": str(contest.commitment.round),
        }

    async def announce(self, contest_id: str, text: str) -> Reply:
        """Post ``text`` (the winners and the proof's short form) on the contest post.

        An announcement that failed is returned as it was, to be sent again (``text``
        is then not used): the contest is announced once."""
        contest = self.get(contest_id)
        if contest.beacon_draw is None and contest.draw is None:
            raise ContestError(f"contest {contest.name!r} is not drawn yet")
        if contest.announcement_reply_id is not None:
            earlier = self.outbox.reply(contest.announcement_reply_id)
            if earlier.state is ReplyState.FAILED:  # sent again as it was, never twice
                return earlier
            raise ContestError(f"contest {contest.name!r} was announced already")
        if not text.strip():
            raise ContestError("the announcement is empty")
        changes = ChangeSet()
        reply = self.outbox.reply_under_post(
            changes, contest_head(contest), text.strip(), contest_id=contest.id
        )
        changes.patch(
            Collection.CONTESTS,
            contest.id,
            {"announcement_reply_id": reply.id},
            {"announcement_reply_id": None},
        )
        self.ctx.audit(changes, "contest", contest.id, "announce", reply_id=reply.id)
        await self.ctx.commit(changes)
        return self.outbox.reply(reply.id)


def default_announcement() -> str:
    """The announcement's wording when no saved reply is tagged ``contest-winners``."""
    return _DEFAULT_ANNOUNCEMENT


def contest_head(contest: Contest) -> Mention:
    """The contest post as the adapters take a thread to reply in."""
    return Mention(
        platform=contest.platform,
        account=contest.account,
        external_id=contest.post_external_id,
        author=Author(id="", handle=contest.account, display_name=contest.account),
        text=contest.name,
        created_at=contest.created_at,
        root_external_id=contest.post_external_id,
        status=Status.DONE,
    )


def proof_file_stem(contest: Contest) -> str:
    """A file name for a contest's proof: its name's letters and digits, and its id."""
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in contest.name).split())
    return f"{slug[:40] or 'contest'}-{contest.id[:8]}"


def proof_entry(entry: FrozenEntry) -> ProofEntry:
    """A frozen entry as the proof lists it."""
    return ProofEntry(network=entry.network, entry=entry.entry, handle=entry.handle)
