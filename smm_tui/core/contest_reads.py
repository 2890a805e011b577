"""The reading half of audited contests: a contest, its rules, its comments and their verdicts.

See :mod:`smm_tui.core.contest_run` for the steps; this is what each of them,
and the panes, read: nothing here writes.
"""

from __future__ import annotations

from datetime import timedelta

from smm_tui.core.contest_facts import known_facts
from smm_tui.core.contest_rules import ContestRules, RulesError, parse_rules
from smm_tui.core.contest_verdicts import Override, Verdict, earlier_wins, judge, networks
from smm_tui.core.contests import ContestError
from smm_tui.core.context import ServiceContext
from smm_tui.core.eligibility import EarlierWin
from smm_tui.core.ingest import our_reply_ids
from smm_tui.core.models import Contest, Mention, Platform
from smm_tui.core.outbox import OutboxService
from smm_tui.core.repository import Collection

#: What a contest's verdicts are made from: a change to any of these may change them
#: (our replies too: fetched back, they are no entries).
JUDGED_FROM = (
    Collection.MENTIONS,
    Collection.CONTESTS,
    Collection.CONTEST_FACTS,
    Collection.CONTEST_OVERRIDES,
    Collection.REPLIES,
)


class ContestReads:
    """Reads an audited contest: the rules it keeps, the comments judged, the wins before."""

    def __init__(self, ctx: ServiceContext, outbox: OutboxService) -> None:
        self.ctx = ctx
        self.outbox = outbox

    # -- reading --------------------------------------------------------------------

    def get(self, contest_id: str) -> Contest:
        """The current contest; raises NotFound."""
        return self.ctx.load(Contest, Collection.CONTESTS, contest_id, "contest")

    def rules(self, contest: Contest) -> ContestRules | None:
        """The contest's rules, or None when it has none (an older, local-seed contest)."""
        if not contest.rules_toml:
            return None
        try:
            return parse_rules(contest.rules_toml)
        except RulesError as exc:  # stored by us, so parsed once already: say it plainly
            raise ContestError(f"contest {contest.name!r}: stored {exc}") from None

    def required_rules(self, contest: Contest) -> ContestRules:
        """The contest's rules; ContestError when it has none."""
        rules = self.rules(contest)
        if rules is None:
            raise ContestError(f"contest {contest.name!r} has no rules file yet")
        return rules

    def comments(self, contest: Contest) -> list[Mention]:
        """The stored comments on the posts the rules name (the brand's own left out).

        On the contest's own network only its account's are taken: two communities on
        one network may each have a post with the same number. Only the days around the
        entry window are read, not a year of history.
        """
        rules = self.required_rules(contest)
        posts = _keys(networks(rules))
        ours = our_reply_ids(self.ctx.repo)
        home = contest.platform.value
        # A day either side of the window: comments just outside it are shown rejected.
        since = min(rules.opens, contest.created_at) - timedelta(days=1)
        until = rules.closes + timedelta(days=1)
        return [
            Mention.from_record(r)
            for r in self.ctx.repo.mentions_created(since, until)
            if (r["platform"], r.get("root_external_id")) in posts
            and r["external_id"] != r.get("root_external_id")
            and (r["platform"] != home or r["account"] == contest.account)
            and (r["platform"], r["account"], r["external_id"]) not in ours
        ]

    def verdicts(self, contest_id: str) -> tuple[Verdict, ...]:
        """Every comment's verdict now, oldest first, overrides applied."""
        contest = self.get(contest_id)
        rules = self.required_rules(contest)
        return judge(
            rules,
            self.comments(contest),
            facts=known_facts(self.ctx, contest.id),
            earlier_wins=self._earlier_wins(contest),
            overrides=self._overrides(contest.id),
        )

    def _overrides(self, contest_id: str) -> dict[str, Override]:
        prefix = f"{contest_id}:"
        found = (
            Override.from_record(r)
            for r in self.ctx.repo.records(Collection.CONTEST_OVERRIDES)
            if str(r.get("id", "")).startswith(prefix)
        )
        return {o.mention_id: o for o in found}

    def _earlier_wins(self, contest: Contest) -> list[EarlierWin]:
        others = [
            Contest.from_record(r)
            for r in self.ctx.repo.records(Collection.CONTESTS)
            if r["id"] != contest.id
        ]
        winning = {m for c in others if c.beacon_draw for m in c.beacon_draw.winners}
        comments = {
            mention_id: Mention.from_record(record)
            for mention_id in winning
            if (record := self.ctx.repo.get(Collection.MENTIONS, mention_id)) is not None
        }
        return earlier_wins(others, comments)


def _keys(posts: frozenset[tuple[Platform, str]]) -> frozenset[tuple[str, str]]:
    return frozenset((network.value, post) for network, post in posts)
