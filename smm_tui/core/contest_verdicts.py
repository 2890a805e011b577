"""Each comment on an audited contest's posts, judged: an entry, or rejected with a reason.

:func:`smm_tui.core.eligibility.decide` gives the rules' verdict; a person may
override it with a note (a wrongly-read keyword, a member the network missed),
and the override is kept with who made it and when (``Collection.CONTEST_OVERRIDES``,
audited). Overrides are made before entries freeze; after, the frozen list stands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from smm_tui.core.codec import Recorded
from smm_tui.core.contest_rules import ContestRules
from smm_tui.core.customers import handle_user
from smm_tui.core.eligibility import AuthorFacts, Decision, EarlierWin, Identity, decide
from smm_tui.core.models import Contest, Mention, Platform
from smm_tui.core.query_ast import fold


@dataclass(frozen=True, slots=True)
class Override(Recorded):
    """A person's verdict on one comment, over the rules', with the reason in words."""

    contest_id: str
    mention_id: str
    accept: bool
    note: str
    by: str
    at: datetime

    record_extras: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def id(self) -> str:
        """One override per comment per contest (a later one replaces it)."""
        return override_id(self.contest_id, self.mention_id)


def override_id(contest_id: str, mention_id: str) -> str:
    """The id of the override of one comment in one contest."""
    return f"{contest_id}:{mention_id}"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One comment, the rules' decision on it, and a person's override if any."""

    decision: Decision
    override: Override | None = None

    @property
    def comment(self) -> Mention:
        """The comment judged."""
        return self.decision.comment

    @property
    def accepted(self) -> bool:
        """Whether the comment is an entry (an override has the last word)."""
        return self.override.accept if self.override is not None else self.decision.accepted

    @property
    def reason(self) -> str:
        """Why it is not an entry ("" for an entry), in words."""
        if self.override is not None:
            return "" if self.override.accept else f"rejected by {self.override.by}"
        verdict = self.decision.verdict
        return getattr(verdict, "reason", "")

    @property
    def status(self) -> str:
        """``entry`` or ``rejected``, with ``(override)`` when a person decided."""
        word = "entry" if self.accepted else "rejected"
        return f"{word} (override)" if self.override is not None else word


def judge(
    rules: ContestRules,
    comments: Iterable[Mention],
    *,
    facts: Mapping[Identity, AuthorFacts],
    earlier_wins: Iterable[EarlierWin],
    overrides: Mapping[str, Override],
) -> tuple[Verdict, ...]:
    """Every comment's verdict, oldest first (see :func:`~smm_tui.core.eligibility.decide`)."""
    listed = list(comments)
    decisions = decide(
        rules,
        listed,
        facts=facts,
        earlier_wins=earlier_wins,
        same_person=same_people(listed) if rules.entry.same_person_across_networks else None,
    )
    return tuple(Verdict(d, overrides.get(d.comment.id)) for d in decisions)


def same_people(comments: Iterable[Mention]) -> dict[Identity, str]:
    """A person key per identity: the handle's user part and the display name, folded.

    Strict on purpose (as the customer view is): two people are one only when both
    match, so a common first name never merges strangers.
    """
    return {
        (c.platform, c.author.id): f"{fold(handle_user(c.author.handle))}\x1f"
        f"{fold(' '.join(c.author.display_name.split()))}"
        for c in comments
    }


def earlier_wins(
    contests: Iterable[Contest], winner_authors: Mapping[str, Mention]
) -> list[EarlierWin]:
    """Who won which drawn contest, and when (for ``earlier_winners_within_days``).

    ``winner_authors`` maps a winning comment's mention id to the comment (beacon
    draws name comments; the older local-seed draws name entries, whose ids carry
    the author).
    """
    wins: list[EarlierWin] = []
    for contest in contests:
        if contest.beacon_draw is not None:
            for mention_id in contest.beacon_draw.winners:
                mention = winner_authors.get(mention_id)
                if mention is not None:
                    wins.append(
                        EarlierWin(
                            mention.platform, mention.author.id, contest.beacon_draw.drawn_at
                        )
                    )
        if contest.draw is not None:
            wins.extend(
                EarlierWin(contest.platform, entry_id.split(":", 1)[1], contest.draw.drawn_at)
                for entry_id in contest.draw.winner_entry_ids
                if ":" in entry_id
            )
    return wins


def networks(rules: ContestRules) -> frozenset[tuple[Platform, str]]:
    """The (network, post id) pairs whose comments are judged."""
    return frozenset((post.network, post.post) for post in rules.posts)
