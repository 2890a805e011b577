"""A dialog for one line of text: a note on a customer, a note on a ticket, a reason."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table

#: The longest line the dialog takes unless told otherwise.
LINE_LENGTH = 300

#: LineScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
cancel | escape | cancel | Cancel | Close without saving
save   | ctrl+s | save   | Save   | Keep the line
"""


class LineScreen(ModalScreen[str | None]):
    """One line of text; enter or ctrl+s keeps it, esc cancels (None)."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("line", _KEYS)

    def __init__(
        self,
        title: Content,
        *,
        text: str = "",
        placeholder: str = "",
        hint: str = "",
        max_length: int = LINE_LENGTH,
        input_id: str = "line-text",
    ) -> None:
        super().__init__()
        self.heading = title
        self.text = text
        self.placeholder = placeholder
        self.hint = hint
        self.max_length = max_length
        self.input_id = input_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.heading)
            yield Input(
                self.text,
                placeholder=self.placeholder,
                max_length=self.max_length,
                id=self.input_id,
                compact=True,
            )
            if self.hint:
                yield Label(Content(self.hint), classes="hint")
        yield PaneFooter()

    @on(Input.Submitted)
    def action_save(self) -> None:
        self.dismiss(self.query_one(f"#{self.input_id}", Input).value)

    def action_cancel(self) -> None:
        self.dismiss(None)
