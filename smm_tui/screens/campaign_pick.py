"""Which campaign: the one-line dialog the Content and Contests panes ask it in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from textual.content import Content

from smm_tui.core.campaigns import CampaignError, CampaignService
from smm_tui.core.context import NotFound
from smm_tui.core.sanitize import one_line
from smm_tui.screens.base import WorkspaceScreen, in_background
from smm_tui.screens.line import LineScreen
from smm_tui.widgets.render import cut

#: The longest campaign name the dialog takes.
CAMPAIGN_NAME_LENGTH = 120

T = TypeVar("T")


def ask_campaign(
    screen: WorkspaceScreen,
    title: Content,
    work: Callable[[CampaignService, str], Awaitable[T]],
    done: Callable[[T], object],
) -> None:
    """Ask for a campaign by name (the campaigns listed under it; the only one typed in
    already), then run ``work`` with the name in the background; a name that is no
    campaign, or a change someone made meanwhile, is said in one line."""
    service = CampaignService(screen.workspace.ctx)
    campaigns = service.all()
    if not campaigns:
        screen.say("No campaigns yet: smm-tui campaign create NAME --from DATE --to DATE.")
        return
    names = ", ".join(one_line(campaign.name) for campaign in campaigns)

    def named(name: str | None) -> None:
        if name is not None and name.strip():
            in_background(
                screen,
                work(service, name),
                done=done,
                group="campaign",
                expected=(NotFound, CampaignError),
                failed=lambda error: screen.say(str(error), error=True),
            )

    screen.app.push_screen(
        LineScreen(
            title,
            text=campaigns[-1].name if len(campaigns) == 1 else "",
            placeholder="campaign name",
            hint=cut(f"Campaigns: {names}", 200),
            max_length=CAMPAIGN_NAME_LENGTH,
            input_id="campaign-name",
        ),
        named,
    )
