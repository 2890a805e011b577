"""The dialog in which an audited contest's rules file (TOML) is written and kept.

It opens on the contest's rules, or on a template for its post. A file the rules
refuse keeps the dialog open with the text as typed and one line naming the key.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from smm_tui.core.contest_wording import rules_template
from smm_tui.core.models import Contest
from smm_tui.screens.base import USER_ERRORS, WorkspaceMixin, in_background
from smm_tui.screens.hints import key_hint
from smm_tui.widgets.external_editor import with_priority
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import cut, local, one_line

#: RulesEditorScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
save   | ctrl+s | save   | Save   | Keep the rules (refused with the key at fault)
cancel | escape | cancel | Cancel | Close without changing the rules
"""


class RulesEditorScreen(ModalScreen[Contest | None], WorkspaceMixin):
    """Edit a contest's rules file; dismisses with the contest once kept, None if cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = with_priority(
        key_table("contest_rules", _KEYS), "contest_rules.save"
    )

    DEFAULT_CSS = """
    RulesEditorScreen .dialog { width: 90; height: 1fr; }
    RulesEditorScreen TextArea { height: 1fr; }
    RulesEditorScreen #rules-error { height: auto; max-height: 2; color: $text-error; }
    """

    def __init__(self, contest: Contest) -> None:
        super().__init__()
        self.contest = contest

    def compose(self) -> ComposeResult:
        text = self.contest.rules_toml or rules_template(
            self.contest, local(self.workspace.ctx.clock())
        )
        with Vertical(classes="dialog"):
            yield Label(
                Content.assemble(("Rules of ", "bold"), cut(one_line(self.contest.name), 50))
            )
            yield TextArea(text, id="rules-text", soft_wrap=False)
            yield Static(id="rules-error")
            hint = key_hint(
                self, ("contest_rules.save", "keep"), ("contest_rules.cancel", "cancel")
            )
            yield Label(hint, classes="hint")
        yield PaneFooter()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        self.query_one("#rules-error", Static).update("")
        in_background(
            self,
            self.workspace.audited.set_rules(self.contest.id, text),
            done=self.dismiss,
            group="contest-rules",
            expected=USER_ERRORS,
            failed=self._refused,
        )

    def _refused(self, error: Exception) -> None:
        self.query_one("#rules-error", Static).update(Content(one_line(str(error))))

    def action_cancel(self) -> None:
        self.dismiss(None)
