"""A yes/no question, asked before an action that cannot be undone."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label

from smm_tui.screens.hints import key_hint
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table

#: ConfirmScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
yes | y,enter  | answer(True)  | Yes | Yes, go ahead
no  | n,escape | answer(False) | No  | No, change nothing
"""


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; y or enter confirms, n or esc declines."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("confirm", _KEYS)

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.question))
            hint = key_hint(self, ("confirm.yes", "yes"), ("confirm.no", "no"))
            yield Label(hint, classes="hint", id="confirm-hint")
        yield PaneFooter()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
