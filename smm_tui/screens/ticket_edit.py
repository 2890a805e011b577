"""The dialog that routes a ticket: department, assignee and a note."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Select

from smm_tui.core.models import Ticket
from smm_tui.screens.base import WorkspaceModal
from smm_tui.screens.hints import key_button
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import one_line

#: TicketEditScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_EDIT_KEYS = """
cancel | escape | dismiss | Cancel | Close without saving
save   | ctrl+s | save    | Save   | Save the changes and close
"""


class TicketEditScreen(WorkspaceModal):
    """Route a ticket: department, assignee and an internal note."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("ticket_edit", _EDIT_KEYS)

    def __init__(self, ticket: Ticket) -> None:
        super().__init__()
        self.ticket = ticket

    def compose(self) -> ComposeResult:
        workspace = self.workspace
        departments = list(workspace.settings.departments)
        users = list(workspace.settings.users)
        with Vertical(classes="dialog"):
            yield Label(
                Content.assemble(
                    ("Ticket ", "bold"), f"{self.ticket.label}: ", one_line(self.ticket.title)
                ),
                id="edit-title",
            )
            yield Label("Department")
            yield Select(
                [(d, d) for d in departments],
                value=self.ticket.department
                if self.ticket.department in departments
                else Select.NULL,
                prompt="choose a department",
                compact=True,
                id="edit-department",
            )
            yield Label("Assignee")
            yield Select(
                [(u, u) for u in users],
                value=self.ticket.assignee if self.ticket.assignee in users else Select.NULL,
                prompt="nobody",
                compact=True,
                id="edit-assignee",
            )
            yield Label("Note")
            yield Input(self.ticket.note, id="edit-note", compact=True)
            with Horizontal(classes="buttons"):
                yield key_button(self, "Save", "ticket_edit.save", "edit-save", primary=True)
                yield key_button(self, "Cancel", "ticket_edit.cancel", "edit-cancel")
        yield PaneFooter()

    @on(Button.Pressed, "#edit-save")
    def action_save(self) -> None:
        department = self.query_one("#edit-department", Select).value
        assignee = self.query_one("#edit-assignee", Select).value
        update = self.workspace.tickets.update(
            self.ticket.id,
            department=department if isinstance(department, str) else "",
            assignee=assignee if isinstance(assignee, str) else None,
            note=self.query_one("#edit-note", Input).value,
        )
        self.act(update, done=lambda _: self.dismiss())

    @on(Button.Pressed, "#edit-cancel")
    def _cancel(self) -> None:
        self.dismiss()
