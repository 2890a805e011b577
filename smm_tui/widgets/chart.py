"""Charts: plots where there is room, sparklines where there is not, tables on request.

The numbers come from :mod:`smm_tui.core.chart_series`. A chart is a plot
(``textual-plotext``) when the terminal is wide and tall enough, a line of
sparkline with its lowest and highest value when it is not, and a table when
the user asks for text (for screen readers and for copying). A chart with no
data says so in words. ``plotext`` costs about 300 ms to import, so it is
imported when the first plot is drawn, never at start-up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from smm_tui.core.chart_series import Chart, shape, sparkline_text, table

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot

__all__ = ["NARROW_WIDTH", "SHORT_HEIGHT", "ChartPanel", "Mode", "mode_for"]

#: Below this many columns the charts are sparklines.
NARROW_WIDTH = 70
#: Below this many lines (the terminal's) the charts are sparklines.
SHORT_HEIGHT = 20
#: A plot's height: its title, the plot and the axis labels.
PLOT_HEIGHT = 12
#: The most labels written under a plot's x axis (days): more would run into each other.
MOST_TICKS = 7
#: The length of a day's label, ``11-20``; longer ones (hours, posts) get fewer ticks.
DAY_LABEL = 5
#: Each series' colour in a plot, by its name; a colour per account otherwise.
COLOURS = {"negative": "red", "neutral": "gray", "positive": "green"}
OTHER_COLOURS = ("cyan", "magenta", "yellow", "blue", "orange", "white")

#: How a panel draws its charts: ``plot``, ``spark`` or ``table``.
Mode = str


def mode_for(width: int, height: int, *, as_text: bool) -> Mode:
    """``table`` when text is asked for; ``spark`` when narrow or short; else ``plot``."""
    if as_text:
        return "table"
    if width < NARROW_WIDTH or height < SHORT_HEIGHT:
        return "spark"
    return "plot"


class ChartPanel(Vertical):
    """A column of charts, drawn as plots, sparklines or tables (see :func:`mode_for`)."""

    DEFAULT_CSS = """
    ChartPanel { height: auto; margin-top: 1; }
    ChartPanel .chart-plot { height: 12; width: 1fr; }
    ChartPanel .chart-text { height: auto; width: 1fr; }
    ChartPanel .chart-gap { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.charts: tuple[Chart, ...] = ()
        self.mode: Mode = "plot"
        self.width = 0

    def show(self, charts: Sequence[Chart], mode: Mode, width: int) -> None:
        """Draw ``charts`` in ``mode`` (``plot``, ``spark`` or ``table``) in ``width`` columns.

        The same charts drawn the same way are left as they are (no flicker on a recount).
        """
        if (tuple(charts), mode, width) == (self.charts, self.mode, self.width):
            return
        self.charts, self.mode, self.width = tuple(charts), mode, width
        self.remove_children()
        widgets: list[Widget] = []
        for chart in self.charts:
            if widgets:
                widgets.append(Static(classes="chart-gap"))
            widgets.append(_drawn(chart, mode, width))
        self.mount_all(widgets)


def _drawn(chart: Chart, mode: Mode, width: int) -> Widget:
    if chart.empty:
        return Static(_missing(chart), classes="chart-text")
    if mode == "table":
        return Static(table_content(chart), classes="chart-text")
    if mode == "spark":
        return Static(spark_content(chart, width), classes="chart-text")
    return plot(chart)


def _missing(chart: Chart) -> Content:
    return Content.assemble((chart.title, "bold"), "  ", (chart.missing, "$text-muted"))


def table_content(chart: Chart) -> Content:
    """The chart as a table: its title, a heading line, a line per label."""
    rows = table(chart)
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    lines = [Content.styled(chart.title, "bold")]
    for number, row in enumerate(rows):
        first = row[0].ljust(widths[0])
        rest = "".join(f"  {cell:>{w}}" for cell, w in zip(row[1:], widths[1:], strict=True))
        lines.append(Content.styled(first + rest, "$text-muted" if number == 0 else ""))
    return Content("\n").join(lines)


def spark_content(chart: Chart, width: int) -> Content:
    """The chart in a line a series: its name, then ``low ▁▃█ high``."""
    # Followers name their account even when there is one: the title alone would not.
    if len(chart.series) == 1 and chart.key != "followers":
        name = chart.title
        line = sparkline_text(chart, chart.series[0], width - len(name) - 2)
        return Content.assemble((name, "bold"), "  ", line or ("no values", "$text-muted"))
    label = max(len(series.name) for series in chart.series) + 2
    lines = [Content.styled(chart.title, "bold")]
    for series in chart.series:
        line = sparkline_text(chart, series, width - label - 2)
        lines.append(
            Content.assemble(
                ("  " + series.name.ljust(label), "$text-muted"),
                line or ("no values", "$text-muted"),
            )
        )
    return Content("\n").join(lines)


def plot(chart: Chart) -> PlotextPlot:
    """The chart as a plot: bars for counts, lines for medians and follower counts."""
    from textual_plotext import PlotextPlot

    widget = PlotextPlot(classes="chart-plot")
    plt = widget.plt
    plt.title(chart.title)
    places = list(range(1, len(chart.labels) + 1))
    for number, series in enumerate(chart.series):
        xs = [x for x, value in zip(places, series.values, strict=True) if value is not None]
        ys = [value for value in series.values if value is not None]
        colour = COLOURS.get(series.name, OTHER_COLOURS[number % len(OTHER_COLOURS)])
        label = series.name if len(chart.series) > 1 else None
        if shape(chart) == "bar":
            plt.bar(xs, ys, color=colour, label=label, width=0.6)
        else:
            plt.plot(xs, ys, color=colour, label=label, marker="hd")
    # Every chart spans all of its labels, even where its first or last values are gaps.
    plt.xlim(0.5, len(places) + 0.5)
    longest = max((len(_short(label)) for label in chart.labels), default=1)
    ticks = _ticks(len(places), MOST_TICKS if longest <= DAY_LABEL else MOST_TICKS - 2)
    plt.xticks([float(x) for x in ticks], [_short(chart.labels[x - 1]) for x in ticks])
    if chart.unit != "minutes":
        top = max((max(s.present, default=0.0) for s in chart.series), default=0.0)
        steps = _whole_steps(top)
        plt.yticks([float(y) for y in steps], [str(y) for y in steps])
    return widget


def _ticks(count: int, most: int) -> list[int]:
    """At most ``most`` evenly spread places, the first and the last among them."""
    if count <= most:
        return list(range(1, count + 1))
    step = (count - 1) / (most - 1)
    return sorted({1 + round(n * step) for n in range(most)})


def _whole_steps(top: float) -> list[int]:
    """Whole numbers from 0 to about ``top`` for a count's axis (a count is never 0.5)."""
    step = max(1, math.ceil(top / 4))
    return list(range(0, int(top) + step, step))


def _short(label: str) -> str:
    """A label under a plot: a post's date and time, without its account."""
    return " ".join(label.split(" ")[:2])
