"""Every account's polling health in full: last success, next poll, budget, problem."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from smm_tui.core import health as view
from smm_tui.core.polling import AccountHealth

REFRESH_SECONDS = 1.0


def accounts_content(healths: Sequence[AccountHealth], now: datetime) -> Content:
    """One block per account: its chip, then a label/value row per fact."""
    if not healths:
        return Content("No accounts are configured. Add [[accounts]] blocks to config.toml.")
    blocks: list[Content] = []
    for health in healths:
        chip = view.chip(health, now)
        rows = [Content.assemble((f"{chip.glyph} ", "bold"), (health.account, "bold"))]
        rows += [
            Content.assemble((f"  {label:<13}", "$text-muted"), value)
            for label, value in view.details(health, now)
        ]
        blocks.append(Content("\n").join(rows))
    return Content("\n\n").join(blocks)


class AccountsScreen(ModalScreen[None]):
    """Account health, refreshed every second while open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", id="accounts.close", tooltip="Close"),
        Binding("j,down", "scroll(1)", "Scroll", show=False, id="accounts.down"),
        Binding("k,up", "scroll(-1)", "Scroll", show=False, id="accounts.up"),
    ]

    def __init__(
        self, healths: Callable[[], Sequence[AccountHealth]], now: Callable[[], datetime]
    ) -> None:
        super().__init__()
        self._healths = healths
        self._now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog accounts"):
            yield Label(Content.assemble(("Accounts", "bold")))
            with VerticalScroll(id="accounts-body"):
                yield Static(id="accounts-text")
            yield Label(Content("Tokens are read at start: fix one, then restart."), classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        """Draw now and keep the countdowns current."""
        self._redraw()
        self.set_interval(REFRESH_SECONDS, self._redraw)

    def _redraw(self) -> None:
        self.query_one("#accounts-text", Static).update(
            accounts_content(self._healths(), self._now())
        )

    def action_scroll(self, delta: int) -> None:
        self.query_one("#accounts-body").scroll_relative(y=delta, animate=False)
