"""The schedule dialog: a time as people type it, and what it resolves to, live."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from smm_tui.core.planning import PAST_SLACK
from smm_tui.core.when import WHEN_HELP, parse_when
from smm_tui.screens.base import WorkspaceMixin
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table

#: How the dialog writes a time back into its input (``parse_when`` reads it as ISO 8601).
INPUT_FORMAT = "%Y-%m-%d %H:%M"
#: How a resolved time is shown: ``Fri 27 Nov 2026 09:30``.
SHOWN_FORMAT = "%a %d %b %Y %H:%M"


def until_text(left: timedelta) -> str:
    """``in 2h 15m``, ``in 1d 30m``, ``in 40s``: how long until a time to come.

    Days, hours and minutes (seconds only under an hour); units at zero are left out.
    """
    seconds = max(0, int(left.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    units = [(days, "d"), (hours, "h"), (minutes, "m")]
    if not days and not hours:
        units.append((seconds, "s"))
    return "in " + (" ".join(f"{n}{unit}" for n, unit in units if n) or "0s")


def resolve(text: str, now: datetime, zone: tzinfo) -> tuple[datetime | None, Content]:
    """What ``text`` names (None if nothing to come) and a line saying it, or what is wrong."""
    if not text.strip():
        return None, Content.assemble(("Type a time, e.g. tomorrow 09:30", "$text-muted"))
    try:
        moment = parse_when(text, now, zone)
    except ValueError as exc:
        return None, Content.assemble(("✖ ", "bold $text-error"), (str(exc), "$text-error"))
    there = moment.astimezone(zone)
    shown = f"{there.strftime(SHOWN_FORMAT)} {zone}"
    if moment < now - PAST_SLACK:
        return None, Content.assemble(
            ("✖ ", "bold $text-error"), (f"{shown} is in the past", "$text-error")
        )
    here = moment.astimezone()
    parts: list[str | tuple[str, str]] = [("→ ", "bold $text-success"), (shown, "bold")]
    if here.utcoffset() != there.utcoffset():
        parts.append((f" ({here.strftime('%H:%M')} here)", "$text-muted"))
    parts.append((f" · {until_text(moment - now)}", "$text-muted"))
    return moment, Content.assemble(*parts)


#: ScheduleScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
set    | ctrl+s | set    | Schedule | Schedule it for the time shown (enter does
    too)
cancel | escape | cancel | Cancel   | Leave without scheduling
"""


class ScheduleScreen(ModalScreen[datetime | None], WorkspaceMixin):
    """One input for when; below it, live, the moment it names or what is wrong with it.

    Dismisses with an aware UTC datetime, or None on esc.
    """

    BINDINGS: ClassVar[list[BindingType]] = key_table("schedule", _KEYS)

    DEFAULT_CSS = """
    ScheduleScreen #schedule-resolved { height: auto; margin-top: 1; }
    """

    def __init__(self, current: datetime | None) -> None:
        super().__init__()
        self.current = current

    @property
    def zone(self) -> tzinfo:
        """The team's time zone, where typed times are read."""
        return self.workspace.settings.publishing.zone

    def compose(self) -> ComposeResult:
        zone = self.zone
        typed = self.current.astimezone(zone).strftime(INPUT_FORMAT) if self.current else ""
        with Vertical(classes="dialog"):
            yield Label(
                Content.assemble(("Schedule", "bold"), (f"  times in {zone}", "$text-muted"))
            )
            yield Input(typed, placeholder="e.g. tomorrow 09:30", id="schedule-when", compact=True)
            yield Static(id="schedule-resolved")
            yield Label(Content(WHEN_HELP), classes="hint")
        yield PaneFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._show()

    @property
    def typed(self) -> str:
        """The time as typed."""
        return self.query_one("#schedule-when", Input).value

    @on(Input.Changed)
    def _show(self) -> None:
        _, line = resolve(self.typed, self.workspace.ctx.clock(), self.zone)
        self.query_one("#schedule-resolved", Static).update(line)

    @on(Input.Submitted)
    def action_set(self) -> None:
        # Read again now: "+2h" means two hours from when it is confirmed.
        moment, line = resolve(self.typed, self.workspace.ctx.clock(), self.zone)
        if moment is None:
            self.query_one("#schedule-resolved", Static).update(line)
            return
        self.dismiss(moment)

    def action_cancel(self) -> None:
        self.dismiss(None)
