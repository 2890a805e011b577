"""The top line of every pane: what you are looking at, and the pane keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

PANES = (("1", "Feed"), ("2", "Tickets"), ("3", "Contests"))


def pane_tabs(current: str) -> Content:
    """``1 Feed 2 Tickets 3 Contests`` with the current pane highlighted."""
    parts: list[str | tuple[str, str]] = []
    for key, name in PANES:
        style = "bold reverse" if name == current else "$text-muted"
        parts.append((f" {key} {name} ", style))
    return Content.assemble(*parts)


class StatusBar(Horizontal):
    """A one-line bar: a summary on the left, the pane switcher on the right."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        & > #status-left { width: 1fr; padding: 0 1; }
        & > #status-tabs { width: auto; }
    }
    """

    def __init__(self, pane: str) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble((self.pane, "bold")), id="status-left")
        yield Static(pane_tabs(self.pane), id="status-tabs")

    def show(self, summary: Content) -> None:
        """Replace the left-hand summary."""
        self.query_one("#status-left", Static).update(summary)
