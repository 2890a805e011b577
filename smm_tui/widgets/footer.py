"""The footer every screen shows: its own keys, never the command palette's."""

from __future__ import annotations

from textual.widgets import Footer


class PaneFooter(Footer):
    """A Footer without the palette key: at 80 columns its room is the pane's keys, and
    the palette (``:`` or ctrl+p) is listed in help, like every key not in a footer."""

    def __init__(self) -> None:
        super().__init__(show_command_palette=False)
