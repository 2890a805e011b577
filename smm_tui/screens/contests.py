"""The contest manager: contests on posts, their entries, and a provable draw."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from smm_tui.core.campaigns import ContestLink
from smm_tui.core.contest_export import step_of
from smm_tui.core.contest_reads import JUDGED_FROM
from smm_tui.core.contest_verdicts import Verdict
from smm_tui.core.models import Contest, ContestState, Mention, ReplyState
from smm_tui.core.wording import plural
from smm_tui.messages import DataChanged
from smm_tui.screens import contest_steps
from smm_tui.screens.base import WorkspaceModal, WorkspaceScreen, keys_of
from smm_tui.screens.campaign_pick import ask_campaign
from smm_tui.screens.hints import key_button
from smm_tui.widgets.contest_render import audited_detail, caveat_lines, local_seed_detail
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.health_strip import HealthStrip
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import highlighted_id, step_highlight
from smm_tui.widgets.render import PLATFORM_NAMES, cut, one_line
from smm_tui.widgets.status_bar import StatusBar


def contest_prompt(contest: Contest, entries: int) -> Content:
    """A contest in the list: name, then network, post, entry count and step.

    An audited contest counts its entrants until the freeze, then its valid entries."""
    if contest.frozen_at is not None:
        entries = len(contest.frozen)
    word = "entrant" if contest.rules_toml and contest.frozen_at is None else "entry"
    return Content.assemble(
        (one_line(contest.name), "bold"),
        "\n",
        (
            f"{PLATFORM_NAMES[contest.platform]} · {contest.post_external_id}"
            f" · {plural(entries, word)} · {step_of(contest)}",
            "$text-muted",
        ),
    )


#: ContestScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_CONTEST_KEYS = """
new      | n | new           | New contest     | Start a contest on a post
collect  | c | collect       | Collect entries | Fetch every comment on the post
rules    | r | rules         | Rules           | Write the rules file (TOML): the entry window,
    what counts as an entry, who is excluded, how many win
commit   | m | commit        | Commit          | Post the draw commitment on the contest post
    (before entries close): the rules' hash and a future drand round
entries  | e | entries       | Entries         | Every comment with its verdict and the reason;
    override one with a note
close    | x | close_entries | Close entries   | Check membership and account age, then freeze
    the valid entries
draw     | w | draw          | Draw winner     | Draw the winners (final); an audited contest
    draws on its committed drand round and shows the proof
campaign | C | campaign      | (Campaign)      | Link the contest to a campaign: its entries count
down     | j | cursor(1)     | (Down)          | Next contest
up       | k | cursor(-1)    | (Up)            | Previous contest
"""


class ContestScreen(WorkspaceScreen):
    """Contests on the left; on the right the selected one's entries, winners and proof, or
    for an audited contest (one with rules) its steps, rules and verdicts in short."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("contests", _CONTEST_KEYS)

    def __init__(self) -> None:
        super().__init__()
        self._verdicts: dict[str, tuple[Verdict, ...]] = {}

    def compose(self) -> ComposeResult:
        yield StatusBar("Contests", self.pane_keys())
        with Horizontal():
            yield OptionList(id="contest-list")
            with VerticalScroll(id="contest-detail"):
                yield Static(id="contest-info")
        yield HealthStrip()
        yield PaneFooter()

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#contest-list").focus()

    def on_screen_resume(self) -> None:
        self.fill()

    @on(DataChanged)
    def _changed(self, event: DataChanged) -> None:
        if any(event.changed.of(c) for c in JUDGED_FROM):
            self._verdicts.clear()
        self.fill()

    def _verdicts_of(self, contest_id: str) -> tuple[Verdict, ...]:
        """The contest's verdicts, judged again only once what they depend on changed
        (moving along the list must not read the comments again)."""
        found = self._verdicts.get(contest_id)
        if found is None:
            found = self._verdicts[contest_id] = self.workspace.audited.verdicts(contest_id)
        return found

    def selected(self) -> str | None:
        """The highlighted contest's id."""
        return highlighted_id(self.query_one("#contest-list", OptionList))

    def fill(self, select: str | None = None) -> None:
        widget = self.query_one("#contest-list", OptionList)
        keep = select or self.selected()
        contests = self.workspace.contests.all()
        widget.clear_options()
        widget.add_options(
            Option(contest_prompt(c, len(self.workspace.contests.entries(c.id))), id=c.id)
            for c in contests
        )
        ids = [c.id for c in contests]
        if keep in ids:
            widget.highlighted = ids.index(keep)
        elif ids:
            widget.highlighted = 0
        self._show_detail()

    @on(OptionList.OptionHighlighted, "#contest-list")
    def _show_detail(self) -> None:
        self.refresh_bindings()  # the audited steps' keys depend on the contest
        info = self.query_one("#contest-info", Static)
        contest_id = self.selected()
        if contest_id is None:
            new, on_comment = keys_of(self, "contests.new"), self.app_keys_for("feed.contest")
            info.update(
                Content(
                    f"No contests yet. Press {new} to start one on a post, "
                    f"or {on_comment} on a comment in the feed."
                )
            )
            return
        contest = self.workspace.contests.get(contest_id)
        audited = self.workspace.audited
        rules = audited.rules(contest) if contest.rules_toml else None
        if rules is None:
            entries = self.workspace.contests.entries(contest_id)
            proof = self.workspace.contests.proof(contest_id) if contest.draw else []
            info.update(local_seed_detail(contest, entries, proof))
            return
        verdicts = self._verdicts_of(contest_id)
        reply = audited.commitment_reply(contest)
        info.update(audited_detail(contest, rules, verdicts, reply))

    def _contest(self) -> Contest | None:
        contest_id = self.selected()
        return self.workspace.contests.get(contest_id) if contest_id is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The audited steps' keys show only where the highlighted contest can take them."""
        if action not in ("rules", "commit", "entries", "close_entries"):
            return True
        contest = self._contest()
        if contest is None:
            return False
        if action == "rules":  # an old, local-seed draw is over: no rules for it now
            return contest.commitment is None and contest.state is not ContestState.DRAWN
        if not contest.rules_toml:
            return False
        if action == "commit":
            reply = self.workspace.audited.commitment_reply(contest)
            return reply is None or reply.state is ReplyState.FAILED
        if action == "entries" or contest.frozen_at is None:
            return True
        published = self.workspace.audited.freeze_reply(contest)  # x sends a failed one again
        return published is not None and published.state is ReplyState.FAILED

    def action_cursor(self, delta: int) -> None:
        step_highlight(self.query_one("#contest-list", OptionList), delta)

    def action_new(self) -> None:
        self.app.push_screen(NewContestScreen())

    def action_collect(self) -> None:
        contest_id = self.selected()
        if contest_id is not None:
            self.collect(contest_id)

    def collect(self, contest_id: str) -> None:
        """Fetch every comment on the contest post and store new entries."""
        self.act(
            self.workspace.contests.collect_from_network(contest_id),
            done=lambda added: self.say(f"{added} new entries collected."),
            group="contest-collect",
        )

    def _step(self, step: Callable[[WorkspaceScreen, Contest], None]) -> None:
        contest = self._contest()
        if contest is not None:
            step(self, contest)

    def action_rules(self) -> None:
        self._step(contest_steps.edit_rules)

    def action_commit(self) -> None:
        self._step(contest_steps.commit)

    def action_entries(self) -> None:
        self._step(contest_steps.show_entries)

    def action_close_entries(self) -> None:
        self._step(contest_steps.close_entries)

    def action_draw(self) -> None:
        self._step(contest_steps.draw)

    def draw_unverifiable(self) -> None:
        """From the palette only: a local-seed draw, when the beacon cannot be had."""
        self._step(contest_steps.draw_unverifiable)

    def action_campaign(self) -> None:
        """Ask which campaign, then link the selected contest to it."""
        contest_id = self.selected()
        if contest_id is None:
            self.say(f"No contest here: press {self.keys_for('contests.new')} to start one.")
            return
        contest = self.workspace.contests.get(contest_id)
        title = Content.assemble(
            ("Link to campaign ", "bold"), f"“{cut(one_line(contest.name), 40)}”"
        )
        ask_campaign(
            self, title, lambda service, name: service.link_contest(name, contest_id), self._linked
        )

    def _linked(self, link: ContestLink) -> None:
        campaign = link.campaign.name
        if link.added:
            self.say(f"Linked to campaign {campaign}: its entries count for it.")
        else:
            self.say(f"Already linked to campaign {campaign}.")

    def palette_commands(self) -> list[SystemCommand]:
        return [
            SystemCommand("New contest", "Start a contest on a post", self.action_new),
            SystemCommand(
                "Collect contest entries", "Fetch every comment on the post", self.action_collect
            ),
            SystemCommand(
                "Contest rules", "Write the rules file of the contest", self.action_rules
            ),
            SystemCommand(
                "Commit contest draw",
                "Post the commitment to a future drand round",
                self.action_commit,
            ),
            SystemCommand(
                "Contest entries", "Every comment, its verdict and reason", self.action_entries
            ),
            SystemCommand(
                "Close contest entries",
                "Check the entrants and freeze the valid entries",
                self.action_close_entries,
            ),
            SystemCommand(
                "Draw contest winner",
                "Reproducible, with proof",
                self.action_draw,
            ),
            SystemCommand(
                "Draw contest without the beacon (unverifiable)",
                "A local seed, labelled: nobody can check it was not re-rolled",
                self.draw_unverifiable,
            ),
            SystemCommand(
                "Link contest to a campaign",
                "Its entries and comments count for the campaign",
                self.action_campaign,
            ),
        ]


#: NewContestScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_NEW_CONTEST_KEYS = """
cancel | escape | dismiss | Cancel | Close without creating
create | ctrl+s | create  | Create | Create the contest
"""


class NewContestScreen(WorkspaceModal):
    """Create a contest bound to one post of one account."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("new_contest", _NEW_CONTEST_KEYS)

    def __init__(self, prefill: Mention | None = None) -> None:
        super().__init__()
        self.prefill = prefill

    def compose(self) -> ComposeResult:
        accounts = list(self.workspace.sources)
        post = ""
        account: object = accounts[0] if accounts else Select.NULL
        if self.prefill is not None:
            post = self.prefill.root_external_id or self.prefill.external_id
            account = self.prefill.account if self.prefill.account in accounts else Select.NULL
        with Vertical(classes="dialog"):
            yield Label(Content.assemble(("New contest", "bold")))
            yield Label("Name")
            yield Input(placeholder="e.g. November giveaway", id="contest-name", compact=True)
            yield Label("Account")
            yield Select(
                [(a, a) for a in accounts], value=account, id="contest-account", compact=True
            )
            yield Label("Post id (its comments are the entries)")
            yield Input(post, placeholder="e.g. post-contest", id="contest-post", compact=True)
            yield Label("Winners")
            yield Input("1", type="integer", id="contest-winners", compact=True)
            yield Static(id="contest-caveat")
            with Horizontal(classes="buttons"):
                yield key_button(
                    self, "Create", "new_contest.create", "contest-create", primary=True
                )
                yield key_button(self, "Cancel", "new_contest.cancel", "contest-cancel")
        yield PaneFooter()

    def on_mount(self) -> None:
        self.query_one("#contest-name").focus()
        self._show_caveat()

    @on(Select.Changed, "#contest-account")
    def _show_caveat(self) -> None:
        """Say what a contest on the chosen account's network can miss."""
        account = self.query_one("#contest-account", Select).value
        source = self.workspace.source_for(account) if isinstance(account, str) else None
        lines = caveat_lines(source.platform) if source is not None else []
        caveat = self.query_one("#contest-caveat", Static)
        caveat.update(Content("\n").join(lines))
        caveat.display = bool(lines)

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter moves on; on the last field it creates the contest."""
        if event.input.id == "contest-winners":
            self.action_create()
        else:
            self.focus_next()

    @on(Button.Pressed, "#contest-create")
    def action_create(self) -> None:
        account = self.query_one("#contest-account", Select).value
        source = self.workspace.source_for(account) if isinstance(account, str) else None
        if source is None:
            self.say("Choose an account.", error=True)
            return
        winners_text = self.query_one("#contest-winners", Input).value or "1"
        if not winners_text.isdigit():
            self.say("Winners must be a whole number.", error=True)
            return
        creation = self.workspace.contests.create(
            self.query_one("#contest-name", Input).value,
            source.platform,
            source.account,
            self.query_one("#contest-post", Input).value,
            winners=int(winners_text),
        )
        self.act(creation, done=self._created)

    def _created(self, contest: Contest) -> None:
        self.dismiss()
        self.app.switch_mode("contests")
        screen = self.app.screen
        if isinstance(screen, ContestScreen):
            screen.fill(select=contest.id)
            screen.collect(contest.id)

    @on(Button.Pressed, "#contest-cancel")
    def _cancel(self) -> None:
        self.dismiss()
