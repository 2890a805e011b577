"""The dialog that writes the team's note on a customer."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from smm_tui.core.notes import NOTE_LENGTH
from smm_tui.widgets.footer import PaneFooter


class NoteScreen(ModalScreen[str | None]):
    """One line about the customer; enter or ctrl+s keeps it (empty removes it), esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="note.cancel", tooltip="Leave the note as it was"),
        Binding("ctrl+s", "save", "Save", id="note.save", tooltip="Keep the note (empty: remove)"),
    ]

    DEFAULT_CSS = """
    NoteScreen Label { width: 100%; }
    """

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
