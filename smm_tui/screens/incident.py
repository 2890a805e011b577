"""An incident: its near-duplicate mentions per network, one reply to all of them, and
how far the paced sending has got.

The screen composes and routes. Gathering, recording the replies and pacing them are the
incident service's and the sender's (:mod:`smm_tui.core.incidents`); the sending runs in
the process that polls, so the progress shown here is read from the store as it moves.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import ProgressBar, Static

from smm_tui.core.context import NotFound
from smm_tui.core.incidents import Incident, IncidentState
from smm_tui.core.models import ReplyState, Ticket
from smm_tui.core.repository import Changed, Collection
from smm_tui.core.wording import plural
from smm_tui.messages import DataChanged
from smm_tui.screens.base import WorkspaceScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.incident_dialogs import TemplateScreen
from smm_tui.screens.ticket_detail import TicketScreen
from smm_tui.widgets.feed_list import FeedList
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.health_strip import HealthStrip
from smm_tui.widgets.incident_render import (
    REPLY_MARKS,
    incident_head,
    network_counts,
    progress_line,
)
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import mention_row

#: Rows at least this wide show the triage columns.
WIDE_ROW = 100
#: The cells the head line takes besides the title (``Incident I-2026-0001 · open, paused · ``).
HEAD_CELLS = 40
#: The title keeps at least this much however narrow the screen.
MIN_TITLE_CELLS = 12

#: IncidentScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
reply   | r      | reply   | Reply all | Write one reply for every mention; it is sent to
    each in its own thread, paced under the networks' limits
pause   | p      | pause   | Pause     | Pause the sending, or resume it
drop    | x      | drop    | Drop      | Leave the mention (or the marked ones) out of the incident
mark    | space  | mark    | (Mark)    | Mark for dropping
open    | enter  | open    | Open      | Open the mention with its thread
ticket  | T      | ticket  | Ticket    | The incident's ticket: open one for all its mentions,
    or show it
resolve | R      | resolve | (Resolve) | Resolve the incident, with a public follow-up to every
    mention
back    | escape | back    | Back      | Back to where you were
"""


class IncidentScreen(WorkspaceScreen):
    """One incident: the head line, its networks, the sending's progress, and its mentions."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("incident", _KEYS)

    DEFAULT_CSS = """
    IncidentScreen #incident-networks, IncidentScreen #incident-progress {
        height: auto;
        padding: 0 1;
    }
    IncidentScreen ProgressBar {
        padding: 0 1;
        height: 1;
    }
    IncidentScreen ProgressBar Bar {
        width: 1fr;
    }
    """

    def __init__(self, incident_id: str) -> None:
        super().__init__()
        self.incident_id = incident_id
        #: The state of each member's reply of this incident (none yet: absent).
        self._replies: dict[str, ReplyState] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="incident-title", classes="status-line")
        yield Static(id="incident-networks")
        yield Static(id="incident-progress")
        yield ProgressBar(show_eta=False, id="incident-bar")
        yield FeedList(
            self._row, empty_text="No mentions left in this incident.", id="incident-list"
        )
        yield HealthStrip()
        yield PaneFooter()

    @property
    def incident(self) -> Incident:
        """The incident as stored now."""
        return self.workspace.incidents.get(self.incident_id)

    @property
    def members(self) -> FeedList:
        """The list of the incident's mentions."""
        return self.query_one("#incident-list", FeedList)

    def on_mount(self) -> None:
        self._redraw()
        self.members.focus()

    @on(DataChanged)
    def _data_changed(self, event: DataChanged) -> None:
        if self._concerns_us(event.changed):
            self._redraw()

    def _concerns_us(self, changed: Changed) -> bool:
        if self.incident_id in changed.of(Collection.INCIDENTS):
            return True
        prefix = f"{self.incident_id}."
        return any(reply.startswith(prefix) for reply in changed.of(Collection.REPLIES))

    def _redraw(self) -> None:
        try:
            incident = self.incident
        except NotFound:
            return
        service = self.workspace.incidents
        progress = service.progress(self.incident_id)
        self._replies = self._reply_states(incident)
        title_cells = max(self.size.width - HEAD_CELLS, MIN_TITLE_CELLS)
        self.query_one("#incident-title", Static).update(incident_head(incident, title_cells))
        self.query_one("#incident-networks", Static).update(
            Content.assemble(
                (plural(progress.total, "mention"), "bold"),
                ("  ", ""),
                network_counts(progress.by_network),
            )
        )
        self.query_one("#incident-progress", Static).update(progress_line(progress, incident))
        bar = self.query_one(ProgressBar)
        bar.update(total=max(progress.total - progress.skipped, 1), progress=progress.sent)
        self.members.show(list(incident.members))

    def _reply_states(self, incident: Incident) -> dict[str, ReplyState]:
        """Each member's reply of the incident (its follow-up, once there is one), read by
        id: one lookup a member, not a walk through every reply stored."""
        service = self.workspace.incidents
        states: dict[str, ReplyState] = {}
        for mention_id in incident.members:
            reply = service.reply_of(incident, mention_id)
            if reply is not None:
                states[mention_id] = reply.state
        return states

    def on_resize(self) -> None:
        self._redraw()

    def _row(self, mention_id: str, marked: bool, width: int) -> Content | None:
        try:
            mention = self.workspace.ctx.mention(mention_id)
        except NotFound:
            return Content.styled(f"  (mention {mention_id} is no longer stored)", "$text-muted")
        glyph, style = REPLY_MARKS[self._replies.get(mention_id)]
        row = mention_row(
            mention, self.workspace.ctx.clock(), marked=marked, wide=width >= WIDE_ROW
        )
        return Content.assemble((glyph, style), row)

    # -- actions ----------------------------------------------------------------------

    def action_mark(self) -> None:
        self.members.toggle_mark()
        self.members.cursor += 1

    def action_drop(self) -> None:
        targets = self.members.targets()
        if not targets:
            return
        self.members.marked.clear()
        service = self.workspace.incidents
        self.act(
            service.drop(self.incident_id, targets),
            done=lambda _: self.say(f"Dropped {plural(len(targets), 'mention')}."),
        )

    def action_open(self) -> None:
        mention_id = self.members.current
        if mention_id is not None:
            self.app.push_screen(MentionScreen(mention_id))

    def action_reply(self) -> None:
        self._write(follow_up=False)

    def action_resolve(self) -> None:
        incident = self.incident
        if incident.state is IncidentState.RESOLVED:
            self.say(f"{incident.id} is resolved already.")
            return
        self._write(follow_up=True)

    def _write(self, *, follow_up: bool) -> None:
        """Ask for the template, then confirm, then record the replies (they go out paced)."""
        incident = self.incident
        ws = self.workspace
        title = "Follow-up to every mention" if follow_up else "One reply to every mention"
        text = incident.follow_up_text if follow_up else incident.reply_text
        dialog = TemplateScreen(
            Content.assemble((title, "bold"), ("  ", ""), (incident.id, "$text-muted")),
            text=text,
            replies=ws.saved_replies.all(),
            preview=partial(ws.incidents.preview, self.incident_id),
            optional=follow_up,
        )
        self.app.push_screen(dialog, partial(self._written, follow_up=follow_up))

    def _written(self, template: str | None, *, follow_up: bool) -> None:
        if template is None:
            return
        progress = self.workspace.incidents.progress(self.incident_id)
        if follow_up and not template.strip():
            self.act(self.workspace.incidents.resolve(self.incident_id), done=self._resolved)
            return
        count = progress.total if follow_up else progress.unanswered
        what = "follow-up" if follow_up else "reply"
        if count == 0:
            self.say(
                f"Every mention of {self.incident_id} has a {what} sent or on its way, or was "
                "answered before: nothing to send."
            )
            return
        question = (
            f"Send this {what} to {plural(count, 'mention')}, each in its own thread? "
            "It goes out paced under each network's limits; p pauses it."
        )
        self.app.push_screen(
            ConfirmScreen(question),
            lambda yes: self._queue(template, follow_up=follow_up) if yes else None,
        )

    def _queue(self, template: str, *, follow_up: bool) -> None:
        service = self.workspace.incidents

        async def work() -> int:
            if follow_up:  # resolving withdraws what is not on its way: the follow-up comes after
                await service.resolve(self.incident_id)
            result = await service.queue_replies(self.incident_id, template, follow_up=follow_up)
            return len(result.queued)

        self.act(work(), done=self._queued)

    def _queued(self, queued: int) -> None:
        pause = self.keys_for("incident.pause")
        self.say(f"{plural(queued, 'reply', 'replies')} recorded; sending paced ({pause} pauses).")
        self._redraw()

    def _resolved(self, _: object) -> None:
        self.say(f"{self.incident_id} resolved.")
        self._redraw()

    def action_pause(self) -> None:
        incident, service = self.incident, self.workspace.incidents
        if incident.paused:
            self.act(service.resume(self.incident_id), done=lambda _: self.say("Sending resumed."))
        else:
            self.act(service.pause(self.incident_id), done=lambda _: self.say("Sending paused."))

    def action_ticket(self) -> None:
        incident = self.incident
        if incident.ticket_id is not None:
            self.app.push_screen(TicketScreen(incident.ticket_id))
            return
        members = list(incident.members)
        if members:
            self.act(self.workspace.tickets.open(members), done=self._ticket_opened)

    def _ticket_opened(self, ticket: Ticket) -> None:
        self.act(self.workspace.incidents.link_ticket(self.incident_id, ticket.id))
        self.say(f"Ticket {ticket.label} opened for {self.incident_id}.")

    def action_back(self) -> None:
        self.dismiss()

    def help_notes(self) -> list[str]:
        return [
            "An incident gathers near-identical complaints (an outage) so that one reply, "
            "written once, goes to each of them in its own thread. Replies are recorded "
            "before they are sent, and none is sent twice; a mention answered before is "
            "left out. Mentions that arrive while it is open join it: r again answers them.",
            "Marks on rows: · no reply yet, … recorded, ↗ sending, ✓ sent, ✗ failed.",
        ]
