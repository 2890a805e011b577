"""Posts added to a campaign by id, clicks on its tracked links, and its figures as shown."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date
from decimal import Decimal

import pytest

from smm_tui.core.campaign_figures import (
    Figure,
    campaign_figures,
    figures_for,
    label,
    summary,
    value_text,
)
from smm_tui.core.campaigns import CampaignService, campaign_posts
from smm_tui.core.context import NotFound
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Post
from smm_tui.core.spend import SpendImport, SpendRow
from smm_tui.core.workspace import Workspace
from tests.conftest import T0
from tests.core.services_kit import run
from tests.core.test_campaigns import DELIVERIES, POSTS, READINGS, SALE, SPEND


def test_a_post_added_by_id_is_the_campaigns_whatever_its_own_campaign_says() -> None:
    other = Post("p3", "Unrelated", ("bank-vk",), "alice", T0, T0, campaign="Other")
    added = dataclasses.replace(SALE, post_ids=("p2", "p3"))
    mine, published = campaign_posts(added, [*POSTS, other], DELIVERIES)
    assert [post.id for post in mine] == ["p1", "p2", "p3"]
    assert {d.external_id for d in published} == {"post-1", "m-9", "post-2"}
    mine, _ = campaign_posts(SALE, [*POSTS, other], DELIVERIES)
    assert [post.id for post in mine] == ["p1"]


def test_the_service_adds_posts_once_and_keeps_them(workspace: Workspace) -> None:
    service = CampaignService(workspace.ctx)
    run(service.create("Spring Sale", date(2026, 11, 20), date(2026, 11, 29)))
    campaign, added = run(service.add_posts("spring sale", ["p1", "p2", "p1"]))
    assert (campaign.post_ids, added) == (("p1", "p2"), 2)
    campaign, added = run(service.add_posts("SPRING SALE", ["p2", "p3"]))
    assert (campaign.post_ids, added) == (("p1", "p2", "p3"), 1)
    assert service.get("Spring Sale").post_ids == ("p1", "p2", "p3")
    with pytest.raises(NotFound):
        run(service.add_posts("no such campaign", ["p1"]))


def figures_with(spend: list[SpendRow]) -> Figure:
    figures = campaign_figures(
        SALE,
        posts=POSTS,
        deliveries=DELIVERIES,
        mentions=[],
        readings=READINGS,
        spend=spend,
        zone=UTC,
        now=T0,
    )
    return figures.figure("tracked_link_clicks")


def test_clicks_on_tracked_links_come_from_the_spend_export_and_name_it() -> None:
    rows = [row for row in SPEND if row.campaign.lower() == "spring sale"]
    clicks = figures_with(rows)
    assert clicks.value == 100 + 50 + 5
    assert "spend rows" in clicks.source and "utm_campaign=spring-sale" in clicks.source


def test_clicks_are_missing_with_the_reason_never_zero_or_a_guess() -> None:
    none_imported = figures_with([])
    assert none_imported.value is None
    assert "networks do not report link clicks per UTM" in none_imported.source
    partial = [*SPEND[:2], dataclasses.replace(SPEND[2], clicks=None)]
    lacking = figures_with(partial)
    assert lacking.value is None
    assert "1 of 3 spend rows have no clicks" in lacking.source


def test_figures_read_as_people_read_them(workspace: Workspace) -> None:
    assert value_text(Figure("spend", Decimal("1500.5"), "x", currency="RUB")) == "1,500.50 RUB"
    assert value_text(Figure("cpc", Decimal("10") / 3, "x", currency="RUB")) == "3.33 RUB"
    assert value_text(Figure("engagement_rate", 0.015, "x", "bank-vk post-1")) == "1.50%"
    assert value_text(Figure("within_target_share", 0.5, "x")) == "50%"
    assert value_text(Figure("first_response_median_minutes", 20.0, "x")) == "20.0m"
    assert value_text(Figure("follower_change", 150, "x", "bank-vk")) == "+150"
    assert value_text(Figure("likes", None, "missing: no published posts")) == "missing"
    assert label(Figure("follower_change", 150, "x", "bank-vk")) == "Follower change · bank-vk"
    service = CampaignService(workspace.ctx)
    sale = run(service.create("Spring Sale", date(2026, 11, 20), date(2026, 11, 29)))
    run(service.import_spend(SpendImport((SPEND[0], SPEND[2]), ())))
    line = summary(figures_for(workspace.ctx, sale, UTC))
    assert line == "0 posts published · 0 mentions · spend 1,000.00 RUB, 20.00 USD"
    assert Platform.X.value in {row.network.value for row in service.spend(sale)}
