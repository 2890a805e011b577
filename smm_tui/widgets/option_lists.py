"""What the panes built on an OptionList (contests, tickets, a customer's rows) do alike."""

from __future__ import annotations

from textual.widgets import OptionList


def step_highlight(widget: OptionList, delta: int) -> None:
    """Move the highlight one option down (``delta`` > 0) or up."""
    if delta > 0:
        widget.action_cursor_down()
    else:
        widget.action_cursor_up()


def highlighted_id(widget: OptionList) -> str | None:
    """The id of the highlighted option (None when nothing is highlighted)."""
    if widget.highlighted is None:
        return None
    return widget.get_option_at_index(widget.highlighted).id
