"""Help generated from the live bindings, so it always shows the keys as remapped."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from smm_tui.screens.base import first_key_for
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table


def help_rows(
    active: Mapping[str, ActiveBinding], key_display: Callable[[Binding], str]
) -> list[tuple[str, str, str]]:
    """(keys, description, binding id) per action, keys joined, in binding order."""
    grouped: dict[tuple[int, str], tuple[list[str], Binding]] = {}
    for item in active.values():
        binding = item.binding
        if not binding.id:
            continue  # Textual's own scrolling and focus keys; ours all have ids
        group = grouped.setdefault((id(item.node), binding.action), ([], binding))
        group[0].append(key_display(binding))
    rows = []
    for keys, binding in grouped.values():
        description = binding.tooltip or binding.description or binding.action
        rows.append((", ".join(dict.fromkeys(keys)), description, binding.id or ""))
    return rows


def _fit(text: str, width: int) -> str:
    """``text`` in a column of ``width`` (cut with … so that the id stays on its line)."""
    if len(text) >= width:
        text = text[: width - 2] + "…"
    return text.ljust(width)


#: HelpScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
close | escape,question_mark,q | dismiss    | Close    | Close the key list
down  | j,down                 | scroll(1)  | (Scroll) | Scroll the keys down
up    | k,up                   | scroll(-1) | (Scroll) | Scroll the keys up
"""


class HelpScreen(ModalScreen[None]):
    """Every key that works on the screen below, with what it does and its keymap id."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("help", _KEYS)

    def __init__(
        self, title: str, rows: list[tuple[str, str, str]], notes: list[str] | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.rows = rows
        self.notes = notes or []

    def compose(self) -> ComposeResult:
        width = max((len(keys) for keys, _, _ in self.rows), default=4) + 2
        # Keys, words and ids must fit a 70-column dialog with its scrollbar.
        text_width = min(max((len(text) for _, text, _ in self.rows), default=10) + 2, 34)
        lines = [
            Content.assemble(
                (keys.ljust(width), "bold $text-accent"),
                _fit(description, text_width),
                (bid, "$text-muted"),
            )
            for keys, description, bid in self.rows
        ]
        with Vertical(classes="dialog help"):
            yield Label(Content.assemble(("Keys: ", "bold"), self.title_text))
            with VerticalScroll(id="help-body"):
                yield Static(Content("\n").join(lines))
                for note in self.notes:
                    yield Static(Content(note), classes="hint")
            close = first_key_for(self, "help.close")
            yield Label(
                Content(f"Remap a key in config.toml under [keymap] by its id. {close} closes."),
                classes="hint",
                id="help-hint",
            )
        yield PaneFooter()

    def action_scroll(self, delta: int) -> None:
        body = self.query_one("#help-body")
        body.scroll_relative(y=delta, animate=False)
