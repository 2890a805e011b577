"""Assign mentions to someone: me first, then the team, then nobody."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from smm_tui.core.sanitize import clean_identity
from smm_tui.core.wording import acted_on
from smm_tui.screens.base import first_key_for
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who was picked: a user, or None to unassign."""

    assignee: str | None


def assign_choices(me: str, users: Sequence[str]) -> list[str | None]:
    """Me, then every other user once, in the config's order, then None (unassign)."""
    return [me, *dict.fromkeys(u for u in users if u != me), None]


#: AssignScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
pick   | enter  | pick          | Assign   | Assign to the highlighted
me     | m      | choose(0)     | Me       | Assign to me
none   | u      | choose(-1)    | Unassign | Assign to nobody
down   | j,down | move(1)       | (Down)   | Highlight the next
up     | k,up   | move(-1)      | (Up)     | Highlight the previous
cancel | escape | dismiss(None) | Cancel   | Assign nobody new
"""


class AssignScreen(ModalScreen[Assignment | None]):
    """Pick who gets the marked mentions (or the one under the cursor); enter on the first is me."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("assign", _KEYS)

    def __init__(self, count: int, me: str, users: Sequence[str]) -> None:
        super().__init__()
        self.count = count
        self.me = me
        self.choices = assign_choices(me, users)
        self.cursor = 0

    def compose(self) -> ComposeResult:
        what = acted_on(self.count)
        with Vertical(classes="dialog"):
            yield Label(Content.assemble(("Assign ", "bold"), what, " to"))
            yield Static(self._choices_content(), id="assign-choices")
            yield Label(classes="hint", id="assign-hint")
        yield PaneFooter()

    def on_mount(self) -> None:
        self.query_one("#assign-hint", Label).update(self._hint())

    def _key(self, binding_id: str) -> str:
        return first_key_for(self, binding_id)

    def _hint(self) -> Content:
        """``j/k move · ⏎ assigns · m me · u unassign · esc cancels``, in the live keys."""
        key = self._key
        return Content(
            f"{key('assign.down')}/{key('assign.up')} move · {key('assign.pick')} assigns · "
            f"{key('assign.me')} me · {key('assign.none')} unassign · "
            f"{key('assign.cancel')} cancels"
        )

    def _label(self, choice: str | None) -> str:
        if choice is None:
            return "nobody (unassign)"
        name = clean_identity(choice)
        return f"me ({name})" if choice == self.me else name

    def _choices_content(self) -> Content:
        lines = [
            Content.assemble(
                ("› " if index == self.cursor else "  ", "bold $accent"),
                (self._label(choice), "bold reverse" if index == self.cursor else ""),
            )
            for index, choice in enumerate(self.choices)
        ]
        return Content("\n").join(lines)

    def action_move(self, step: int) -> None:
        """Move the highlight (it stops at either end)."""
        self.cursor = max(0, min(self.cursor + step, len(self.choices) - 1))
        self.query_one("#assign-choices", Static).update(self._choices_content())

    def action_pick(self) -> None:
        """Close with the highlighted person."""
        self.dismiss(Assignment(self.choices[self.cursor]))

    def action_choose(self, index: int) -> None:
        """Close with the choice at ``index`` (0 is me, -1 is nobody)."""
        self.dismiss(Assignment(self.choices[index]))
