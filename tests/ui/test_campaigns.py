"""The Campaigns view (``c`` in the report), one campaign's figures and charts, and ``C`` on
a post in the Content pane. (A narrow campaign's sparklines: its 60x20 snapshot.)"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from textual.widgets import Input, OptionList, Static

from smm_tui.core.campaigns import CampaignService
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Delivery, DeliveryState, FollowerReading, Post
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.spend import SpendImport, SpendRow
from smm_tui.screens.campaign_detail import CampaignScreen
from smm_tui.screens.campaigns import CampaignsScreen
from smm_tui.screens.content import ContentScreen
from smm_tui.screens.line import LineScreen
from smm_tui.screens.report import ReportScreen
from smm_tui.widgets.chart import ChartPanel
from tests.conftest import T0, FakeClock, make_mention
from tests.ui.harness import Running, running, settle, wait_for

#: The campaign the tests look at: it began five days before the fake clock's now.
FIRST_DAY = (T0 - timedelta(days=5)).date()


async def seed_campaign(run: Running) -> None:
    """A campaign with a published post, replies to it, followers and spend in two currencies."""
    ws = run.workspace
    service = CampaignService(ws.ctx)
    await service.create(
        "Spring Sale",
        FIRST_DAY,
        date(2026, 11, 30),
        hashtags=["springsale"],
        budget=(Decimal("50000"), "RUB"),
    )
    await service.create("Winter", date(2026, 12, 1), date(2026, 12, 31))
    post = Post("p1", "Spring is here", ("bank-vk",), "alice", T0, T0, campaign="Spring Sale")
    out = Delivery(
        "p1",
        "bank-vk",
        Platform.VK,
        "Spring is here",
        state=DeliveryState.PUBLISHED,
        published_at=T0 - timedelta(days=3),
        external_id="post-1",
        likes=40,
        reposts=5,
        replies=3,
        views=4000,
    )
    changes = ChangeSet().put(Collection.POSTS, post.to_record())
    changes.put(Collection.DELIVERIES, out.to_record())
    for day, count in ((9, 1000), (5, 1010), (2, 1100)):
        reading = FollowerReading("bank-vk", Platform.VK, T0 - timedelta(days=day), count)
        changes.put(Collection.FOLLOWERS, reading.to_record())
    await ws.ctx.commit(changes)
    await ws.ingest.ingest(
        [make_mention(n, created_at=T0 - timedelta(days=n % 3, hours=n)) for n in range(1, 7)]
    )
    spend = (
        SpendRow(FIRST_DAY, Platform.VK, "Spring Sale", Decimal("3000"), "RUB", 30000, 150),
        SpendRow(FIRST_DAY, Platform.X, "spring sale", Decimal("25"), "USD", 2000, 10),
    )
    await service.import_spend(SpendImport(spend, ()))


async def open_campaigns(run: Running) -> CampaignsScreen:
    await run.pilot.press("4")
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, ReportScreen), "the report")
    await run.pilot.press("c")
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, CampaignsScreen), "campaigns")
    screen = run.app.screen
    assert isinstance(screen, CampaignsScreen)
    await wait_for(run.pilot, lambda: len(screen.rows) == 2, "the campaigns' figures")
    return screen


async def open_campaign(run: Running) -> CampaignScreen:
    await open_campaigns(run)
    return await enter_campaign(run)


async def enter_campaign(run: Running) -> CampaignScreen:
    """``enter`` on the highlighted campaign, and its figures and charts shown."""
    await run.pilot.press("enter")
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, CampaignScreen), "a campaign")
    screen = run.app.screen
    assert isinstance(screen, CampaignScreen)
    await wait_for(run.pilot, lambda: screen.view is not None, "its figures")
    await wait_for(run.pilot, lambda: len(screen.query_one(ChartPanel).children), "its charts")
    return screen


async def test_c_lists_campaigns_and_enter_shows_every_figure_with_its_source(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        await seed_campaign(run)
        listing = await open_campaigns(run)
        rows = str(listing.query_one(OptionList).get_option_at_index(0).prompt)
        assert "Spring Sale" in rows and "1 posts published" in rows
        assert "spend 3,000.00 RUB, 25.00 USD" in rows
        screen = await enter_campaign(run)
        assert screen.campaign.name == "Spring Sale"
        shown = str(screen.query_one("#campaign-figures", Static).render())
        assert "Posts published" in shown and "Likes" in shown
        assert "sum of the networks' counters of 1 posts" in shown
        assert "Cost figures in RUB" in shown and "Cost figures in USD" in shown
        assert "CPC" in shown and "20.00 RUB" in shown  # 3000 RUB / 150 clicks
        assert "Clicks on tracked links" in shown and "utm_campaign=spring-sale" in shown
        # A missing figure says so and why, never 0.
        assert "missing" in shown and "no answered mention" in shown
        panel = screen.query_one(ChartPanel)
        assert panel.mode == "plot"
        await run.pilot.press("t")
        await wait_for(run.pilot, lambda: panel.mode == "table", "the charts as tables")
        tables = "\n".join(str(w.render()) for w in panel.query(Static))
        assert "engagements" in tables and "48" in tables  # 40 + 5 + 3
        await run.pilot.press("escape")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, CampaignsScreen), "back")


async def test_no_campaigns_says_how_to_make_one(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        await run.pilot.press("4")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ReportScreen), "the report")
        await run.pilot.press("c")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, CampaignsScreen), "list")
        empty = run.app.screen.query_one("#campaigns-empty", Static)
        await wait_for(run.pilot, lambda: "campaign create" in str(empty.render()), "the hint")


async def test_C_on_a_post_adds_it_to_the_campaign_named(tmp_path: Path, clock: FakeClock) -> None:
    async with running(tmp_path / "data", clock, poll=False) as run:
        ws = run.workspace
        service = CampaignService(ws.ctx)
        await service.create("Spring Sale", FIRST_DAY, date(2026, 11, 30))
        await service.create("Winter", date(2026, 12, 1), date(2026, 12, 31))
        post = Post("p9", "Untagged post", ("bank-vk",), "alice", T0, T0)
        draft = Delivery("p9", "bank-vk", Platform.VK, "Untagged post", scheduled_at=T0)
        changes = ChangeSet().put(Collection.POSTS, post.to_record())
        await ws.ctx.commit(changes.put(Collection.DELIVERIES, draft.to_record()))
        await run.pilot.press("5")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, ContentScreen), "content")
        content = run.app.screen
        assert isinstance(content, ContentScreen)
        await wait_for(run.pilot, lambda: content.selected_entry() is not None, "the post")
        await run.pilot.press("C")
        await wait_for(run.pilot, lambda: isinstance(run.app.screen, LineScreen), "the dialog")
        run.app.screen.query_one(Input).value = "spring sale"
        await run.pilot.press("enter")
        await wait_for(run.pilot, lambda: run.app.screen is content, "back to the post")
        await settle(run.pilot)
        assert service.get("Spring Sale").post_ids == ("p9",)
        assert service.get("Winter").post_ids == ()
