"""The winners of a beacon draw and its proof: saved as a file, and announced on the thread.

The proof is rebuilt from what the contest keeps (:meth:`AuditedContests.proof`), so what
is shown is what ``smm-tui contest verify`` checks.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from smm_tui.core.contest_wording import announcement_text
from smm_tui.core.contests import ContestError
from smm_tui.core.models import Reply
from smm_tui.core.repository import Collection
from smm_tui.messages import DataChanged
from smm_tui.screens.base import WorkspaceScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.contest_replies import send_again_or_say
from smm_tui.widgets.contest_render import proof_lines
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import cut, one_line

#: ContestProofScreen's keys: name | keys | action | label ("(label)": not in the footer) |
#: tooltip.
_KEYS = """
save     | s      | save         | Save proof | Write the proof file to the data dir's proofs/
announce | a      | announce     | Announce   | Post the winners and the commitment on the
    contest post (asks first)
down     | j      | scroll(1)    | (Down)     | Scroll down
up       | k      | scroll(-1)   | (Up)       | Scroll up
back     | escape | back         | Back       | Back to the contest
"""


class ContestProofScreen(WorkspaceScreen):
    """A drawn audited contest: winners and reserves by handle, and every value of the proof."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("contest_proof", _KEYS)

    DEFAULT_CSS = """
    ContestProofScreen #proof-scroll { padding: 0 1; }
    """

    def __init__(self, contest_id: str) -> None:
        super().__init__()
        self.contest_id = contest_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="proof-scroll"):
            yield Static(id="proof-text")
        yield PaneFooter()

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#proof-scroll").focus()

    @on(DataChanged)
    def _changed(self, event: DataChanged) -> None:
        if event.changed.of(Collection.CONTESTS) or event.changed.of(Collection.REPLIES):
            self.fill()

    def fill(self) -> None:
        """Show the proof as the contest keeps it now (an announcement may have moved on)."""
        audited = self.workspace.audited
        contest = audited.get(self.contest_id)
        announced = (
            self.workspace.outbox.reply(contest.announcement_reply_id)
            if contest.announcement_reply_id is not None
            else None
        )
        try:
            shown = proof_lines(audited.proof(self.contest_id), announced)
        except ContestError as exc:
            self.say(str(exc), error=True)
            return
        self.query_one("#proof-text", Static).update(shown)

    def action_scroll(self, delta: int) -> None:
        scroll = self.query_one("#proof-scroll", VerticalScroll)
        scroll.scroll_relative(y=delta, animate=False)

    def action_save(self) -> None:
        self.act(
            self.workspace.audited.save_proof(self.contest_id),
            done=lambda path: self.say(f"Proof saved: {path}"),
        )

    def action_announce(self) -> None:
        audited = self.workspace.audited
        contest = audited.get(self.contest_id)
        if contest.announcement_reply_id is not None:
            earlier = self.workspace.outbox.reply(contest.announcement_reply_id)
            send_again_or_say(self, earlier, "the announcement", "Announced already")
            return
        filled = announcement_text(
            self.workspace.saved_replies, audited.announcement_values(contest)
        )
        if filled.text is None:
            self.say(f"The announcement cannot be filled: {filled.problem}", error=True)
            return
        text = filled.text
        question = (
            f"Post this in public under {contest.account} post "
            f"{one_line(contest.post_external_id)}?"
            f"\n\n{cut(one_line(text), 600)}"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.act(audited.announce(self.contest_id, text), done=self._announced)

        self.app.push_screen(ConfirmScreen(question), answered)

    def _announced(self, reply: Reply) -> None:
        self.send_reply(reply.id)
        self.say("Announcement on its way to the contest post.")
        self.fill()

    def action_back(self) -> None:
        self.dismiss()
