"""One campaign: every figure with its value (or "missing" and why) and its source, the
cost figures per currency, and the charts of its period.

``t`` shows the charts as tables. The sources quote the campaign's name, typed by
people: every line is built as Content, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from smm_tui.core.campaign_figures import (
    MISSING,
    CampaignFigures,
    Figure,
    figures_from,
    label,
    read_records,
    value_text,
)
from smm_tui.core.campaigns import Campaign
from smm_tui.core.chart_series import Chart, campaign_charts
from smm_tui.core.sanitize import one_line
from smm_tui.screens.base import WorkspaceScreen, in_background
from smm_tui.widgets.chart import ChartPanel, mode_for
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table

#: The width of a figure's name; its value is right-aligned after it.
NAME_WIDTH = 30
VALUE_WIDTH = 16

#: CampaignScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
text | t        | toggle_text    | Text     | Every chart as a table (for screen readers, copying)
down | j,down   | scroll(1)      | (Scroll) | Scroll down
up   | k,up     | scroll(-1)     | (Scroll) | Scroll up
back | escape,q | app.pop_screen | Back     | Back to the campaigns
"""


@dataclass(frozen=True, slots=True)
class CampaignView:
    """What the view shows, worked out together in one thread."""

    figures: CampaignFigures
    charts: tuple[Chart, ...]


def figure_lines(figure: Figure) -> list[Content]:
    """The figure's name and value on one line, where it came from on the next."""
    value = value_text(figure)
    style = "$text-warning" if value == MISSING else "bold"
    name = one_line(label(figure))
    cut = name if len(name) < NAME_WIDTH else name[: NAME_WIDTH - 2] + "…"
    return [
        Content.assemble(cut.ljust(NAME_WIDTH), (value.rjust(VALUE_WIDTH), style)),
        # No-break spaces: Textual drops a wrapped line's leading blanks, and the indent.
        Content.styled("\u00a0\u00a0" + one_line(figure.source), "$text-muted"),
    ]


def figures_content(figures: CampaignFigures) -> Content:
    """Every figure, then the cost figures of each currency under its own heading."""
    general = [f for f in figures.figures if not (f.currency and f.name != "budget")]
    costs: dict[str, list[Figure]] = {}
    for figure in figures.figures:
        if figure.currency and figure.name != "budget":
            costs.setdefault(figure.currency, []).append(figure)
    lines = [Content.styled("Figures", "bold underline")]
    for figure in general:
        lines += figure_lines(figure)
    for currency, its in sorted(costs.items()):
        lines += [Content(""), Content.styled(f"Cost figures in {currency}", "bold underline")]
        for figure in its:
            lines += figure_lines(figure)
    return Content("\n").join(lines)


class CampaignScreen(WorkspaceScreen):
    """A campaign's figures, their sources, its cost figures and its charts."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("campaign", _KEYS)

    DEFAULT_CSS = """
    CampaignScreen #campaign-body { height: 1fr; padding: 0 1; }
    CampaignScreen #campaign-charts-title { margin-top: 1; }
    CampaignScreen #campaign-charts { margin-top: 0; }
    """

    def __init__(self, campaign: Campaign) -> None:
        super().__init__()
        self.campaign = campaign
        self.view: CampaignView | None = None
        #: Whether the charts are shown as tables.
        self.as_text = False

    def compose(self) -> ComposeResult:
        yield Static(self._title(), classes="status-line")
        with VerticalScroll(id="campaign-body"):
            yield Static(Content("Counting…"), id="campaign-figures")
            yield Static(Content.styled("Charts", "bold underline"), id="campaign-charts-title")
            yield ChartPanel(id="campaign-charts")
        yield PaneFooter()

    def _title(self) -> Content:
        campaign = self.campaign
        return Content.assemble(
            (one_line(campaign.name), "bold"),
            (f" · {campaign.starts} – {campaign.ends}", "$text-muted"),
            (f" · utm_campaign={campaign.utm}" if campaign.utm else "", "$text-muted"),
        )

    def on_mount(self) -> None:
        in_background(self, self._count, done=self._show, group="campaign", exclusive=True)

    def _count(self) -> CampaignView:
        ctx = self.workspace.ctx
        records = read_records(ctx)
        zone, now = self.workspace.settings.publishing.zone, ctx.clock()
        figures = figures_from(records, self.campaign, zone, now)
        charts = campaign_charts(
            self.campaign,
            posts=records.posts,
            deliveries=records.deliveries,
            mentions=records.mentions,
            readings=records.readings,
            zone=zone,
            now=now,
            contests=records.contests,
        )
        return CampaignView(figures, charts)

    def _show(self, view: CampaignView) -> None:
        self.view = view
        self.query_one("#campaign-figures", Static).update(figures_content(view.figures))
        self._draw_charts()

    def _draw_charts(self) -> None:
        if self.view is None:
            return
        size = self.app.size
        mode = mode_for(size.width, size.height, as_text=self.as_text)
        panel = self.query_one(ChartPanel)
        panel.show(self.view.charts, mode, panel.size.width or size.width - 4)

    def on_resize(self) -> None:
        """Plots or sparklines: the new size decides (once the layout has it)."""
        self.call_after_refresh(self._draw_charts)

    def action_toggle_text(self) -> None:
        """Every chart as a table, or as a plot again."""
        self.as_text = not self.as_text
        self._draw_charts()

    def action_scroll(self, delta: int) -> None:
        self.query_one("#campaign-body").scroll_relative(y=delta, animate=False)
