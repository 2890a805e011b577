"""Every account's polling health in full (last success, next poll, budget, problem), and
its followers: the count, its change over a day, a week and a month, and a sparkline."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from smm_tui.core import health as view
from smm_tui.core.growth import SPANS, GrowthService
from smm_tui.core.polling import AccountHealth
from smm_tui.core.repository import Collection
from smm_tui.core.sparkline import sparkline
from smm_tui.messages import DataChanged
from smm_tui.screens.base import WorkspaceMixin
from smm_tui.widgets.footer import PaneFooter
from smm_tui.widgets.key_table import key_table

REFRESH_SECONDS = 1.0
#: How often the follower changes are worked out again (their windows move with the clock).
GROWTH_SECONDS = 60.0
#: How far back the sparkline goes, and its cells: at most one a day, at least enough to say
#: something (with less room it is left out).
SPARK_SPAN = timedelta(days=30)
SPARK_CELLS, SPARK_MIN_CELLS = SPARK_SPAN.days, 6


_COLUMNS = (("account", 16), ("network", 9), ("state", 13), ("last ok", 8), ("next", 6))
#: Below this width the network column goes (the account's name usually says it).
_WITH_NETWORK = 62
#: What the budget column means, said once under the table.
BUDGET_NOTE = (
    "budget: requests the network still allows before its rate limit resets, as it last "
    "said; unknown until it says (some networks never do)."
)


@dataclass(frozen=True, slots=True)
class Growth:
    """An account's followers as read: the newest count, its changes over :data:`SPANS`,
    and the counts of the last 30 days (None and empty until first read)."""

    followers: int | None
    changes: tuple[int | None, ...]
    series: tuple[int, ...]


#: An account never read.
_UNREAD = Growth(None, (None,) * len(SPANS), ())


def read_growth(growth: GrowthService, accounts: Sequence[str], now: datetime) -> dict[str, Growth]:
    """Every account's :class:`Growth` from the readings stored (no network)."""
    found = {}
    for account in accounts:
        history = growth.history(account)
        latest = history.latest
        found[account] = Growth(
            latest.followers if latest is not None else None,
            tuple(history.change(span, now) for span in SPANS),
            tuple(history.series(now - SPARK_SPAN)),
        )
    return found


def _signed(change: int | None) -> str:
    """``+12``, ``-3``, ``±0``; ``—`` when there is no reading that old (never a made-up 0)."""
    if change is None:
        return "—"
    return "±0" if change == 0 else f"{change:+,}"


def growth_line(growth: Growth, width: int) -> Content:
    """``  12,345 followers  1d +12  7d +80  30d —  ▂▃▅▆█``, fitted to ``width``."""
    count = "—" if growth.followers is None else f"{growth.followers:,}"
    parts: list[str | tuple[str, str]] = [("  " + count, "bold"), (" followers", "$text-muted")]
    for span, change in zip(SPANS, growth.changes, strict=True):
        style = "$text-success" if change and change > 0 else "$text-muted"
        style = "$text-error" if change and change < 0 else style
        parts += [(f"  {span.days}d ", "$text-muted"), (_signed(change), style)]
    line = Content.assemble(*parts)
    room = min(SPARK_CELLS, width - line.cell_length - 2)
    # One reading is no trend: the line waits for a second.
    drawn = len(growth.series) > 1 and room >= SPARK_MIN_CELLS
    spark = sparkline(growth.series, room) if drawn else ""
    return Content.assemble(line, ("  " + spark, "$text-accent")) if spark else line


def accounts_content(
    healths: Sequence[AccountHealth],
    now: datetime,
    width: int = _WITH_NETWORK,
    growth: Mapping[str, Growth] | None = None,
) -> Content:
    """A row per account (state, last success, next poll, budget), then each problem in words.

    With ``growth`` read for some account, each row has a second line of followers
    (only then: before the first reading there is nothing to show).
    """
    if not healths:
        return Content("No accounts are configured. Add [[accounts]] blocks to config.toml.")
    shown = [c for c in _COLUMNS if width >= _WITH_NETWORK or c[0] != "network"]
    header = "".join(title.ljust(size) for title, size in shown) + "budget"
    lines = [Content.assemble((header, "bold $text-muted"))]
    with_growth = growth is not None and any(g.followers is not None for g in growth.values())
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
        if growth is not None and with_growth:
            lines.append(growth_line(growth.get(health.account, _UNREAD), width))
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


class AccountsScreen(ModalScreen[None], WorkspaceMixin):
    """Account health, refreshed every second while open, and follower growth."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("accounts", _KEYS)

    def __init__(
        self, healths: Callable[[], Sequence[AccountHealth]], now: Callable[[], datetime]
    ) -> None:
        super().__init__()
        self._healths = healths
        self._now = now
        self._growth: dict[str, Growth] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog accounts"):
            yield Label(Content.assemble(("Accounts", "bold")))
            with VerticalScroll(id="accounts-body"):
                yield Static(id="accounts-text")
            yield Label(Content("Tokens are read at start: fix one, then restart."), classes="hint")
        yield PaneFooter()

    def on_mount(self) -> None:
        """Draw now and keep the countdowns current."""
        self._read_growth()
        self._redraw()
        self.call_after_refresh(self._redraw)  # again at the width the layout gave
        self.set_interval(REFRESH_SECONDS, self._redraw)
        self.set_interval(GROWTH_SECONDS, self._read_growth)

    def _read_growth(self) -> None:
        # Read on opening, on a new reading and each minute; not with every countdown tick.
        workspace = self.workspace
        self._growth = read_growth(workspace.growth, list(workspace.sources), self._now())

    @on(DataChanged)
    def _counts_read(self, event: DataChanged) -> None:
        if event.changed.of(Collection.FOLLOWERS):
            self._read_growth()
            self._redraw()

    def _redraw(self) -> None:
        text = self.query_one("#accounts-text", Static)
        width = text.content_size.width or _WITH_NETWORK
        text.update(accounts_content(self._healths(), self._now(), width, self._growth))

    def action_scroll(self, delta: int) -> None:
        self.query_one("#accounts-body").scroll_relative(y=delta, animate=False)
