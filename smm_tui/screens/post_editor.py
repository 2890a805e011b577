"""The post editor: the accounts, the main text and a version per network, live lengths.

It returns what was written (an :class:`EditorResult`) to whoever opened it; the
caller stores it. Nothing leaves the dialog that ``planning.check`` refuses: the
problem shows on one line inside it instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from smm_tui.core.planning import PostDraft, PostProblem
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Post
from smm_tui.screens.base import WorkspaceMixin
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.post_editor_parts import (
    MAIN,
    AccountChoices,
    account_choice,
    gauge,
    problem_line,
    version_options,
    version_placeholder,
)
from smm_tui.screens.schedule import SHOWN_FORMAT, ScheduleScreen
from smm_tui.widgets.external_editor import edit_area_externally, with_priority
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import PLATFORM_NAMES


@dataclass(frozen=True, slots=True)
class EditorResult:
    """What the editor was closed with: the post as written, and when it goes out.

    ``at`` is None to keep it a draft, else an aware UTC time to schedule it for.
    """

    draft: PostDraft
    at: datetime | None


# ctrl+t (not ctrl+p, the palette; not ctrl+d/k/u/w/x, which edit text in a TextArea).
#: PostEditorScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
save            | ctrl+s | save            | Save      | Save: a new post as a draft; a
    scheduled one keeps its time
schedule        | ctrl+t | schedule        | Schedule… | Choose when it goes out, then save it
    scheduled
external_editor | ctrl+e | external_editor | Editor    | Write the text shown in $VISUAL or
    $EDITOR
cancel          | escape | cancel          | Cancel    | Close without saving (asks if anything
    changed)
"""


class PostEditorScreen(ModalScreen[EditorResult | None], WorkspaceMixin):
    """Write a post (or change one): accounts, texts and campaign, with every length in view.

    ``accounts`` are ticked for a new post; editing ``post`` fills in everything it has.
    """

    BINDINGS: ClassVar[list[BindingType]] = with_priority(
        key_table("post_editor", _KEYS), "post_editor.external_editor"
    )

    DEFAULT_CSS = """
    PostEditorScreen > #post-editor {
        width: 100%; height: 100%; padding: 0 1;
        background: $surface; border: round $primary;
    }
    PostEditorScreen #post-editor-body { height: 1fr; }
    PostEditorScreen #post-editor-side { width: 26; margin-right: 1; }
    PostEditorScreen #post-accounts {
        height: auto; max-height: 8; border: none; padding: 0; margin-bottom: 1;
    }
    PostEditorScreen #post-campaign { margin-bottom: 1; }
    PostEditorScreen #post-version { margin-bottom: 0; }
    PostEditorScreen #post-text { height: 1fr; min-height: 4; }
    PostEditorScreen #post-lengths { height: auto; }
    PostEditorScreen #post-problem { height: auto; display: none; }
    PostEditorScreen #post-editor-side > Label { width: 100%; }
    PostEditorScreen .field { color: $text-muted; }
    PostEditorScreen .hint { margin-top: 0; }
    PostEditorScreen.-narrow #post-editor-side { width: 22; }
    """

    def __init__(
        self, post: Post | None = None, *, accounts: tuple[str, ...] | None = None
    ) -> None:
        super().__init__()
        self.post = post
        chosen = post.accounts if post is not None else accounts or ()
        self._chosen_at_start = tuple(chosen)
        #: The main text (under MAIN) and each network's version, as last typed.
        self._texts: dict[str, str] = {MAIN: post.text if post else ""}
        self._texts |= dict(post.versions) if post else {}
        #: Which of them the text area shows.
        self._shown = MAIN
        self._start: PostDraft | None = None

    # -- building -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        sources = self.workspace.sources
        names = list(dict.fromkeys([*sources, *self._chosen_at_start]))
        choices = [
            Selection(
                account_choice(name, self._platform(name)), name, name in self._chosen_at_start
            )
            for name in names
        ]
        with Vertical(id="post-editor"):
            with Horizontal(id="post-editor-body"):
                with Vertical(id="post-editor-side"):
                    yield Label("Accounts (space ticks)", classes="field")
                    yield AccountChoices(*choices, id="post-accounts")
                    yield Label("Campaign (optional)", classes="field")
                    yield Input(
                        self.post.campaign if self.post else "",
                        placeholder="e.g. black-friday",
                        id="post-campaign",
                        compact=True,
                    )
                    yield Label("Images are not supported yet.", classes="hint")
                with Vertical(id="post-editor-main"):
                    yield Select(
                        version_options(self._chosen_platforms(self._chosen_at_start)),
                        value=MAIN,
                        allow_blank=False,
                        id="post-version",
                        compact=True,
                    )
                    yield TextArea(self._texts[MAIN], id="post-text", soft_wrap=True)
                    yield Static(id="post-lengths")
            yield Static(id="post-problem")
        yield PaneFooter()

    def on_mount(self) -> None:
        editor = self.query_one("#post-editor")
        editor.border_title = "Edit post" if self.post else "New post"
        editor.border_subtitle = self._state_text()
        self._start = self.draft()
        self._show_lengths()
        if self._chosen_at_start:
            area = self.query_one(TextArea)
            area.focus()
            area.move_cursor(area.document.end)
        else:
            self.query_one(SelectionList).focus()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 70, "-narrow")

    def _state_text(self) -> str:
        if self.post is None or self.post.scheduled_at is None:
            return "draft"
        zone = self.workspace.settings.publishing.zone
        return "scheduled " + self.post.scheduled_at.astimezone(zone).strftime(SHOWN_FORMAT)

    def _platform(self, account: str) -> Platform | None:
        source = self.workspace.source_for(account)
        return source.platform if source is not None else None

    def _chosen_platforms(self, accounts: tuple[str, ...]) -> list[Platform]:
        found = (self._platform(name) for name in accounts)
        return [platform for platform in found if platform is not None]

    # -- what was written -------------------------------------------------------------

    @property
    def accounts(self) -> tuple[str, ...]:
        """The accounts ticked, in the list's order."""
        listed = self.query_one(SelectionList)
        ticked = set(listed.selected)
        return tuple(
            str(listed.get_option_at_index(i).value)
            for i in range(listed.option_count)
            if listed.get_option_at_index(i).value in ticked
        )

    def draft(self) -> PostDraft:
        """The post as written now: versions only for the networks chosen, and not empty."""
        self._texts[self._shown] = self.query_one(TextArea).text
        accounts = self.accounts
        networks = {platform.value for platform in self._chosen_platforms(accounts)}
        versions = {
            network: text.strip()
            for network, text in self._texts.items()
            if network != MAIN and network in networks and text.strip()
        }
        return PostDraft(
            text=self._texts[MAIN].strip(),
            accounts=accounts,
            versions=versions,
            campaign=self.query_one("#post-campaign", Input).value.strip(),
        )

    def _show_lengths(self) -> None:
        draft = self.draft()
        rows = self.workspace.planning.lengths(draft, self.post.id if self.post else "")
        platforms = {name: p for name in draft.accounts if (p := self._platform(name))}
        self.query_one("#post-lengths", Static).update(gauge(rows, platforms, draft.versions))

    def _show_problem(self, message: str | None) -> None:
        line = self.query_one("#post-problem", Static)
        line.update(problem_line(message) if message else Content(""))
        line.display = message is not None

    # -- reacting ---------------------------------------------------------------------

    @on(TextArea.Changed)
    @on(Input.Changed, "#post-campaign")
    def _written(self) -> None:
        self._show_problem(None)
        self._show_lengths()

    @on(SelectionList.SelectedChanged)
    def _accounts_changed(self) -> None:
        self._written()
        menu = self.query_one("#post-version", Select)
        options = version_options(self._chosen_platforms(self.accounts))
        shown = self._shown if self._shown in {value for _, value in options} else MAIN
        with self.prevent(Select.Changed):
            menu.set_options(options)
            menu.value = shown
        self._show_version(shown)

    @on(Select.Changed, "#post-version")
    def _version_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._show_version(event.value)

    def _show_version(self, network: str) -> None:
        """Put the main text or a network's version in the text area, keeping the other."""
        if network == self._shown:
            return
        area = self.query_one(TextArea)
        self._texts[self._shown] = area.text
        self._shown = network
        area.placeholder = (
            version_placeholder(PLATFORM_NAMES[Platform(network)]) if network != MAIN else ""
        )
        area.text = self._texts.get(network, "")

    # -- actions --------------------------------------------------------------------

    def _problem(self, draft: PostDraft, at: datetime | None) -> str | None:
        try:
            self.workspace.planning.check(draft, at, self.post.id if self.post else "")
        except PostProblem as problem:
            return str(problem)
        return None

    def _finish(self, at: datetime | None) -> None:
        draft = self.draft()
        problem = self._problem(draft, at)
        if problem is not None:
            self._show_problem(problem)
            return
        self.dismiss(EditorResult(draft, at))

    def action_save(self) -> None:
        """Save; a post scheduled for a time still to come stays scheduled for it."""
        kept = self.post.scheduled_at if self.post else None
        self._finish(kept if kept is not None and kept > self.workspace.ctx.clock() else None)

    def action_schedule(self) -> None:
        """Check the post, ask when, then save it scheduled."""
        problem = self._problem(self.draft(), None)
        if problem is not None:
            self._show_problem(problem)
            return

        def chosen(at: datetime | None) -> None:
            if at is not None:
                self._finish(at)

        current = self.post.scheduled_at if self.post else None
        self.app.push_screen(ScheduleScreen(current), chosen)

    def action_external_editor(self) -> None:
        """Write the text shown (the main text or a version) in the user's editor."""
        problem = edit_area_externally(self.app, self.query_one(TextArea))
        if problem is not None:
            self.say(problem, error=True)

    def action_cancel(self) -> None:
        """Close without saving, after asking if anything was changed."""
        if self.draft() == self._start:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        question = "Discard the changes to this post?" if self.post else "Discard this new post?"
        self.app.push_screen(ConfirmScreen(question), answered)
