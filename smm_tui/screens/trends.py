"""The Trends pane: the terms and hashtags rising in the last hour (or day), with sparklines
and example mentions; ``enter`` opens the feed on a term."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smm_tui.core.alerts import expected_text, series_query
from smm_tui.core.models import Mention
from smm_tui.core.repository import Collection
from smm_tui.core.sparkline import sparkline
from smm_tui.core.spikes import BRAND, Kind
from smm_tui.core.trend_view import WINDOW_NAMES, Trends, read_trends
from smm_tui.core.trends import WINDOWS, RisingTerm
from smm_tui.messages import ArchiveLoaded, DataChanged
from smm_tui.screens.base import WorkspaceScreen, in_background, keys_of
from smm_tui.screens.live_alerts import open_feed_on
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.health_strip import HealthStrip
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import highlighted_id, step_highlight
from smm_tui.widgets.pick_list import PickList
from smm_tui.widgets.render import author_label, cut, one_line
from smm_tui.widgets.status_bar import StatusBar

#: Recount at most this often while mentions arrive (the count reads 7 days of them).
RECOUNT_SECONDS = 5.0
#: Recount this often anyway: the window moves with the clock.
CLOCK_SECONDS = 60.0
#: From this width the baseline column shows (narrower, it goes first).
WITH_BASELINE = 70
#: The sparkline's most cells.
SPARK_CELLS = 24
_ORDER = tuple(WINDOWS)


def columns(width: int) -> tuple[int, bool, int]:
    """The term's cells, whether the baseline shows, and the sparkline's cells at ``width``."""
    baseline = width >= WITH_BASELINE
    fixed = 6 + 7 + (9 if baseline else 0) + 2
    term = max(10, min(24, width - fixed - 12))
    return term, baseline, max(0, min(SPARK_CELLS, width - fixed - term))


def heading(width: int) -> Content:
    """The column headings, over the rows."""
    term, baseline, spark = columns(width)
    text = f"{'term':<{term}}{'count':>6}" + (f"{'baseline':>9}" if baseline else "")
    text += f"{'score':>7}  " + ("history" if spark >= 7 else "")
    return Content.styled(text, "$text-muted")


def term_row(term: RisingTerm, width: int) -> Content:
    """A rising term: its count in the window, its baseline, score and history."""
    cells, baseline, spark = columns(width)
    expected = expected_text(term.baseline).lstrip("≈")
    figures = f"{term.count:>6}" + (f"{expected:>9}" if baseline else "")
    return Content.assemble(
        (cut(one_line(term.term), cells - 1).ljust(cells), "bold"),
        figures,
        (f"{term.score:>7.1f}", "$text-warning"),
        "  ",
        (sparkline(term.history, spark), "$text-accent"),
    )


def examples_content(term: RisingTerm, window: str, examples: dict[str, Mention]) -> Content:
    """The term's figures in words, then its example mentions: author and text, one line each."""
    lines = [
        Content.assemble(
            (f"'{one_line(term.term)}'", "bold"),
            (
                f" · {term.count} in {WINDOW_NAMES[window]}, {expected_text(term.baseline)}"
                " expected from the 7 days before",
                "$text-muted",
            ),
        )
    ]
    for mention_id in term.examples:
        mention = examples.get(mention_id)
        if mention is not None:
            lines.append(
                Content.assemble(
                    (author_label(mention), "$text-primary"), ": ", one_line(mention.text)
                )
            )
    return Content("\n").join(lines)


#: TrendsScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
window | w      | window     | Hour/Day | Rising in the last hour, or the last day
open   | enter  | open       | Open     | Show the term's mentions in the feed
incident | I    | incident   | Incident | Gather the term's near-identical mentions into an
    incident, to answer them all at once
down   | j,down | cursor(1)  | (Down)   | Next term
up     | k,up   | cursor(-1) | (Up)     | Previous term
first  | g      | first      | (Top)    | The highest-scoring term
last   | G      | last       | (Bottom) | The last term
"""


class TrendsScreen(WorkspaceScreen):
    """Rising terms of the window, highest score first; the selected one's mentions below."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("trends", _KEYS)

    def __init__(self) -> None:
        super().__init__()
        self.window = _ORDER[0]
        self._stale = False
        self.trends: Trends | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar("Trends", self.pane_keys())
        yield Static(id="trends-head")
        yield PickList(id="trends-list")
        with Vertical(id="trends-examples-box"):
            yield Static(Content("Counting…"), id="trends-examples")
        yield HealthStrip()
        yield PaneFooter()

    def on_mount(self) -> None:
        self.query_one("#trends-list").focus()
        self.recompute()
        self.set_interval(RECOUNT_SECONDS, self._recount_if_stale)
        self.set_interval(CLOCK_SECONDS, self._recount_if_shown)

    def on_screen_resume(self) -> None:
        self.recompute()

    @on(DataChanged)
    def _changed(self, event: DataChanged) -> None:
        if event.changed.of(Collection.MENTIONS):
            self._stale = True

    @on(ArchiveLoaded)
    def _archive_loaded(self) -> None:
        self._stale = True

    def _recount_if_stale(self) -> None:
        if self._stale:
            self._recount_if_shown()

    def _recount_if_shown(self) -> None:
        # A pane out of sight counts again when it comes back (on_screen_resume).
        if self.is_current:
            self._stale = False
            self.recompute()

    def recompute(self) -> None:
        """Count in a thread: it reads the last 7 days of mentions."""
        ws, window = self.workspace, self.window

        def count() -> Trends:
            return read_trends(ws.repo, ws.ctx.clock(), window, ws.settings.trends)

        in_background(self, count, done=self._show, group="trends", exclusive=True)

    def _width(self) -> int:
        return self.query_one("#trends-list", OptionList).content_size.width or 78

    def _show(self, trends: Trends) -> None:
        if trends.window != self.window:
            return  # counted for the window before a toggle; its own count follows
        self.trends = trends
        width = self._width()
        self.query_one(StatusBar).show(
            Content.assemble(
                ("Trends", "bold"),
                (f" · rising in {WINDOW_NAMES[self.window]}", "$text-muted"),
            )
        )
        self.query_one("#trends-head", Static).update(heading(width))
        widget = self.query_one("#trends-list", OptionList)
        keep = highlighted_id(widget)
        widget.clear_options()
        widget.add_options(Option(term_row(t, width), id=t.term) for t in trends.terms)
        names = [t.term for t in trends.terms]
        if names:
            widget.highlighted = names.index(keep) if keep in names else 0
        self._show_examples()

    def on_resize(self) -> None:
        """Fit the columns to the new width (once the layout has it)."""
        if self.trends is not None:
            trends = self.trends
            self.call_after_refresh(lambda: self._show(trends))

    @on(OptionList.OptionHighlighted, "#trends-list")
    def _show_examples(self) -> None:
        box = self.query_one("#trends-examples", Static)
        trends, term = self.trends, self.selected()
        if trends is None:
            return
        if term is None:
            other = _ORDER[(_ORDER.index(self.window) + 1) % len(_ORDER)]
            toggle = keys_of(self, "trends.window")
            box.update(
                Content.assemble(
                    trends.empty,
                    "\n",
                    (f"{toggle} shows {WINDOW_NAMES[other]}.", "$text-muted"),
                )
            )
            return
        box.update(examples_content(term, trends.window, dict(trends.examples)))

    def selected(self) -> RisingTerm | None:
        """The highlighted term."""
        term = highlighted_id(self.query_one("#trends-list", OptionList))
        found = self.trends.terms if self.trends is not None else ()
        return next((t for t in found if t.term == term), None)

    def action_cursor(self, delta: int) -> None:
        step_highlight(self.query_one("#trends-list", OptionList), delta)

    def action_first(self) -> None:
        self.query_one("#trends-list", OptionList).action_first()

    def action_last(self) -> None:
        self.query_one("#trends-list", OptionList).action_last()

    def action_window(self) -> None:
        self.window = _ORDER[(_ORDER.index(self.window) + 1) % len(_ORDER)]
        self.recompute()

    def _term_query(self) -> str | None:
        """The feed query for the selected term's mentions in the window, if one is selected."""
        term = self.selected()
        if term is None:
            return None
        minutes = int(WINDOWS[self.window].total_seconds() // 60)
        return f"{series_query(Kind.TERM, BRAND, term.term)} newer:{minutes}m"

    def action_open(self) -> None:
        query = self._term_query()
        if query is not None:
            open_feed_on(self.app, query)

    def action_incident(self) -> None:
        """Open the feed on the term's mentions and gather their largest near-duplicate
        group into an incident."""
        query = self._term_query()
        feed = open_feed_on(self.app, query) if query is not None else None
        if feed is not None:
            feed.gather_incident(None)

    @on(OptionList.OptionSelected, "#trends-list")
    def _chosen(self) -> None:
        self.action_open()

    def help_notes(self) -> list[str]:
        """What the score and the baseline mean, which no key says."""
        return [
            "count: mentions in the window that used the term (all its forms); baseline: "
            "the count expected from the 7 days before; score: -log10 of the chance of a "
            "count this high by luck (4 is once in 10,000). The history shows the term's "
            "uses per window-length over those 7 days."
        ]

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("Trends: the last hour or day", "Toggle the window", self.action_window),
        ]
