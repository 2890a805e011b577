"""Pick a saved reply for the composer: filtered as typed, filled for this customer.

The list puts replies in the customer's language first, then those tagged
with the mention's intent (:func:`smm_tui.core.saved_replies.ranked`); typing
filters it fuzzily over names, tags and bodies. Each row shows the reply as it
would be sent, or why it cannot be (a field the customer has no value for),
and such a reply is never inserted. Bodies and customer names are data here:
every line is built as Content, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from smm_tui.core.models import Mention, Ticket
from smm_tui.core.sanitize import one_line
from smm_tui.core.saved_replies import Filled, SavedReply, fill, ranked, values_for
from smm_tui.screens.base import first_key_for
from smm_tui.widgets.external_editor import with_priority
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import step_highlight
from smm_tui.widgets.render import author_label

# Letters go to the filter, so moving is arrows and ctrl+n / ctrl+p (as in shells).
#: SavedReplyPicker's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
pick   | enter       | pick          | Insert | Insert the highlighted reply
down   | down,ctrl+n | move(1)       | (Down) | Highlight the next reply
up     | up,ctrl+p   | move(-1)      | (Up)   | Highlight the previous reply
cancel | escape      | dismiss(None) | Cancel | Insert nothing
"""


class SavedReplyPicker(ModalScreen[str | None]):
    """Choose a saved reply; dismisses with its text filled for the mention, or None."""

    # The filter's own enter (submit) would hide the pick from the footer and the hint.
    BINDINGS: ClassVar[list[BindingType]] = with_priority(
        key_table("saved_reply", _KEYS), "saved_reply.pick"
    )

    DEFAULT_CSS = """
    SavedReplyPicker #saved-reply-list {
        height: auto;
        max-height: 50vh;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        replies: Sequence[SavedReply],
        *,
        mention: Mention,
        ticket: Ticket | None,
        agent: str,
    ) -> None:
        super().__init__()
        self.mention = mention
        values = values_for(mention, ticket=ticket, agent=agent)
        ordered = ranked(replies, language=mention.language, intent=mention.intent)
        #: Every reply in rank order, each filled for this mention.
        self.choices: list[tuple[SavedReply, Filled]] = [(r, fill(r, values)) for r in ordered]
        #: The choices the filter lets through, in the order shown.
        self.shown: list[tuple[SavedReply, Filled]] = list(self.choices)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(
                Content.assemble(
                    ("Saved reply", "bold"), ("  to ", "$text-muted"), author_label(self.mention)
                )
            )
            yield Input(
                placeholder="filter by name, tag or words", id="saved-reply-filter", compact=True
            )
            yield OptionList(id="saved-reply-list")
            yield Label(classes="hint", id="saved-reply-note")
        yield PaneFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False
        self.query_one(Input).focus()
        self._show()

    @property
    def typed(self) -> str:
        """The filter as typed."""
        return self.query_one("#saved-reply-filter", Input).value

    @on(Input.Changed)
    def _show(self) -> None:
        self.shown = filtered(self.choices, self.typed)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(_row(reply, filled)) for reply, filled in self.shown])
        if self.shown:
            options.highlighted = 0
        self._note(self._hint())

    def _hint(self) -> Content:
        if not self.choices:
            return Content(
                "No saved replies yet: add [[saved_replies]] to the config "
                "or to saved_replies.toml beside it."
            )
        if not self.shown:
            return Content.assemble("Nothing matches ", (repr(self.typed.strip()), "bold"), ".")
        key = self._key
        return Content(
            f"{key('saved_reply.pick')} inserts · {key('saved_reply.down')}/"
            f"{key('saved_reply.up')} move · type to filter · {key('saved_reply.cancel')} cancels"
        )

    def _key(self, binding_id: str) -> str:
        return first_key_for(self, binding_id)

    def _note(self, content: Content) -> None:
        self.query_one("#saved-reply-note", Label).update(content)

    def action_move(self, step: int) -> None:
        """Highlight the next or previous reply."""
        step_highlight(self.query_one(OptionList), step)

    def action_pick(self) -> None:
        """Insert the highlighted reply, or say why it cannot be."""
        index = self.query_one(OptionList).highlighted
        if index is None or not self.shown:
            return
        reply, filled = self.shown[index]
        if filled.text is None:
            self._note(
                Content.assemble(
                    (f"{reply.name}: ", "bold $text-error"),
                    (one_line(filled.problem or ""), "$text-error"),
                )
            )
            return
        self.dismiss(filled.text)

    @on(OptionList.OptionSelected)
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        self.query_one(OptionList).highlighted = event.option_index
        self.action_pick()


def filtered(
    choices: Sequence[tuple[SavedReply, Filled]], typed: str
) -> list[tuple[SavedReply, Filled]]:
    """``choices`` that fuzzily match ``typed`` (name, tags or body), best first, then by
    their order; all of them, as they are, when nothing is typed."""
    query = typed.strip()
    if not query:
        return list(choices)
    matcher = Matcher(query)
    scored = [
        (max(matcher.match(text) for text in (r.name, " ".join(r.tags), r.body)), rank, (r, f))
        for rank, (r, f) in enumerate(choices)
    ]
    return [choice for score, _, choice in sorted(scored, key=lambda s: (-s[0], s[1])) if score]


def _row(reply: SavedReply, filled: Filled) -> Content:
    """Two lines: the name, language and tags; then the reply as sent, or its problem."""
    tags = ", ".join(one_line(tag) for tag in reply.tags)
    head = Content.assemble(
        (one_line(reply.name), "bold"),
        (f"  {one_line(reply.language)}" if reply.language else "", "$text-secondary"),
        (f"  {tags}" if tags else "", "$text-muted"),
    )
    if filled.text is None:
        body = Content.assemble(
            ("  ⚠ ", "$text-error"), (one_line(filled.problem or ""), "$text-error")
        )
    else:
        body = Content.assemble("  ", (one_line(filled.text), "$text-muted"))
    return Content("\n").join([head, body])
