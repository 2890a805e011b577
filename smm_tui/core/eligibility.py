"""Which comments are entries under a contest's rules, and why each other one is not.

:func:`decide` reads the comments oldest first (ties broken by network, comment id and
account, so the result never depends on the order given) and checks each
in this order; the first check that fails is the reason given:

1. a deleted comment: "comment deleted" (by its author or a moderator);
2. the entry window: "written before entries opened" / "written after entries closed";
3. "staff", then "on the blocklist" (by handle);
4. an earlier win within the rules' days: "won on 2026-11-02";
5. one entry per person: the person's earliest comment inside the window is
   their entry, every later one is "second entry by the same person", whatever
   either says (so an entry cannot be mended after the fact);
6. the keyword: "no #кедр" (matched as a whole word, folded: "#Кедр" counts);
7. tagged friends: "tags 1 friend, 2 needed" (distinct @handles, not the
   brand's, not the author's own);
8. membership of the brand's community: "not a member of the community at 18:00";
9. account age at the time of the comment: "account created 3 days ago".

Membership and account age come from :class:`AuthorFacts` gathered elsewhere.
Where the network cannot tell (membership on X; a creation date on VK or
Telegram) or no facts were gathered, the check is skipped and the decision
carries a note saying so: a note, never a rejection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TypeAlias

from smm_tui.core.contest_rules import ContestRules, normal_handle
from smm_tui.core.models import Mention, Platform
from smm_tui.core.platforms import spec
from smm_tui.core.query_ast import fold

__all__ = [
    "Accepted",
    "AuthorFacts",
    "Decision",
    "EarlierWin",
    "Identity",
    "Rejected",
    "decide",
    "tagged_friends",
]

#: A person on one network: the network and its id of them.
Identity: TypeAlias = tuple[Platform, str]

# @name, @name.bsky.social, @name@instance; not an e-mail address (no word character before @).
_AT_HANDLE = re.compile(r"(?<![\w@])@(\w[\w.\-]*(?:@\w[\w.\-]*)?)")
# VK writes a tagged person as [id123|Name] (or [club1|Name] for a community).
_VK_TAG = re.compile(r"\[((?:id|club)\d+)\|[^\]]*\]")


@dataclass(frozen=True, slots=True)
class AuthorFacts:
    """What the network said about an entrant, and when it was asked.

    ``is_member`` is None where the network cannot tell; ``created_at`` is None
    where it gives no creation date.
    """

    is_member: bool | None
    created_at: datetime | None
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class EarlierWin:
    """Someone who won an earlier contest, and when."""

    platform: Platform
    author_id: str
    won_at: datetime


@dataclass(frozen=True, slots=True)
class Accepted:
    """The comment is an entry."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """The comment is not an entry; ``reason`` says why, in words."""

    reason: str


@dataclass(frozen=True, slots=True)
class Decision:
    """One comment's verdict, with notes on any check that could not be made."""

    comment: Mention
    verdict: Accepted | Rejected
    notes: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        """Whether the comment is an entry."""
        return isinstance(self.verdict, Accepted)


def decide(
    rules: ContestRules,
    comments: Iterable[Mention],
    *,
    facts: Mapping[Identity, AuthorFacts] | None = None,
    earlier_wins: Iterable[EarlierWin] = (),
    brand_handles: Iterable[str] = (),
    same_person: Mapping[Identity, str] | None = None,
) -> tuple[Decision, ...]:
    """Each comment's decision, oldest comment first (see the module docstring for the checks).

    ``same_person`` maps identities to a person key; it is used only when the
    rules count one person across networks. ``brand_handles`` are never counted
    as tagged friends.
    """
    judge = _Judge(
        rules,
        facts or {},
        _recent_wins(rules, earlier_wins),
        frozenset(normal_handle(h) for h in brand_handles),
        same_person or {},
    )
    ordered = sorted(
        comments, key=lambda c: (c.created_at, c.platform.value, c.external_id, c.account)
    )
    return tuple(judge.decide(comment) for comment in ordered)


def tagged_friends(
    text: str,
    *,
    author_handle: str,
    brand_handles: frozenset[str],
    tagged: Iterable[str] = (),
    author_id: str = "",
) -> int:
    """How many distinct people ``text`` tags, leaving out the author and the brand.

    ``tagged`` adds the network's ids of people the text shows only by name (VK's
    ``[id1|Name]``, kept by the adapter as ``id1``); ``author_id`` is the author's.
    """
    found = {normal_handle(h).rstrip(".") for h in _AT_HANDLE.findall(text)}
    found |= {fold(tag) for tag in _VK_TAG.findall(text)}
    found |= {fold(tag) for tag in tagged}
    found -= brand_handles | {normal_handle(author_handle), f"id{author_id}"}
    return len(found)


def _recent_wins(rules: ContestRules, wins: Iterable[EarlierWin]) -> dict[Identity, datetime]:
    days = rules.exclusions.earlier_winners_within_days
    if days is None:
        return {}
    since = rules.opens - timedelta(days=days)
    latest: dict[Identity, datetime] = {}
    for win in wins:
        key = (win.platform, win.author_id)
        if win.won_at >= since and (key not in latest or win.won_at > latest[key]):
            latest[key] = win.won_at
    return latest


class _Judge:
    """Decides comments one at a time, oldest first, remembering who has entered."""

    def __init__(
        self,
        rules: ContestRules,
        facts: Mapping[Identity, AuthorFacts],
        wins: Mapping[Identity, datetime],
        brand: frozenset[str],
        same_person: Mapping[Identity, str],
    ) -> None:
        self.rules = rules
        self.facts = facts
        self.wins = wins
        self.brand = brand
        self.same_person = same_person
        self.zone: tzinfo | None = rules.closes.tzinfo
        self.entered: set[str] = set()

    def decide(self, comment: Mention) -> Decision:
        notes: list[str] = []
        reason = self._reason(comment, notes)
        verdict: Accepted | Rejected = Accepted() if reason is None else Rejected(reason)
        return Decision(comment, verdict, tuple(notes))

    def _reason(self, comment: Mention, notes: list[str]) -> str | None:
        identity = (comment.platform, comment.author.id)
        return (
            ("comment deleted" if comment.deleted_at is not None else None)
            or self._window(comment)
            or self._excluded(comment, identity)
            or self._second(identity)
            or self._keyword(comment)
            or self._tags(comment)
            or self._membership(identity, notes)
            or self._age(comment, identity, notes)
        )

    def _window(self, comment: Mention) -> str | None:
        if comment.created_at < self.rules.opens:
            return "written before entries opened"
        if comment.created_at >= self.rules.closes:
            return "written after entries closed"
        return None

    def _excluded(self, comment: Mention, identity: Identity) -> str | None:
        handle = normal_handle(comment.author.handle)
        if handle in self.rules.exclusions.staff:
            return "staff"
        if handle in self.rules.exclusions.blocklist:
            return "on the blocklist"
        won_at = self.wins.get(identity)
        if won_at is not None:
            return f"won on {won_at.astimezone(self.zone).date().isoformat()}"
        return None

    def _second(self, identity: Identity) -> str | None:
        if not self.rules.entry.one_per_person:
            return None
        person = f"{identity[0].value}\x1f{identity[1]}"
        if self.rules.entry.same_person_across_networks:
            person = self.same_person.get(identity, person)
        if person in self.entered:
            return "second entry by the same person"
        self.entered.add(person)
        return None

    def _keyword(self, comment: Mention) -> str | None:
        keyword = self.rules.entry.keyword
        if keyword is None:
            return None
        pattern = rf"(?<![\w#]){re.escape(fold(keyword))}(?!\w)"
        return None if re.search(pattern, fold(comment.text)) else f"no {keyword}"

    def _tags(self, comment: Mention) -> str | None:
        needed = self.rules.entry.min_tagged_friends
        if needed == 0:
            return None
        count = tagged_friends(
            comment.text,
            author_handle=comment.author.handle,
            brand_handles=self.brand,
            tagged=comment.tagged,
            author_id=comment.author.id,
        )
        if count >= needed:
            return None
        return f"tags {count} {'friend' if count == 1 else 'friends'}, {needed} needed"

    def _membership(self, identity: Identity, notes: list[str]) -> str | None:
        if not self.rules.entry.membership:
            return None
        facts = self.facts.get(identity)
        if facts is None:
            notes.append("membership not checked: not looked up yet")
            return None
        if facts.is_member is None:
            notes.append(f"membership not checked: {spec(identity[0]).name} cannot tell")
            return None
        if facts.is_member:
            return None
        return f"not a member of the community at {self._clock(facts.checked_at)}"

    def _age(self, comment: Mention, identity: Identity, notes: list[str]) -> str | None:
        least = self.rules.entry.min_account_age_days
        if least is None:
            return None
        facts = self.facts.get(identity)
        if facts is None:
            notes.append("account age not checked: not looked up yet")
            return None
        if facts.created_at is None:
            notes.append(
                f"account age not checked: {spec(identity[0]).name} gives no creation date"
            )
            return None
        age = comment.created_at - facts.created_at
        if age >= timedelta(days=least):
            return None
        days = max(age.days, 0)
        if days == 0:
            return "account created less than a day ago"
        return f"account created {days} {'day' if days == 1 else 'days'} ago"

    def _clock(self, moment: datetime) -> str:
        """``moment`` on the rules' clock: "18:00", with the date if not the closing day."""
        local = moment.astimezone(self.zone)
        if local.date() == self.rules.closes.date():
            return local.strftime("%H:%M")
        return local.strftime("%H:%M on %Y-%m-%d")
