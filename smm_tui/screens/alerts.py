"""The spike alerts raised, newest first: ``enter`` opens an alert's mentions in the feed."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from smm_tui.core.alerts import SpikeAlert, scope_label, since_query, what_text
from smm_tui.core.repository import Collection
from smm_tui.core.spikes import Kind
from smm_tui.messages import DataChanged
from smm_tui.screens.base import WorkspaceModal, keys_of
from smm_tui.screens.live_alerts import open_feed_on
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.option_lists import highlighted_id, step_highlight
from smm_tui.widgets.pick_list import PickList
from smm_tui.widgets.render import cut, short_time

#: Below this width the scope column is narrower.
_WIDE = 70


def alert_row(alert: SpikeAlert, now: datetime, width: int = _WIDE) -> Content:
    """``14:05  term      VK            'приложение' 14 vs ≈0.4``; a dismissed one is dimmed."""
    scope = 14 if width >= _WIDE else 9
    style = "$text-muted" if alert.dismissed_at is not None else ""
    return Content.assemble(
        (f"{short_time(alert.at, now):<7}", "$text-muted"),
        (f"{alert.kind.value:<9}", style or "bold"),
        (cut(scope_label(alert.scope), scope - 1).ljust(scope), style or "$text-primary"),
        (what_text(alert), style),
    )


#: AlertsScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
open    | enter    | open       | Open     | Show this alert's mentions in the feed
dismiss | x        | dismiss_alert | Dismiss | Take the alert off the health strip, for everyone
incident | I       | incident   | Incident | Gather the alert's near-identical mentions into an
    incident, to answer them all at once
close   | escape,q | dismiss    | Back     | Back to the pane
down    | j,down   | cursor(1)  | (Down)   | Next alert
up      | k,up     | cursor(-1) | (Up)     | Previous alert
"""


class AlertsScreen(WorkspaceModal):
    """Every stored spike alert, newest first, with what spiked, where, and against what."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("alerts", _KEYS)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog alerts"):
            yield Label(Content.assemble(("Spike alerts", "bold")))
            yield PickList(id="alerts-list")
            yield Label(id="alerts-hint", classes="hint")
        yield PaneFooter()

    def on_mount(self) -> None:
        self.fill()
        self.query_one("#alerts-list").focus()

    @on(DataChanged)
    def _changed(self, event: DataChanged) -> None:
        if event.changed.of(Collection.ALERTS):
            self.fill()

    def fill(self) -> None:
        """List the stored alerts, keeping the one highlighted."""
        widget = self.query_one("#alerts-list", OptionList)
        keep = highlighted_id(widget)
        alerts = self.workspace.alerts.all()
        now = self.workspace.ctx.clock()
        width = widget.content_size.width or _WIDE
        widget.clear_options()
        widget.add_options(Option(alert_row(a, now, width), id=a.id) for a in alerts)
        ids = [a.id for a in alerts]
        if ids:
            widget.highlighted = ids.index(keep) if keep in ids else 0
        hint = self.query_one("#alerts-hint", Label)
        if not alerts:
            hint.update(
                Content(
                    "No spike has been raised. The smm-tui that polls watches volume, the "
                    "negative share and terms per account, network and brand "
                    "(smm-tui alerts lists what it would have raised)."
                )
            )
        else:
            hint.update(
                Content(
                    f"{keys_of(self, 'alerts.open')} opens its mentions in the feed; "
                    f"{keys_of(self, 'alerts.dismiss')} takes it off the strip."
                )
            )

    def action_cursor(self, delta: int) -> None:
        step_highlight(self.query_one("#alerts-list", OptionList), delta)

    def _selected(self) -> SpikeAlert | None:
        alert_id = highlighted_id(self.query_one("#alerts-list", OptionList))
        return next((a for a in self.workspace.alerts.all() if a.id == alert_id), None)

    def action_open(self) -> None:
        alert = self._selected()
        if alert is None:
            return
        query = alert.feed_query(self.workspace.ctx.clock())
        app = self.app
        self.dismiss()
        open_feed_on(app, query)

    def action_incident(self) -> None:
        """Gather the alert's complaints into an incident, from the feed.

        A term's spike seeds it with the alert's mentions, and their near-duplicates
        join from every network since it began (an outage is worded many ways, and not
        only where the term spiked); a volume or tone spike has no words to start from,
        so the largest group of near-duplicates among its own mentions is taken.
        """
        alert = self._selected()
        if alert is None:
            return
        now = self.workspace.ctx.clock()
        seeds = list(alert.examples) if alert.kind is Kind.TERM and alert.examples else None
        query = alert.feed_query(now) if seeds is None else since_query(alert.since, now)
        app = self.app
        self.dismiss()
        feed = open_feed_on(app, query)
        if feed is not None:
            feed.gather_incident(seeds)

    def action_dismiss_alert(self) -> None:
        alert = self._selected()
        if alert is not None and alert.dismissed_at is None:
            self.act(self.workspace.alerts.dismiss(alert.id), done=lambda _: self.fill())

    @on(OptionList.OptionSelected, "#alerts-list")
    def _chosen(self) -> None:
        self.action_open()
