"""Label mentions by hand: a tone and an intent with a key each, or tags typed in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from smm_tui.core.models import Intent, Sentiment
from smm_tui.core.sanitize import clean_identity
from smm_tui.core.wording import acted_on, shown_tags
from smm_tui.screens.base import first_key_for
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import SHOWN, key_table, pane_bindings


@dataclass(frozen=True, slots=True)
class Labels:
    """What one opening of the label picker set: a tone, an intent, or both."""

    sentiment: Sentiment | None = None
    intent: Intent | None = None


#: The picker's rows: the field, then each value with its default key (the rows show the
#: keys as bound now, after the user's keymap: see :meth:`LabelScreen._key`).
_ROWS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("tone", "sentiment", (("n", "negative"), ("e", "neutral"), ("p", "positive"))),
    (
        "intent",
        "intent",
        (("c", "complaint"), ("q", "question"), ("r", "praise"), ("s", "spam"), ("o", "other")),
    ),
)


#: LabelScreen's keys besides one per tone and intent (columns: see key_table).
_LABEL_KEYS = """
apply  | enter  | apply         | Apply  | Apply the tone or intent picked
cancel | escape | dismiss(None) | Cancel | Leave the labels be
"""


class LabelScreen(ModalScreen[Labels | None]):
    """Pick a tone and an intent for the marked mentions (or the one under the cursor).

    One key per field; once both are picked they apply together, and enter
    applies just the one picked.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        *pane_bindings(
            "label",
            [
                (
                    SHOWN,
                    key,
                    f"pick('{field}', '{value}')",
                    value.capitalize(),
                    value,
                    f"{title.capitalize()}: {value}",
                )
                for title, field, values in _ROWS
                for key, value in values
            ],
        ),
        *key_table("label", _LABEL_KEYS),
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.picked = Labels()

    def compose(self) -> ComposeResult:
        what = acted_on(self.count)
        with Vertical(classes="dialog"):
            yield Label(Content.assemble(("Label ", "bold"), what))
            yield Static(self._rows(), id="label-rows")
            apply = self._key("label.apply")
            yield Label(
                Content(
                    f"Pick a tone and an intent ({apply} applies one alone). "
                    "A label you set sticks: the classifier leaves it be."
                ),
                classes="hint",
                id="label-hint",
            )
        yield PaneFooter()

    def _key(self, binding_id: str) -> str:
        return first_key_for(self, binding_id)

    def _rows(self) -> Content:
        """``tone:    n negative · e neutral · p positive`` and the intents, in the live keys."""
        lines = []
        for title, field, values in _ROWS:
            chosen = getattr(self.picked, field)
            parts: list[str | tuple[str, str]] = [f"{title}:".ljust(9)]
            for index, (_, value) in enumerate(values):
                if index:
                    parts.append(" · ")
                on = chosen is not None and chosen.value == value
                text = f"{self._key(f'label.{value}')} {value}"
                parts.append((text, "bold reverse") if on else text)
            if chosen is not None:
                parts.append(("  ✓", "bold $success"))
            lines.append(Content.assemble(*parts))
        return Content("\n").join(lines)

    def action_pick(self, field: str, value: str) -> None:
        """Choose a tone or an intent; with both chosen, close."""
        if field == "sentiment":
            self.picked = replace(self.picked, sentiment=Sentiment(value))
        else:
            self.picked = replace(self.picked, intent=Intent(value))
        if self.picked.sentiment is not None and self.picked.intent is not None:
            self.dismiss(self.picked)
            return
        self.query_one("#label-rows", Static).update(self._rows())

    def action_apply(self) -> None:
        """Close with what was picked (nothing picked: as if cancelled)."""
        empty = self.picked.sentiment is None and self.picked.intent is None
        self.dismiss(None if empty else self.picked)


#: TagScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_TAG_KEYS = """
cancel | escape | dismiss(None) | Cancel | Leave the tags be
"""


class TagScreen(ModalScreen[str | None]):
    """Edit the tags of the marked mentions: the ones they share are shown to edit.

    A word adds a tag, ``-spam`` removes one, and a shown tag deleted from the
    box is removed; a tag with spaces is in double quotes (see
    :func:`smm_tui.core.wording.tag_edit`).
    """

    BINDINGS: ClassVar[list[BindingType]] = key_table("tag", _TAG_KEYS)

    def __init__(self, count: int, tags: Sequence[str] = ()) -> None:
        super().__init__()
        self.count = count
        self.tags = tuple(tags)

    def compose(self) -> ComposeResult:
        what = acted_on(self.count)
        shown = shown_tags([clean_identity(tag) for tag in self.tags])
        with Vertical(classes="dialog"):
            yield Label(Content.assemble(("Tags for ", "bold"), what))
            yield Input(
                shown + " " if shown else "", placeholder="refund urgent -spam", id="tag-input"
            )
            yield Label(
                Content("enter applies · a word adds a tag; delete one, or -word, to remove it"),
                classes="hint",
            )
        yield PaneFooter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Close with what the box holds (empty, when tags were shown, removes them)."""
        text = event.value.strip()
        self.dismiss(text if text or self.tags else None)
