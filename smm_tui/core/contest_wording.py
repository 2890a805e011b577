"""Words an audited contest needs besides its verdicts: a rules file to start from, what
the networks cannot check, how the rejections add up, and the announcement's text.

No UI here: the Contest pane and ``smm-tui contest`` both read from these.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from smm_tui.core.contest_results import ANNOUNCEMENT_TAG, default_announcement
from smm_tui.core.contest_rules import ContestPost, ContestRules
from smm_tui.core.contest_verdicts import Verdict
from smm_tui.core.models import Contest
from smm_tui.core.platforms import spec
from smm_tui.core.saved_replies import Filled, SavedReply, SavedReplyBook, fill

__all__ = [
    "TEMPLATE_DAYS",
    "announcement_text",
    "network_caveats",
    "reason_counts",
    "rules_template",
]

#: How long a contest started from the template runs.
TEMPLATE_DAYS = 7


def rules_template(contest: Contest, now: datetime) -> str:
    """A rules file for ``contest``'s post: opens at ``now`` (to the minute), closes
    :data:`TEMPLATE_DAYS` later, with the contest's number of winners; every key written
    out, so the manager edits rather than looks keys up."""
    opens = now.replace(second=0, microsecond=0)
    rules = ContestRules(
        posts=(ContestPost(contest.platform, contest.post_external_id),),
        opens=opens,
        closes=opens + timedelta(days=TEMPLATE_DAYS),
        winners=max(contest.winners_wanted, 1),
    )
    return rules.to_toml()


def network_caveats(rules: ContestRules) -> list[str]:
    """What the rules ask that a network of the contest's posts cannot check, in words
    ("X cannot tell membership"); those entrants are not rejected for it."""
    networks = sorted({post.network for post in rules.posts}, key=lambda p: p.value)
    caveats: list[str] = []
    if rules.entry.membership:
        caveats += [
            f"{spec(p).name} cannot tell membership"
            for p in networks
            if not spec(p).capabilities.membership
        ]
    if rules.entry.min_account_age_days is not None:
        caveats += [
            f"{spec(p).name} gives no account creation date: the age is not checked there"
            for p in networks
            if not spec(p).capabilities.account_dates
        ]
    return caveats


def reason_counts(verdicts: Iterable[Verdict]) -> list[tuple[str, int]]:
    """How many comments each rejection reason rejected, most first (ties by reason)."""
    counted = Counter(v.reason for v in verdicts if not v.accepted)
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def announcement_text(
    book: SavedReplyBook, values: Mapping[str, str], chosen: SavedReply | None = None
) -> Filled:
    """The winners' announcement: ``chosen``, else the first saved reply tagged
    ``contest-winners``, else the built-in wording, filled with ``values``
    (:meth:`~smm_tui.core.contest_run.AuditedContests.announcement_values`)."""
    if chosen is None:
        chosen = next((r for r in book.all() if ANNOUNCEMENT_TAG in r.tags), None)
    body = chosen.body if chosen is not None else default_announcement()
    return fill(SavedReply("announcement", body), values)
