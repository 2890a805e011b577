"""Every account's polling health in full: last success, next poll, budget, problem."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from smm_tui.core import health as view
from smm_tui.core.polling import AccountHealth
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table

REFRESH_SECONDS = 1.0


_COLUMNS = (("account", 16), ("network", 9), ("state", 13), ("last ok", 8), ("next", 6))
#: Below this width the network column goes (the account's name usually says it).
_WITH_NETWORK = 62
#: What the budget column means, said once under the table.
BUDGET_NOTE = (
    "budget: requests the network still allows before its rate limit resets, as it last "
    "said; unknown until it says (some networks never do)."
)


def accounts_content(
    healths: Sequence[AccountHealth], now: datetime, width: int = _WITH_NETWORK
) -> Content:
    """A row per account (state, last success, next poll, budget), then each problem in words."""
    if not healths:
        return Content("No accounts are configured. Add [[accounts]] blocks to config.toml.")
    shown = [c for c in _COLUMNS if width >= _WITH_NETWORK or c[0] != "network"]
    header = "".join(title.ljust(size) for title, size in shown) + "budget"
    lines = [Content.assemble((header, "bold $text-muted"))]
    for health in healths:
        chip = view.chip(health, now)
        cells = {
            "account": f"{chip.glyph} {health.account}",
            "network": health.platform.value,
            "state": health.state.value,
            "last ok": view.clock_time(health.last_success),
            "next": view.until(health.next_poll, now),
        }
        row = "".join(_fit(cells[title], size) for title, size in shown)
        lines.append(Content(row + (view.budget_text(health.budget) or "unknown")))
    lines += [Content(""), Content.assemble((BUDGET_NOTE, "$text-muted"))]
    problems = [h for h in healths if h.message]
    if problems:
        lines.append(Content(""))
        lines += [Content.assemble(("● ", "$text-error"), h.message or "") for h in problems]
    return Content("\n").join(lines)


def _fit(text: str, width: int) -> str:
    return (text if len(text) < width else text[: width - 2] + "…").ljust(width)


#: AccountsScreen's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
close | escape,q | dismiss    | Close    | Close
down  | j,down   | scroll(1)  | (Scroll) | Scroll the accounts down
up    | k,up     | scroll(-1) | (Scroll) | Scroll the accounts up
"""


class AccountsScreen(ModalScreen[None]):
    """Account health, refreshed every second while open."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("accounts", _KEYS)

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
        yield PaneFooter()

    def on_mount(self) -> None:
        """Draw now and keep the countdowns current."""
        self._redraw()
        self.call_after_refresh(self._redraw)  # again at the width the layout gave
        self.set_interval(REFRESH_SECONDS, self._redraw)

    def _redraw(self) -> None:
        text = self.query_one("#accounts-text", Static)
        width = text.content_size.width or _WITH_NETWORK
        text.update(accounts_content(self._healths(), self._now(), width))

    def action_scroll(self, delta: int) -> None:
        self.query_one("#accounts-body").scroll_relative(y=delta, animate=False)
