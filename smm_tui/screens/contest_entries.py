"""Every comment on an audited contest's posts, with its verdict: an entry (✓) or rejected
(✗) with the reason in words. A person may override a verdict, with a note, until the
entries are frozen; the override is kept and audited by the contest service."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smm_tui.core.contest_reads import JUDGED_FROM
from smm_tui.core.contest_verdicts import Verdict
from smm_tui.core.contests import ContestError
from smm_tui.core.wording import plural
from smm_tui.messages import DataChanged
from smm_tui.screens.base import WorkspaceScreen
from smm_tui.screens.line import LineScreen
from smm_tui.widgets.contest_render import verdict_row
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import highlighted_id, step_highlight
from smm_tui.widgets.render import cut, one_line

#: What ``f`` steps through: the comments shown.
FILTERS = ("all", "entries", "rejected")

#: ContestEntriesScreen's keys: name | keys | action | label ("(label)": not in the footer) |
#: tooltip.
_KEYS = """
override | o      | override   | Override      | Decide the highlighted comment by hand, with a
    note: accept it if rejected, reject it if accepted
drop     | u      | drop       | Drop override | Give the comment back to the rules' verdict
filter   | f      | filter     | Filter        | Show all comments, the entries or the rejected
down     | j      | cursor(1)  | (Down)        | Next comment
up       | k      | cursor(-1) | (Up)          | Previous comment
first    | g      | edge(0)    | (First)       | First comment
last     | G      | edge(-1)   | (Last)        | Last comment
back     | escape | back       | Back          | Back to the contest
"""


class ContestEntriesScreen(WorkspaceScreen):
    """One contest's comments and their verdicts, oldest first."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("contest_entries", _KEYS)

    DEFAULT_CSS = """
    ContestEntriesScreen #entries-head { height: 1; padding: 0 1; text-wrap: nowrap;
        text-overflow: ellipsis; }
    ContestEntriesScreen #entries-list { height: 1fr; border: none; text-wrap: nowrap;
        text-overflow: ellipsis; }
    """

    def __init__(self, contest_id: str) -> None:
        super().__init__()
        self.contest_id = contest_id
        self.shown = FILTERS[0]
        self.verdicts: dict[str, Verdict] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="entries-head", classes="status-line")
        yield OptionList(id="entries-list")
        yield PaneFooter()

    @property
    def listed(self) -> OptionList:
        """The list of comments."""
        return self.query_one("#entries-list", OptionList)

    def on_mount(self) -> None:
        self.fill()
        self.listed.focus()

    @on(DataChanged)
    def _changed(self, event: DataChanged) -> None:
        if any(event.changed.of(collection) for collection in JUDGED_FROM):
            self.fill()

    def fill(self) -> None:
        """Judge the comments again, then show them."""
        try:
            verdicts = self.workspace.audited.verdicts(self.contest_id)
        except ContestError as exc:
            self.say(str(exc), error=True)
            verdicts = ()
        self.verdicts = {v.comment.id: v for v in verdicts}
        self.show()

    def show(self) -> None:
        """List the comments the filter shows (as last judged), keeping the highlight."""
        contest = self.workspace.audited.get(self.contest_id)
        verdicts = list(self.verdicts.values())
        accepted = sum(v.accepted for v in verdicts)
        frozen = " · frozen" if contest.frozen_at is not None else ""
        self.query_one("#entries-head", Static).update(
            Content.assemble(
                ("Entries of ", "bold"),
                cut(one_line(contest.name), 30),
                f" · {plural(accepted, 'entry')}, {len(verdicts) - accepted} rejected{frozen}",
                (f" · showing {self.shown}", "$text-muted"),
            )
        )
        keep = highlighted_id(self.listed)
        shown = [v for v in verdicts if self._wanted(v)]
        self.listed.clear_options()
        self.listed.add_options(Option(verdict_row(v), id=v.comment.id) for v in shown)
        ids = [v.comment.id for v in shown]
        if ids:
            self.listed.highlighted = ids.index(keep) if keep in ids else 0

    def _wanted(self, verdict: Verdict) -> bool:
        if self.shown == "entries":
            return verdict.accepted
        if self.shown == "rejected":
            return not verdict.accepted
        return True

    def current(self) -> Verdict | None:
        """The highlighted comment's verdict."""
        mention_id = highlighted_id(self.listed)
        return self.verdicts.get(mention_id) if mention_id is not None else None

    def action_cursor(self, delta: int) -> None:
        step_highlight(self.listed, delta)

    def action_edge(self, index: int) -> None:
        if self.listed.option_count:
            self.listed.highlighted = index % self.listed.option_count

    def action_filter(self) -> None:
        self.shown = FILTERS[(FILTERS.index(self.shown) + 1) % len(FILTERS)]
        self.show()  # a keypress: the comments are not judged again

    def action_override(self) -> None:
        verdict = self.current()
        if verdict is None:
            return
        accept = not verdict.accepted
        handle = cut(one_line(verdict.comment.author.handle), 30)
        title = Content.assemble(
            ("Accept " if accept else "Reject ", "bold"),
            handle,
            " as an entry? Why:" if accept else "? Why:",
        )
        mention_id = verdict.comment.id

        def noted(note: str | None) -> None:
            if note is None:
                return
            work = self.workspace.audited.override(self.contest_id, mention_id, accept, note)
            word = "accepted" if accept else "rejected"
            self.act(work, done=lambda _: self.say(f"{handle}: {word} by hand."))

        placeholder = "e.g. the keyword was misspelt; a member the network missed"
        self.app.push_screen(LineScreen(title, placeholder=placeholder), noted)

    def action_drop(self) -> None:
        verdict = self.current()
        if verdict is None:
            return
        if verdict.override is None:
            self.say("No override on this comment: the rules decided it.")
            return
        work = self.workspace.audited.drop_override(self.contest_id, verdict.comment.id)
        self.act(work, done=lambda _: self.say("Override dropped: the rules decide it again."))

    def action_back(self) -> None:
        self.dismiss()
