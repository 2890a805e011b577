"""The incidents: each with its state, size and how far its one reply has gone out."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from smm_tui.core.incidents import Incident, IncidentProgress, IncidentState
from smm_tui.core.repository import Collection
from smm_tui.messages import DataChanged
from smm_tui.screens.base import WorkspaceScreen
from smm_tui.screens.incident import IncidentScreen
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import highlighted_id, step_highlight
from smm_tui.widgets.render import cut, local, one_line

#: The title's cells on a row.
TITLE_CELLS = 40

#: IncidentsScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
open   | enter  | open     | Open   | Open the incident
down   | j      | move(1)  | (Down) | The next incident
up     | k      | move(-1) | (Up)   | The previous incident
back   | escape | back     | Back   | Back to where you were
"""


def incident_row(incident: Incident, progress: IncidentProgress) -> Content:
    """``I-2026-0001  open   300  287 sent  07 Dec 09:14  the app is down…``."""
    state = "resolved" if incident.state is IncidentState.RESOLVED else "open"
    if incident.paused and incident.state is IncidentState.OPEN:
        state = "paused"
    return Content.assemble(
        (incident.id, "bold"),
        f"  {state:<8} {progress.total:>4}  ",
        (f"{progress.sent:>4} sent", "$text-success" if progress.done else "$text-muted"),
        ("  " + local(incident.created_at).strftime("%d %b %H:%M") + "  ", "$text-muted"),
        cut(one_line(incident.title), TITLE_CELLS),
    )


class IncidentsScreen(WorkspaceScreen):
    """Every incident, newest first; enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("incidents", _KEYS)

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Incidents", "bold"), classes="status-line")
        yield OptionList(id="incident-rows")
        yield PaneFooter()

    def on_mount(self) -> None:
        self._show()
        self.query_one(OptionList).focus()

    @on(DataChanged)
    def _changed(self, event: DataChanged) -> None:
        if event.changed.of(Collection.INCIDENTS) or event.changed.of(Collection.REPLIES):
            self._show()

    def _show(self) -> None:
        service = self.workspace.incidents
        rows = self.query_one(OptionList)
        kept = highlighted_id(rows)
        incidents = sorted(service.all(), key=lambda i: i.created_at, reverse=True)
        rows.clear_options()
        if not incidents:
            feed_key = self.app_keys_for("feed.incident")
            empty = (
                f"No incidents yet: in the feed, {feed_key} gathers a mention's near-duplicates."
            )
            rows.add_option(Option(Content.styled(empty, "$text-muted"), disabled=True))
            return
        rows.add_options(
            [Option(incident_row(i, service.progress(i.id)), id=i.id) for i in incidents]
        )
        ids = [i.id for i in incidents]
        rows.highlighted = ids.index(kept) if kept in ids else 0

    def action_move(self, step: int) -> None:
        step_highlight(self.query_one(OptionList), step)

    @on(OptionList.OptionSelected)
    def action_open(self) -> None:
        incident_id = highlighted_id(self.query_one(OptionList))
        if incident_id is not None:
            self.app.push_screen(IncidentScreen(incident_id))

    def action_back(self) -> None:
        self.dismiss()
