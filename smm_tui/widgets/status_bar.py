"""The top line of every pane: what you are looking at, and the pane keys.

A summary too long for one line (a long filter) takes a second line rather than
being cut.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

#: The panes, by the id of the binding that opens each.
PANES = (
    ("app.feed", "Feed"),
    ("app.tickets", "Tickets"),
    ("app.contests", "Contests"),
    ("app.report", "Report"),
    ("app.content", "Content"),
    ("app.trends", "Trends"),
)


#: Below this width the tabs name only the current pane (`` 1 Feed  2  3  4``), so that
#: the summary (a long filter, say) keeps the room.
NAMED_TABS_WIDTH = 100


def pane_tabs(current: str, keys: Mapping[str, str], *, compact: bool = False) -> Content:
    """``1 Feed 2 Tickets 3 Contests`` (keys as bound) with the current pane highlighted.

    ``compact`` names only the current pane; the others show their keys.
    """
    parts: list[str | tuple[str, str]] = []
    for binding_id, name in PANES:
        key = keys.get(binding_id, "?")
        if name == current:
            parts.append((f" {key} {name} ", "bold reverse"))
        else:
            parts.append((f" {key} " if compact else f" {key} {name} ", "$text-muted"))
    return Content.assemble(*parts)


class StatusBar(Horizontal):
    """A one-line bar: a summary on the left, the pane switcher on the right.

    ``keys`` are the keys bound to each pane (by the binding ids of :data:`PANES`),
    as displayed: the screen that composes the bar passes them in.
    """

    DEFAULT_CSS = """
    StatusBar {
        height: auto;
        max-height: 2;
        background: $panel;
        & > #status-left { width: 1fr; height: auto; max-height: 2; padding: 0 1; }
        & > #status-tabs { width: auto; }
    }
    """

    def __init__(self, pane: str, keys: Mapping[str, str]) -> None:
        super().__init__()
        self.pane = pane
        self.keys = dict(keys)

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble((self.pane, "bold")), id="status-left")
        yield Static(id="status-tabs")

    def on_mount(self) -> None:
        """Label the panes with the keys actually bound (the user may have remapped them)."""
        self._show_tabs()

    def on_resize(self) -> None:
        """Name every pane only when the bar is wide enough to keep the summary whole."""
        self._show_tabs()

    def _show_tabs(self) -> None:
        compact = self.app.size.width < NAMED_TABS_WIDTH
        tabs = pane_tabs(self.pane, self.keys, compact=compact)
        widget = self.query_one("#status-tabs", Static)
        if widget.visual != tabs:
            widget.update(tabs)

    def show(self, summary: Content) -> None:
        """Replace the left-hand summary."""
        self.query_one("#status-left", Static).update(summary)
