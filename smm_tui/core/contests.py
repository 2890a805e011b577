"""Contests: giveaways bound to a post, their entries, and a reproducible draw."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

from smm_tui.core import draw
from smm_tui.core.attention import quiet_entry
from smm_tui.core.context import ServiceContext
from smm_tui.core.ingest import IngestService, entry_for
from smm_tui.core.models import Contest, ContestState, Entry, Mention, Platform, Status
from smm_tui.core.network import AdapterError
from smm_tui.core.platforms import ContestReach, spec
from smm_tui.core.repository import Changed, ChangeSet, Collection
from smm_tui.core.sanitize import one_line
from smm_tui.core.sources import AccountSource
from smm_tui.core.triage import change_mention


class ContestError(ValueError):
    """A contest action that cannot be done as asked (the message says why)."""


def _open(contest: Contest) -> Contest:
    """The contest, if it still takes entries; raises ContestError otherwise."""
    if contest.state is not ContestState.OPEN:
        raise ContestError(f"contest {contest.name!r} is closed; its entries are frozen")
    return contest


def reach_caveat(platform: Platform) -> str:
    """What a contest on ``platform`` can miss, or "" when it sees every comment on the post."""
    capabilities = spec(platform).capabilities
    return "" if capabilities.contests is ContestReach.FULL else capabilities.caveat


class ContestService:
    """Creates contests, collects one entry per author and draws winners.

    ``sources`` (account name → adapter) is needed only to collect entries from
    the network (:meth:`collect_from_network`). ``ingest`` stores the comments
    collected as it stores any mention (classified, with the config's rules and
    response target); only a plain entry is closed (see
    :func:`~smm_tui.core.attention.quiet_entry`), and every comment enters.
    """

    def __init__(
        self,
        ctx: ServiceContext,
        sources: Mapping[str, AccountSource] | None = None,
        *,
        ingest: IngestService | None = None,
    ) -> None:
        self.ctx = ctx
        self.sources: Mapping[str, AccountSource] = sources if sources is not None else {}
        self.ingest = ingest or IngestService(ctx)

    def get(self, contest_id: str) -> Contest:
        """The current contest; raises NotFound."""
        return self.ctx.load(Contest, Collection.CONTESTS, contest_id, "contest")

    def all(self) -> list[Contest]:
        """Every contest, newest first."""
        contests = [Contest.from_record(r) for r in self.ctx.repo.records(Collection.CONTESTS)]
        return sorted(contests, key=lambda c: c.created_at, reverse=True)

    def entries(self, contest_id: str) -> list[Entry]:
        """A contest's entries, oldest first."""
        found = [
            Entry.from_record(r)
            for r in self.ctx.repo.records(Collection.ENTRIES)
            if r["contest_id"] == contest_id
        ]
        return sorted(found, key=lambda e: (e.created_at, e.mention_id))

    async def create(
        self, name: str, platform: Platform, account: str, post_external_id: str, winners: int = 1
    ) -> Contest:
        """Start a contest on one of an account's posts; known comments enter at once.

        Those that are plain entries leave the queue; a complaint or a question
        on the post, or a comment a person has acted on, stays where it is.
        """
        if not name.strip():
            raise ContestError("a contest needs a name")
        if not post_external_id.strip():
            raise ContestError("a contest needs the id of the post whose comments are the entries")
        if winners < 1:
            raise ContestError("a contest needs at least one winner")
        contest = Contest(
            id=self.ctx.make_id(),
            name=name.strip(),
            platform=platform,
            account=account,
            post_external_id=post_external_id.strip(),
            created_at=self.ctx.clock(),
            winners_wanted=winners,
        )
        changes = ChangeSet().put(Collection.CONTESTS, contest.to_record())
        self.ctx.audit(changes, "contest", contest.id, "create", post=contest.post_external_id)
        for mention in self._stored_comments(contest):
            changes.insert_new(Collection.ENTRIES, entry_for(contest.id, mention).to_record())
            self._out_of_queue(changes, mention)
        await self.ctx.commit(changes)
        return self.get(contest.id)

    async def collect(self, contest_id: str, comments: Iterable[Mention]) -> Changed:
        """Enter every commenter on the contest post (the first comment per author counts)."""
        contest = _open(self.get(contest_id))
        changes = ChangeSet()
        on_post = [c for c in comments if c.root_external_id == contest.post_external_id]
        on_post.sort(key=lambda m: (m.created_at, m.external_id))
        # Classifying a post's comments is work: it is done off the event loop.
        for mention in await asyncio.to_thread(self.ingest.entrants, on_post):
            changes.insert_new(Collection.MENTIONS, mention.to_record())
            changes.insert_new(Collection.ENTRIES, entry_for(contest.id, mention).to_record())
            stored = self.ctx.repo.get(Collection.MENTIONS, mention.id)
            if stored is not None:
                self._out_of_queue(changes, Mention.from_record(stored))
        return await self.ctx.commit(changes)

    def _out_of_queue(self, changes: ChangeSet, mention: Mention) -> None:
        """A plain entry needs no response: close it, with nothing due (guarded, audited).

        A complaint or a question on the post, a ticketed or followed-up one, or
        one a person has acted on is left as it is.
        """
        if not quiet_entry(mention, self.ingest.alarms):
            return
        expect = {"status": mention.status.value, "overridden": list(mention.overridden)}
        fields = {"status": Status.DONE.value, "sla_due_at": None}
        change_mention(self.ctx, changes, mention.id, mention.status, fields, expect=expect)

    async def collect_from_network(self, contest_id: str) -> int:
        """Fetch the contest post's comments and enter their authors; returns new entries.

        Raises ContestError (one line, safe to show) when the network cannot list
        a post's comments (Telegram's Bot API), the account has no adapter, the
        network fails, or the contest is closed.
        """
        contest = _open(self.get(contest_id))
        network = spec(contest.platform)
        if not network.capabilities.history:
            # Asking would only fail: the entries are the comments that arrived in the feed.
            raise ContestError(
                one_line(
                    f"{network.name} cannot list a post's comments: "
                    f"{reach_caveat(contest.platform)}"
                )
            )
        source = self.sources.get(contest.account)
        if source is None:
            raise ContestError(one_line(f"no adapter for account {contest.account}"))
        try:
            comments = await source.fetch_post_comments(contest.post_external_id)
            brand = await source.verify()
        except AdapterError as exc:
            reason = str(exc) or type(exc).__name__
            message = f"could not fetch the contest post's comments: {reason}"
            raise ContestError(one_line(message)) from exc
        # The brand's own comments ("Good luck, everyone!") are not entries.
        entrants = [c for c in comments if c.author.id != brand.user_id]
        changed = await self.collect(contest_id, entrants)
        return len(changed.of(Collection.ENTRIES))

    async def run_draw(self, contest_id: str, seed: str | None = None) -> Contest:
        """Draw the winners from a recorded seed and close the contest."""
        contest = self.get(contest_id)
        if contest.state is ContestState.DRAWN:
            raise ContestError(f"contest {contest.name!r} was drawn already")
        entries = self.entries(contest_id)
        wanted = min(contest.winners_wanted, len(draw.canonical_entrants(entries)))
        if wanted < 1:
            raise ContestError(f"contest {contest.name!r} has no entries yet")
        result, _ = draw.run_draw(
            entries, seed or draw.new_seed(), wanted, self.ctx.actor, self.ctx.clock()
        )
        changes = ChangeSet().patch(
            Collection.CONTESTS,
            contest_id,
            {"state": ContestState.DRAWN.value, "draw": result.to_record()},
            expect={"state": ContestState.OPEN.value},
        )
        self.ctx.audit(
            changes, "contest", contest_id, "draw", seed=result.seed, commitment=result.commitment
        )
        await self.ctx.commit(changes)
        return self.get(contest_id)

    def proof(self, contest_id: str) -> list[str]:
        """Plain-text lines proving the draw, and whether it re-verifies now."""
        contest = self.get(contest_id)
        if contest.draw is None:
            return ["Not drawn yet."]
        entries = self.entries(contest_id)
        lines = draw.proof_lines(contest.draw, entries)
        problems = draw.verify(contest.draw, entries)
        lines.append("Re-check now: " + ("verified" if not problems else "; ".join(problems)))
        return lines

    def _stored_comments(self, contest: Contest) -> list[Mention]:
        return sorted(
            (
                Mention.from_record(r)
                for r in self.ctx.repo.records(Collection.MENTIONS)
                if r["root_external_id"] == contest.post_external_id
                and r["account"] == contest.account
                and r["platform"] == contest.platform.value
            ),
            key=lambda m: (m.created_at, m.external_id),
        )
