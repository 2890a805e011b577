"""The report pane: first-response times, the share answered within target, what
became of the tickets opened ("Closing the loop"), and charts of the period.

The charts (mention volume, tone, first-response time, followers, engagement per
post) are plots where there is room and sparklines where there is not; ``t``
shows every one as a table instead. ``c`` opens the campaigns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from smm_tui.core import loop_report, report
from smm_tui.core.chart_series import Chart, report_charts, window
from smm_tui.core.loop_report import LoopRow
from smm_tui.core.models import Mention, Sentiment, to_iso
from smm_tui.core.repository import Collection
from smm_tui.core.sanitize import clean_identity
from smm_tui.messages import DataChanged
from smm_tui.screens.base import WorkspaceScreen, in_background
from smm_tui.screens.campaigns import CampaignsScreen
from smm_tui.widgets.chart import ChartPanel, mode_for
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.health_strip import HealthStrip
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.status_bar import StatusBar

PERIODS = (7, 30, 90)
#: The report reads every recent mention: recount at most this often while data moves.
RECOUNT_SECONDS = 5.0
_HEADINGS = {"network": "By network", "day": "By day", "assignee": "By assignee"}


#: The table's width with the tone column; narrower, the tone goes and names are cut shorter.
WIDE_TABLE = 72


def report_content(rows: list[report.Row], days: int, width: int = WIDE_TABLE) -> Content:
    """The report as a table, one section per grouping, fitted to ``width`` columns."""
    if not rows:
        return Content(f"No mentions in the last {days} days.")
    wide = width >= WIDE_TABLE
    name, time = (16, 8) if wide else (12, 7)
    columns = (
        f"{'mentions':>9}{'answered':>9}{'median':>{time}}{'p90':>{time}}"
        f"{'in target':>10}" + ("   − / = / +" if wide else "")
    )
    lines: list[Content] = []
    for grouping in report.GROUPINGS:
        section = [r for r in rows if r.grouping == grouping]
        if not section:
            continue
        if lines:
            lines.append(Content(""))
        # The section's name heads the first column: a line that starts with blanks
        # loses them when Textual wraps it, and the columns would shift under it.
        lines.append(
            Content.assemble((_HEADINGS[grouping].ljust(name), "bold"), (columns, "$text-muted"))
        )
        lines += [_line(row, name, time, tone=wide) for row in section]
    return Content("\n").join(lines)


def _line(row: report.Row, name: int, time: int, *, tone: bool) -> Content:
    share = row.within_share
    style = "$text-error" if share is not None and share < 0.8 else "$text-success"
    counts = "/".join(
        str(row.tone.get(s, 0)) for s in (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)
    )
    return Content.assemble(
        (clean_identity(row.group)[: name - 1].ljust(name), "$text-primary"),
        f"{row.mentions:>9}{row.answered:>9}",
        f"{report.minutes_text(row.median):>{time}}{report.minutes_text(row.p90):>{time}}",
        (f"{report.share_text(share):>10}", style),
        ("   " + counts if tone else "", "$text-muted"),
    )


def loop_content(rows: list[LoopRow], days: int, width: int = WIDE_TABLE) -> Content:
    """The "Closing the loop" section: two tables (tickets; reviews and times) and a legend."""
    title = Content.styled("Closing the loop", "bold")
    if not rows:
        return Content.assemble(
            title, (f": no tickets opened in the last {days} days.", "$text-muted")
        )
    # Each column is its heading's width and a gap, wider when there is room.
    name, gap = (16, 2) if width >= WIDE_TABLE else (12, 1)
    lines = [title]
    lines += _loop_table("Tickets", loop_report.TICKET_COLUMNS, rows, name, gap)
    lines += _loop_table("Reviews", loop_report.REVIEW_COLUMNS, rows, name, gap)
    lines += [Content.styled(line, "$text-muted") for line in loop_report.LEGEND]
    return Content("\n").join(lines)


def _loop_table(
    heading: str, columns: loop_report.Columns, rows: list[LoopRow], name: int, gap: int
) -> list[Content]:
    """A heading line, a line per row, and a blank line after them."""
    widths = [max(len(label), loop_report.CELL_WIDTH) + gap for label, _ in columns]
    labels = "".join(f"{label:>{w}}" for (label, _), w in zip(columns, widths, strict=True))
    lines = [Content.assemble((heading.ljust(name), "bold"), (labels, "$text-muted"))]
    for row in rows:
        cells = "".join(f"{cell(row):>{w}}" for (_, cell), w in zip(columns, widths, strict=True))
        style = "bold" if row.group == loop_report.TOTAL else "$text-primary"
        group = clean_identity(row.group)[: name - 1].ljust(name)
        lines.append(Content.assemble((group, style), cells))
    return [*lines, Content("")]


@dataclass(frozen=True, slots=True)
class Figures:
    """What the pane shows, counted together in one worker."""

    rows: list[report.Row]
    loop: list[LoopRow]
    charts: tuple[Chart, ...]


#: ReportScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
period    | p      | period      | Period    | 7, 30 or 90 days
text      | t      | toggle_text | Text      | Every chart as a table (for screen readers, copying)
campaigns | c      | campaigns   | Campaigns | Every campaign with its figures and charts
down   | j,down | scroll(1)  | (Scroll) | Scroll the report down
up     | k,up   | scroll(-1) | (Scroll) | Scroll the report up
"""


class ReportScreen(WorkspaceScreen):
    """Median and p90 first-response time, and the share within target."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("report", _KEYS)

    def __init__(self) -> None:
        super().__init__()
        self.days = PERIODS[0]
        self._stale = False
        #: The figures shown, to fit again to a new width without recounting.
        self._figures: Figures | None = None
        #: Whether the charts are shown as tables.
        self.as_text = False

    def compose(self) -> ComposeResult:
        yield StatusBar("Report", self.pane_keys())
        with VerticalScroll(id="report-body"):
            yield Static(Content("Counting…"), id="report-table")
            yield ChartPanel(id="report-charts")
        yield Static(Content("CSV: smm-tui report --format csv --days N"), classes="status-line")
        yield HealthStrip()
        yield PaneFooter()

    def on_mount(self) -> None:
        self.recompute()
        self.set_interval(RECOUNT_SECONDS, self._recount_if_stale)

    def on_screen_resume(self) -> None:
        self.recompute()

    def on_data_changed(self, _event: DataChanged) -> None:
        """New answers change the figures: recount soon (at most every few seconds)."""
        self._stale = True

    def _recount_if_stale(self) -> None:
        if self._stale:
            self._stale = False
            self.recompute()

    def recompute(self) -> None:
        """Count in a thread: the report reads every recent mention."""
        in_background(self, self._count, done=self._show, group="report", exclusive=True)

    def _count(self) -> Figures:
        ws = self.workspace
        now = ws.ctx.clock()
        hours = ws.settings.sla.default.hours
        zone = hours.zone if hours else None
        since = report.window_start(now, self.days, zone)
        cutoff = to_iso(since) or ""
        mentions = [
            Mention.from_record(r)
            for r in ws.repo.records(Collection.MENTIONS)
            if r["created_at"] >= cutoff
        ]
        rows = report.build(mentions, since, now, zone)
        charts = report_charts(
            mentions,
            ws.planning.deliveries(),
            ws.growth.readings(),
            window(since, now, zone or UTC),
        )
        loop = loop_report.build_from_records(
            ws.repo.records(Collection.TICKETS),
            ws.repo.records(Collection.HANDOFFS),
            loop_report.networks_of(
                lambda mention_id: ws.repo.get(Collection.MENTIONS, mention_id)
            ),
            since,
        )
        return Figures(rows, loop, charts)

    def _show(self, figures: Figures) -> None:
        self._figures = figures
        self.query_one(StatusBar).show(
            Content.assemble(("Report", "bold"), (f" · last {self.days} days", "$text-muted"))
        )
        table = self.query_one("#report-table", Static)
        # The scrollbar may come and go: keep its room so that the table never wraps.
        width = table.size.width - 2 if table.size.width else WIDE_TABLE
        table.update(
            Content("\n\n").join(
                [
                    report_content(figures.rows, self.days, width),
                    loop_content(figures.loop, self.days, width),
                ]
            )
        )
        self._draw_charts()

    def _draw_charts(self) -> None:
        if self._figures is None:
            return
        size = self.app.size
        mode = mode_for(size.width, size.height, as_text=self.as_text)
        panel = self.query_one(ChartPanel)
        panel.show(self._figures.charts, mode, panel.size.width or size.width - 2)

    def on_resize(self) -> None:
        """Fit the tables to the new width (once the layout has it)."""
        if self._figures is not None:
            figures = self._figures
            self.call_after_refresh(lambda: self._show(figures))

    def action_period(self) -> None:
        self.days = PERIODS[(PERIODS.index(self.days) + 1) % len(PERIODS)]
        self.recompute()

    def action_toggle_text(self) -> None:
        """Every chart as a table, or as a plot again."""
        self.as_text = not self.as_text
        self._draw_charts()

    def action_campaigns(self) -> None:
        """The campaigns, each with its figures and charts."""
        self.app.push_screen(CampaignsScreen())

    def action_scroll(self, delta: int) -> None:
        self.query_one("#report-body").scroll_relative(y=delta, animate=False)
