"""What the networks said about a contest's entrants, asked once and kept with its time.

Membership of the brand's community and an account's creation date cost a network
call per entrant (or per batch), under the network's rate limits. So they are asked
when entries close (or when a person asks), kept per contest in
``Collection.CONTEST_FACTS`` with the time they were asked, and never asked again
for that contest: the rules speak of membership "at the close", and a fact asked
then stays the fact the draw was made on.

A rate limit stops the asking for that account until its end, keeping what was
learnt; the next ask goes on from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from smm_tui.core.codec import Recorded
from smm_tui.core.context import ServiceContext
from smm_tui.core.eligibility import AuthorFacts, Identity
from smm_tui.core.models import Author, Mention, Platform
from smm_tui.core.network import AdapterError, FactChannel, RateLimited
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.sanitize import one_line

#: Entrants asked about in one call to an adapter (adapters batch further as their API allows).
ASK_AT_ONCE = 100


@dataclass(frozen=True, slots=True)
class EntrantFact(Recorded):
    """One entrant's facts for one contest, as the network gave them."""

    contest_id: str
    platform: Platform
    author_id: str
    checked_at: datetime
    is_member: bool | None = None
    created_at: datetime | None = None

    record_extras: ClassVar[tuple[str, ...]] = ("id",)

    @property
    def id(self) -> str:
        """One record per entrant per contest."""
        return fact_id(self.contest_id, self.platform, self.author_id)

    def facts(self) -> AuthorFacts:
        """The facts as eligibility reads them."""
        return AuthorFacts(self.is_member, self.created_at, self.checked_at)


def fact_id(contest_id: str, platform: Platform, author_id: str) -> str:
    """The id of an entrant's facts record."""
    return f"{contest_id}:{platform.value}:{author_id}"


@dataclass(slots=True)
class FactsAsked:
    """What one round of asking did."""

    learnt: int = 0
    #: Account → until when its network refuses more questions.
    limited: dict[str, datetime] = field(default_factory=dict)
    #: Account → why it could not be asked (one line each; no adapter, a failure).
    failed: dict[str, str] = field(default_factory=dict)
    #: Entrants still without facts.
    left: int = 0


def known_facts(ctx: ServiceContext, contest_id: str) -> dict[Identity, AuthorFacts]:
    """The facts kept for a contest's entrants."""
    prefix = f"{contest_id}:"
    found = (
        EntrantFact.from_record(r)
        for r in ctx.repo.records(Collection.CONTEST_FACTS)
        if str(r.get("id", "")).startswith(prefix)
    )
    return {(fact.platform, fact.author_id): fact.facts() for fact in found}


def unasked(
    comments: Iterable[Mention], known: Mapping[Identity, AuthorFacts]
) -> dict[str, list[Author]]:
    """Per account, the comments' authors with no facts kept yet (each once)."""
    wanted: dict[str, dict[str, Author]] = {}
    for comment in comments:
        if (comment.platform, comment.author.id) not in known:
            wanted.setdefault(comment.account, {})[comment.author.id] = comment.author
    return {account: list(authors.values()) for account, authors in wanted.items()}


async def ask_networks(
    ctx: ServiceContext,
    contest_id: str,
    wanted: Mapping[str, Sequence[Author]],
    platforms: Mapping[str, Platform],
    channels: Mapping[str, FactChannel],
) -> FactsAsked:
    """Ask each account's network about its entrants still unknown, keeping each answer.

    ``platforms`` maps each account to its network. Each batch's answers are
    committed as they come, so a failure later loses none of them.
    """
    asked = FactsAsked()
    for account, authors in wanted.items():
        channel = channels.get(account)
        if channel is None:
            asked.failed[account] = f"no adapter for account {account}"
            asked.left += len(authors)
            continue
        done = await _ask_account(ctx, contest_id, platforms[account], authors, channel, asked)
        asked.left += len(authors) - done
    return asked


async def _ask_account(
    ctx: ServiceContext,
    contest_id: str,
    platform: Platform,
    authors: Sequence[Author],
    channel: FactChannel,
    asked: FactsAsked,
) -> int:
    """Ask in batches until done, limited or failed; how many entrants got facts."""
    done = 0
    for start in range(0, len(authors), ASK_AT_ONCE):
        batch = authors[start : start + ASK_AT_ONCE]
        try:
            answers = await channel.author_facts(batch)
        except RateLimited as exc:
            asked.limited[channel.account] = exc.retry_at
            return done
        except AdapterError as exc:
            asked.failed[channel.account] = one_line(str(exc) or type(exc).__name__)
            return done
        changes = ChangeSet()
        for author in batch:
            facts = answers.get(author.id)
            if facts is None:
                continue
            fact = EntrantFact(
                contest_id=contest_id,
                platform=platform,
                author_id=author.id,
                checked_at=facts.checked_at,
                is_member=facts.is_member,
                created_at=facts.created_at,
            )
            changes.put(Collection.CONTEST_FACTS, fact.to_record())
            done += 1
        await ctx.commit(changes)
        asked.learnt += len(changes)
    return done
