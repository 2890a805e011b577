"""The dialog in which an incident's one reply is written: a template with fields such as
``{first_name}``, filled for each mention when it is recorded, and shown filled for the
first of them as it is typed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from smm_tui.core.incidents import FilledFor
from smm_tui.core.saved_replies import SavedReply
from smm_tui.screens.hints import key_hint
from smm_tui.widgets.external_editor import with_priority
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import cut, one_line

#: Seconds of no typing before the text is shown filled for the first member.
PREVIEW_AFTER = 0.3
#: How much of each saved reply the picker shows.
PICK_CELLS = 60

# ctrl+t as in the composer; not ctrl+d/k/u/w/x, which edit text in a TextArea.
#: TemplateScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
save   | ctrl+s | save   | Save        | Use this text for every mention
saved  | ctrl+t | saved  | Saved reply | Start from a saved reply (its fields are filled
    for each mention)
cancel | escape | cancel | Cancel      | Close without sending anything
"""


def preview_content(filled: Sequence[FilledFor]) -> Content:
    """The template as the first mention will read it, and how many cannot be filled."""
    if not filled:
        return Content.styled("No mention to fill it for.", "$text-muted")
    problems = [item for item in filled if item.problem is not None]
    first = filled[0]
    if first.text is not None:
        shown = Content.assemble(("To the first: ", "$text-muted"), cut(one_line(first.text), 200))
    else:
        shown = Content.styled(f"Cannot fill it for the first: {first.problem}", "$text-error")
    if problems:
        shown = Content.assemble(
            shown,
            "\n",
            (
                f"{len(problems)} of {len(filled)} cannot be filled: {problems[0].problem}",
                "$text-warning",
            ),
        )
    return shown


class TemplateScreen(ModalScreen[str | None]):
    """Write the one text; dismisses with it (fields unfilled), or None when cancelled.

    ``optional``: an empty text is an answer too (a follow-up one chooses not to send).
    """

    BINDINGS: ClassVar[list[BindingType]] = with_priority(
        key_table("template", _KEYS), "template.save", "template.saved"
    )

    DEFAULT_CSS = """
    TemplateScreen .dialog { width: 76; }
    TemplateScreen TextArea { height: 6; }
    TemplateScreen #template-picks { height: auto; max-height: 8; display: none; }
    TemplateScreen #template-picks.open { display: block; }
    TemplateScreen #template-preview { height: auto; max-height: 4; color: $text-muted; }
    """

    def __init__(
        self,
        title: Content,
        *,
        text: str,
        replies: Sequence[SavedReply],
        preview: Callable[[str], Sequence[FilledFor]],
        optional: bool = False,
    ) -> None:
        super().__init__()
        self.heading = title
        self.text = text
        self.replies = tuple(replies)
        self.preview = preview
        self.optional = optional
        self._preview_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.heading)
            yield TextArea(self.text, id="template-text", soft_wrap=True)
            yield OptionList(id="template-picks")
            yield Static(id="template-preview")
            yield Label(self._hint(), classes="hint", id="template-hint")
        yield PaneFooter()

    def _hint(self) -> Content:
        keys = key_hint(
            self,
            ("template.save", "use it"),
            ("template.saved", "saved reply"),
            ("template.cancel", "cancel"),
        )
        fields = Content.styled("  {first_name} {name} {handle} {ticket} {agent}", "$text-muted")
        return Content.assemble(keys, fields)

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)
        self._show_preview()

    @on(TextArea.Changed)
    def _typed(self) -> None:
        # Filling the text for every member is work: once typing pauses, not per key.
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_AFTER, self._show_preview)

    def _show_preview(self) -> None:
        self._preview_timer = None
        text = self.query_one(TextArea).text
        widget = self.query_one("#template-preview", Static)
        if not text.strip():
            empty = (
                "Empty: nothing is sent, the incident is just resolved." if self.optional else ""
            )
            widget.update(Content.styled(empty, "$text-muted"))
            return
        widget.update(preview_content(self.preview(text)))

    def action_saved(self) -> None:
        """Show the saved replies; enter in the list puts one in the text."""
        picks = self.query_one("#template-picks", OptionList)
        if not self.replies:
            self.notify("No saved replies yet: add [[saved_replies]] to the config.", markup=False)
            return
        picks.clear_options()
        picks.add_options(
            [
                Option(Content.assemble((r.name, "bold"), "  ", cut(one_line(r.body), PICK_CELLS)))
                for r in self.replies
            ]
        )
        picks.add_class("open")
        picks.highlighted = 0
        picks.focus()

    @on(OptionList.OptionSelected, "#template-picks")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        body = self.replies[event.option_index].body
        area = self.query_one(TextArea)
        area.load_text(body)
        self.query_one("#template-picks", OptionList).remove_class("open")
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text and not self.optional:
            self.notify("Write the reply first.", severity="warning", markup=False)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        picks = self.query_one("#template-picks", OptionList)
        if picks.has_class("open"):
            picks.remove_class("open")
            self.query_one(TextArea).focus()
            return
        self.dismiss(None)
