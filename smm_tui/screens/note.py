"""The dialog that writes the team's note on a customer."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from smm_tui.core.notes import NOTE_LENGTH
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table

#: NoteScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
cancel | escape | cancel | Cancel | Leave the note as it was
save   | ctrl+s | save   | Save   | Keep the note (empty: remove)
"""


class NoteScreen(ModalScreen[str | None]):
    """One line about the customer; enter or ctrl+s keeps it (empty removes it), esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("note", _KEYS)

    def __init__(self, who: str, text: str) -> None:
        super().__init__()
        self.who = who
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.assemble(("Note on ", "bold"), self.who))
            yield Input(
                self.text,
                placeholder="e.g. VIP client; lawyer involved; prefers English",
                max_length=NOTE_LENGTH,
                id="note-text",
                compact=True,
            )
            yield Label(
                Content("Shown with every mention of theirs. Empty removes it."), classes="hint"
            )
        yield PaneFooter()

    @on(Input.Submitted)
    def action_save(self) -> None:
        self.dismiss(self.query_one("#note-text", Input).value)

    def action_cancel(self) -> None:
        self.dismiss(None)
