"""Resolving a ticket: follow up in public on the original thread, or just close it."""

from __future__ import annotations

import enum
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label

from smm_tui.core.models import Ticket
from smm_tui.screens.hints import key_hint
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import one_line


class Resolution(enum.Enum):
    """What resolving a ticket is to do."""

    FOLLOW_UP = "follow-up"
    CLOSE = "close"


#: FollowUpScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_FOLLOW_UP_KEYS = """
follow_up | y,enter  | answer('follow-up') | Follow up  | Answer on the original thread
close     | n        | answer('close')     | Just close | Close it without a public answer
cancel    | escape   | answer('')          | Cancel     | Leave the ticket as it is
"""


class FollowUpScreen(ModalScreen[Resolution | None]):
    """Resolving a ticket: follow up in public on the original thread, or just close it."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("follow_up", _FOLLOW_UP_KEYS)

    def __init__(self, ticket: Ticket) -> None:
        super().__init__()
        self.ticket = ticket

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Content.assemble(
                    ("Resolve ", "bold"), self.ticket.label, ": ", one_line(self.ticket.title)
                )
            )
            yield Label(
                Content(
                    "Tell the customer in public, on the original thread, that it is fixed? "
                    "The ticket then awaits their answer."
                )
            )
            hint = key_hint(
                self,
                ("follow_up.follow_up", "follow up"),
                ("follow_up.close", "just close"),
                ("follow_up.cancel", "cancel"),
                gap="  ",
            )
            yield Label(hint, classes="hint", id="follow-up-hint")
        yield PaneFooter()

    def action_answer(self, answer: str) -> None:
        self.dismiss(Resolution(answer) if answer else None)
