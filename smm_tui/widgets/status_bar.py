"""The top line of every pane: what you are looking at, and the pane keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, cast

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
)


def pane_tabs(current: str, keys: Mapping[str, str]) -> Content:
    """``1 Feed 2 Tickets 3 Contests`` (keys as bound) with the current pane highlighted."""
    parts: list[str | tuple[str, str]] = []
    for binding_id, name in PANES:
        style = "bold reverse" if name == current else "$text-muted"
        parts.append((f" {keys.get(binding_id, '?')} {name} ", style))
    return Content.assemble(*parts)


class KeyedApp(Protocol):
    """An app that can say which keys a binding id is bound to."""

    def keys_for(self, binding_id: str) -> str:
        """The keys of an app binding, as shown to the user."""
        ...


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
        yield Static(id="status-tabs")

    def on_mount(self) -> None:
        """Label the panes with the keys actually bound (the user may have remapped them)."""
        app = cast(KeyedApp, self.app)
        keys = {binding_id: app.keys_for(binding_id) for binding_id, _ in PANES}
        self.query_one("#status-tabs", Static).update(pane_tabs(self.pane, keys))

    def show(self, summary: Content) -> None:
        """Replace the left-hand summary."""
        self.query_one("#status-left", Static).update(summary)
