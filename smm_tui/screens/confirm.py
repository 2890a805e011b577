"""A yes/no question, asked before an action that cannot be undone."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label

from smm_tui.screens.hints import key_hint
from smm_tui.widgets.footer import PaneFooter


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; y or enter confirms, n or esc declines."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes", tooltip="Yes, go ahead"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no", tooltip="No, change nothing"),
    ]

    # A long question wraps inside the dialog instead of running past its edge.
    DEFAULT_CSS = """
    ConfirmScreen .dialog > Label { width: 100%; }
    """

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
