"""Label mentions by hand: a tone or an intent with one key, or tags typed in."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label

from smm_tui.core.models import Intent, Sentiment

#: What a key sets: the field ("sentiment" or "intent") and its value.
Choice = tuple[str, str]


class LabelScreen(ModalScreen[Choice | None]):
    """Pick a sentiment or an intent for the marked mentions (or the one under the cursor)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "pick('sentiment', 'negative')", "Negative", id="label.negative"),
        Binding("e", "pick('sentiment', 'neutral')", "Neutral", id="label.neutral"),
        Binding("p", "pick('sentiment', 'positive')", "Positive", id="label.positive"),
        Binding("c", "pick('intent', 'complaint')", "Complaint", id="label.complaint"),
        Binding("q", "pick('intent', 'question')", "Question", id="label.question"),
        Binding("r", "pick('intent', 'praise')", "Praise", id="label.praise"),
        Binding("s", "pick('intent', 'spam')", "Spam", id="label.spam"),
        Binding("o", "pick('intent', 'other')", "Other", id="label.other"),
        Binding("escape", "dismiss(None)", "Cancel", id="label.cancel"),
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        what = _what(self.count)
        with Vertical(classes="dialog"):
            yield Label(Content.assemble(("Label ", "bold"), what))
            yield Label(Content("tone:    n negative · e neutral · p positive"))
            yield Label(Content("intent:  c complaint · q question · r praise · s spam · o other"))
            yield Label(
                Content("A label you set sticks: the classifier leaves it be."), classes="hint"
            )
        yield Footer()

    def action_pick(self, field: str, value: str) -> None:
        """Close with the chosen label."""
        kind = Sentiment if field == "sentiment" else Intent
        self.dismiss((field, kind(value).value))


class TagScreen(ModalScreen[str | None]):
    """Type tags for the marked mentions: ``refund urgent`` adds, ``-spam`` removes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="tag.cancel"),
    ]

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        what = _what(self.count)
        with Vertical(classes="dialog"):
            yield Label(Content.assemble(("Tags for ", "bold"), what))
            yield Input(placeholder="refund urgent -spam", id="tag-input")
            yield Label(
                Content("enter applies · a word adds a tag, -word removes it"), classes="hint"
            )
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Close with what was typed."""
        self.dismiss(event.value.strip() or None)


def _what(count: int) -> str:
    """What a dialog acts on: ``this mention`` or ``3 marked mentions``."""
    return "this mention" if count == 1 else f"{count} marked mentions"
