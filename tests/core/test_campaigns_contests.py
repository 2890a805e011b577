"""Contests linked to a campaign: the link, the comments on their posts as its mentions,
and their entries and participants as its figures."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime

import pytest

from smm_tui.core.campaign_figures import CampaignFigures, campaign_figures, figures_for
from smm_tui.core.campaigns import (
    Campaign,
    CampaignError,
    CampaignService,
    ContestLink,
    attributed,
)
from smm_tui.core.context import NotFound
from smm_tui.core.ingest import entry_for
from smm_tui.core.models import Author, Contest, Entry, Mention, Platform
from smm_tui.core.repository import Collection
from smm_tui.core.workspace import Workspace
from tests.conftest import T0, make_mention
from tests.core.services_kit import audit, run
from tests.core.test_campaigns import DELIVERIES, POSTS, READINGS, SALE, SPEND

GIVEAWAY = Contest("k1", "November giveaway", Platform.VK, "bank-vk", "giveaway", T0)
QUIZ = Contest("k2", "Quiz", Platform.MASTODON, "bank-masto", "quiz-post", T0)
LINKED = dataclasses.replace(SALE, contest_ids=("k1", "k2"))


def comment(n: int, post: str = "giveaway", **fields: object) -> Mention:
    """A comment on a contest's post (by default the giveaway's, on bank-vk, in the period)."""
    on_post: dict[str, object] = {"root_external_id": post, "parent_external_id": post}
    return make_mention(n, text="I'm in!", **(on_post | fields))


def test_comments_on_a_linked_contests_post_are_its_mentions_during_its_period() -> None:
    mentions = [
        comment(1),
        comment(2, parent_external_id="c1"),  # a reply under a comment, same thread
        comment(3, created_at=datetime(2026, 11, 30, tzinfo=UTC)),  # after the period
        comment(4, created_at=datetime(2026, 11, 19, 23, tzinfo=UTC)),  # before it
        comment(5, account="bank-masto"),  # the same post id on another account
        comment(6, "quiz-post", account="bank-masto", platform=Platform.MASTODON),
        comment(7, "other-post"),
    ]
    contests = [GIVEAWAY, QUIZ]
    assert attributed(LINKED, mentions, [], UTC, contests) == [mentions[i].id for i in (0, 1, 5)]
    # Not linked, the contests bring nothing, even when they are given.
    assert attributed(SALE, mentions, [], UTC, contests) == []
    only_quiz = dataclasses.replace(SALE, contest_ids=("k2",))
    assert attributed(only_quiz, mentions, [], UTC, contests) == [mentions[5].id]


def entry(contest: str, author: str, n: int) -> Entry:
    return entry_for(contest, comment(n, author=Author(id=author, handle=author)))


ENTRIES = [
    entry("k1", "u1", 1),
    entry("k1", "u2", 2),
    entry("k1", "u2", 3),  # a second comment of u2: still one entry
    entry("k2", "u1", 4),  # u1 on Mastodon is not u1 on VK
    entry("k2", "u3", 5),
    entry("k9", "u4", 6),  # a contest not linked
]


def figures_of(campaign: Campaign, contests: list[Contest]) -> CampaignFigures:
    return campaign_figures(
        campaign,
        posts=POSTS,
        deliveries=DELIVERIES,
        mentions=[make_mention(1), comment(2)],
        readings=READINGS,
        spend=SPEND,
        zone=UTC,
        now=T0,
        contests=contests,
        entries=ENTRIES,
    )


def test_the_figures_count_valid_entries_and_distinct_participants() -> None:
    figures = figures_of(LINKED, [GIVEAWAY, QUIZ])
    assert figures.value("contest_entries") == 4  # u1, u2 on VK; u1, u3 on Mastodon
    assert figures.value("contest_participants") == 4
    source = figures.figure("contest_entries").source
    assert "'November giveaway', 'Quiz'" in source and "one per author" in source
    assert figures.value("mentions") == 2  # a reply to post-1, a comment on the giveaway
    assert "contests' posts" in figures.figure("mentions").source
    one = figures_of(dataclasses.replace(SALE, contest_ids=("k1",)), [GIVEAWAY, QUIZ])
    assert (one.value("contest_entries"), one.value("contest_participants")) == (2, 2)
    assert "of contest 'November giveaway'" in one.figure("contest_entries").source


def test_without_a_linked_contest_they_are_missing_and_the_rest_is_unchanged() -> None:
    unlinked = figures_of(SALE, [GIVEAWAY, QUIZ])
    for name in ("contest_entries", "contest_participants"):
        assert unlinked.value(name) is None
        assert unlinked.figure(name).source == "missing: no contest linked to it"
    assert unlinked.value("mentions") == 1  # the giveaway's comment is not the campaign's
    gone = figures_of(LINKED, [])
    assert gone.value("contest_entries") is None
    assert "not in the store" in gone.figure("contest_entries").source
    without = campaign_figures(
        SALE,
        posts=POSTS,
        deliveries=DELIVERIES,
        mentions=[make_mention(1), comment(2)],
        readings=READINGS,
        spend=SPEND,
        zone=UTC,
        now=T0,
    )
    assert unlinked == without


async def spring_sale(workspace: Workspace) -> Campaign:
    return await CampaignService(workspace.ctx).create(
        "Spring Sale", date(2026, 11, 20), date(2026, 11, 29)
    )


async def two_contests(workspace: Workspace) -> tuple[Contest, Contest]:
    await CampaignService(workspace.ctx).create(
        "Spring Sale", date(2026, 11, 20), date(2026, 11, 29)
    )
    contests = workspace.contests
    await workspace.ingest.ingest([comment(1), comment(2), comment(3, author=Author("u1", "a"))])
    first = await contests.create("November giveaway", Platform.VK, "bank-vk", "giveaway")
    second = await contests.create("Quiz", Platform.VK, "bank-vk", "quiz-post")
    return first, second


def test_the_service_links_by_name_or_id_once(workspace: Workspace) -> None:
    service = CampaignService(workspace.ctx)
    giveaway, quiz = run(two_contests(workspace))
    link = run(service.link_contest("spring sale", "  NOVEMBER   Giveaway "))
    assert (link.campaign.contest_ids, link.contest, link.added) == ((giveaway.id,), giveaway, True)
    again = run(service.link_contest("Spring Sale", giveaway.id))
    assert (again.campaign.contest_ids, again.added) == ((giveaway.id,), False)
    run(service.link_contest("Spring Sale", quiz.id))
    assert service.get("Spring Sale").contest_ids == (giveaway.id, quiz.id)
    links = [e for e in audit(workspace) if e.action == "link contest"]
    assert [e.detail["contest"] for e in links] == [giveaway.id, quiz.id]
    figures = figures_for(workspace.ctx, service.get("Spring Sale"), UTC)
    # Comments 1 and 2 by u1 and u2; comment 3 is u1's again.
    assert (figures.value("contest_entries"), figures.value("contest_participants")) == (2, 2)
    assert figures.value("mentions") == 3


def test_an_unknown_or_ambiguous_contest_or_campaign_is_one_clear_line(
    workspace: Workspace,
) -> None:
    service = CampaignService(workspace.ctx)
    giveaway, _ = run(two_contests(workspace))
    with pytest.raises(NotFound, match=r"^no contest 'Summer' \(give its id, or its name"):
        run(service.link_contest("Spring Sale", "Summer"))
    with pytest.raises(NotFound, match=r"^no campaign 'Autumn'$"):
        run(service.link_contest("Autumn", giveaway.id))
    twin = run(workspace.contests.create("Quiz", Platform.VK, "bank-vk", "quiz-2"))
    with pytest.raises(
        CampaignError, match=f"2 contests are called 'quiz': give its id .*{twin.id}"
    ):
        run(service.link_contest("Spring Sale", "quiz"))
    assert service.get("Spring Sale").contest_ids == ()


def test_two_links_at_once_keep_both_or_say_so(workspace: Workspace) -> None:
    service = CampaignService(workspace.ctx)
    giveaway, quiz = run(two_contests(workspace))

    async def both() -> tuple[ContestLink | BaseException, ...]:
        return await asyncio.gather(
            service.link_contest("Spring Sale", giveaway.id),
            service.link_contest("Spring Sale", quiz.id),
            return_exceptions=True,
        )

    outcomes = run(both())
    kept = service.get("Spring Sale").contest_ids
    failed = [o for o in outcomes if isinstance(o, BaseException)]
    # Whatever the interleaving, no link is lost silently: each is kept or reported.
    assert set(kept) <= {giveaway.id, quiz.id} and len(kept) + len(failed) == 2
    assert all(isinstance(e, CampaignError) and "changed meanwhile" in str(e) for e in failed)


def test_a_campaign_recorded_before_contests_loads_with_none(workspace: Workspace) -> None:
    made = run(spring_sale(workspace))
    record = dict(workspace.repo.get(Collection.CAMPAIGNS, made.id) or {})
    del record["contest_ids"]
    assert Campaign.from_record(record).contest_ids == ()
