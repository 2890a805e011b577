"""The Campaigns view, from the report pane: a row per campaign, ``enter`` opens one.

Each row gives the campaign's name and period, its posts published, its
mentions and its spend in each currency (never added across currencies).
Names are typed by people: every row is built as Content, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smm_tui.core.campaign_figures import CampaignFigures, figures_from, read_records, summary
from smm_tui.core.campaigns import CampaignService
from smm_tui.core.sanitize import one_line
from smm_tui.core.wording import plural
from smm_tui.screens.base import WorkspaceScreen, in_background
from smm_tui.screens.campaign_detail import CampaignScreen
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import highlighted_id, step_highlight

#: What the view says when there is no campaign yet.
NO_CAMPAIGNS = (
    "No campaigns yet. Create one with: "
    "smm-tui campaign create NAME --from DATE --to DATE [--hashtag TAG] [--keyword WORD]"
)

#: CampaignsScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
open | enter    | open           | Open   | The campaign's figures, their sources and charts
down | j,down   | move(1)        | (Down) | The next campaign
up   | k,up     | move(-1)       | (Up)   | The previous campaign
back | escape,q | app.pop_screen | Back   | Back to the report
"""


def campaign_row(figures: CampaignFigures) -> Content:
    """Two lines: the name and period; then posts, mentions and spend per currency."""
    campaign = figures.campaign
    return Content("\n").join(
        [
            Content.assemble(
                (one_line(campaign.name), "bold"),
                (f"  {campaign.starts} – {campaign.ends}", "$text-muted"),
            ),
            Content.styled("  " + summary(figures), "$text-muted"),
        ]
    )


class CampaignsScreen(WorkspaceScreen):
    """Every campaign, earliest first, with its posts, mentions and spend."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("campaigns", _KEYS)

    DEFAULT_CSS = """
    CampaignsScreen #campaigns-list { height: 1fr; border: none; }
    CampaignsScreen #campaigns-empty { padding: 1 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[CampaignFigures] = []

    def compose(self) -> ComposeResult:
        yield Static(
            Content.styled("Campaigns", "bold"), classes="status-line", id="campaigns-title"
        )
        yield Static(Content("Counting…"), id="campaigns-empty")
        yield OptionList(id="campaigns-list")
        yield PaneFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self.recount()

    def on_screen_resume(self) -> None:
        self.recount()

    def recount(self) -> None:
        """Work out every campaign's figures in a thread (they read every mention)."""
        in_background(self, self._count, done=self._show, group="campaigns", exclusive=True)

    def _count(self) -> list[CampaignFigures]:
        ctx = self.workspace.ctx
        campaigns = CampaignService(ctx).all()
        if not campaigns:
            return []
        records = read_records(ctx)
        zone, now = self.workspace.settings.publishing.zone, ctx.clock()
        return [figures_from(records, campaign, zone, now) for campaign in campaigns]

    def _show(self, rows: Sequence[CampaignFigures]) -> None:
        self.rows = list(rows)
        title = Content.assemble(
            ("Campaigns", "bold"), (f" · {plural(len(self.rows), 'campaign')}", "$text-muted")
        )
        self.query_one("#campaigns-title", Static).update(title)
        empty = self.query_one("#campaigns-empty", Static)
        options = self.query_one(OptionList)
        empty.display, options.display = not self.rows, bool(self.rows)
        empty.update(Content(NO_CAMPAIGNS))
        kept = highlighted_id(options)
        options.clear_options()
        options.add_options(Option(campaign_row(f), id=f.campaign.id) for f in self.rows)
        ids = [f.campaign.id for f in self.rows]
        if ids:
            options.highlighted = ids.index(kept) if kept in ids else 0
            options.focus()

    def action_move(self, step: int) -> None:
        step_highlight(self.query_one(OptionList), step)

    @on(OptionList.OptionSelected, "#campaigns-list")
    def action_open(self) -> None:
        chosen = highlighted_id(self.query_one(OptionList))
        found = next((f for f in self.rows if f.campaign.id == chosen), None)
        if found is not None:
            self.app.push_screen(CampaignScreen(found.campaign))
