"""The dialog that writes the team's note on a customer."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.content import Content

from smm_tui.core.notes import NOTE_LENGTH
from smm_tui.screens.line import LineScreen
from smm_tui.widgets.key_table import key_table

#: NoteScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
cancel | escape | cancel | Cancel | Leave the note as it was
save   | ctrl+s | save   | Save   | Keep the note (empty: remove)
"""


class NoteScreen(LineScreen):
    """One line about the customer; enter or ctrl+s keeps it (empty removes it), esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("note", _KEYS)

    def __init__(self, who: str, text: str) -> None:
        super().__init__(
            Content.assemble(("Note on ", "bold"), who),
            text=text,
            placeholder="e.g. VIP client; lawyer involved; prefers English",
            hint="Shown with every mention of theirs. Empty removes it.",
            max_length=NOTE_LENGTH,
            input_id="note-text",
        )
        self.who = who
