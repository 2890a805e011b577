"""The account health strip: one chip per account, and the worst problem in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from smm_tui.core import health as view
from smm_tui.core.polling import AccountHealth
from smm_tui.core.sanitize import one_line

_STYLES = {
    view.Level.IDLE: "$text-muted",
    view.Level.OK: "$text-success",
    view.Level.WARNING: "$text-warning",
    view.Level.ERROR: "bold $text-error",
}


@dataclass(frozen=True, slots=True)
class HealthReport:
    """What the strip shows: the app's accounts' health at one moment, pushed to it."""

    healths: Sequence[AccountHealth]
    now: datetime
    #: The keys that open the accounts screen, as displayed ("" for none).
    details_key: str = ""
    #: Who polls the accounts, when another process does.
    poller_elsewhere: str | None = None
    has_accounts: bool = True
    #: The spike alert to show above the health, in one line (see ``core.alerts.alert_line``).
    alert: str = ""
    #: The keys that open the alerts list, as displayed.
    alerts_key: str = ""


#: Shown for as long as no account is configured: a state, not a passing event.
NO_ACCOUNTS = Content.assemble(
    ("○ ", "$text-muted"),
    ("no accounts configured: the feed shows stored mentions (try smm-tui demo)", "$text-muted"),
)


def elsewhere_content(holder: str) -> Content:
    """The strip when another process polls: the news arrives through the shared store."""
    return Content.assemble(
        ("○ ", "$text-muted"),
        (
            f"accounts polled by {one_line(holder)}, which shares this data dir",
            "$text-muted",
        ),
    )


def alert_content(line: str, alerts_key: str = "") -> Content:
    """A spike alert's line, and the key that lists the alerts (the line quotes network text)."""
    hint = f"  {alerts_key} alerts" if alerts_key else ""
    return Content.assemble((line, "bold $text-warning"), (hint, "$text-muted"))


def strip_content(
    healths: Sequence[AccountHealth], now: datetime, details_key: str = ""
) -> Content:
    """The strip's text.

    Accounts in trouble (or low on budget) get a chip each; the rest are
    counted. A second line states the worst problem in words.
    """
    pieces: list[list[str | tuple[str, str]]] = []
    for health in healths:
        if view.needs_chip(health):
            chip = view.chip(health, now)
            style = _STYLES[chip.level]
            pieces.append(
                [(chip.glyph, style), " ", (chip.name, "bold"), " ", (chip.detail, style)]
            )
    for level, text in view.summary(healths):
        glyph = "●" if level is view.Level.OK else "○"
        pieces.append([(glyph, _STYLES[level]), " ", (text, _STYLES[level])])
    parts: list[str | tuple[str, str]] = []
    for piece in pieces:
        parts.extend(["  ", *piece] if parts else piece)
    if details_key:
        parts.append((f"  {details_key} details", "$text-muted"))
    worst = view.headline(healths)
    if worst is not None:
        parts.append("\n")
        parts.append((view.problem_text(worst), _STYLES[view.level_of(worst)]))
    return Content.assemble(*parts)


class HealthStrip(Static):
    """Shows every account's polling health, as the app reports it (see :class:`HealthReport`).

    It reads nothing itself: once mounted it says so (:class:`Mounted`, which bubbles
    to the app), and the app pushes a report then, after every poll, and every
    second while countdowns run.
    """

    DEFAULT_CSS = """
    HealthStrip {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    class Mounted(Message):
        """A strip appeared and has nothing to show yet."""

        def __init__(self, strip: HealthStrip) -> None:
            super().__init__()
            self.strip = strip

    #: The text and styles the strip shows now (None: nothing drawn yet).
    _shown: tuple[str, tuple[object, ...]] | None = None

    def on_mount(self) -> None:
        """Ask for a report to draw."""
        self.post_message(self.Mounted(self))

    def show_health(self, report: HealthReport) -> None:
        """Draw ``report``."""
        shown = True
        if report.poller_elsewhere is not None:
            content = elsewhere_content(report.poller_elsewhere)
        elif not report.has_accounts:
            content = NO_ACCOUNTS
        else:
            shown = bool(report.healths)
            content = strip_content(report.healths, report.now, report.details_key)
        if report.alert:
            alert = alert_content(report.alert, report.alerts_key)
            content = Content("\n").join([alert, content]) if shown else alert
        self.display = shown or bool(report.alert)
        self._show(content)

    def _show(self, content: Content) -> None:
        # Redrawing an unchanged strip still costs a repaint sent over SSH, every second.
        # (Content's own == compares the text only, not the styles.)
        shown = (content.plain, tuple(content.spans))
        if shown != self._shown:
            self._shown = shown
            self.update(content)
