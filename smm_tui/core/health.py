"""Account health in words: what the health strip, the accounts screen and ``doctor`` show."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from smm_tui.core.network import RateBudget
from smm_tui.core.polling import AccountHealth, HealthState


class Level(enum.Enum):
    """How worrying a state is, for colour."""

    IDLE = "idle"
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


_LEVELS = {
    HealthState.STARTING: Level.IDLE,
    HealthState.OK: Level.OK,
    HealthState.RETRYING: Level.WARNING,
    HealthState.RATE_LIMITED: Level.WARNING,
    HealthState.CIRCUIT_OPEN: Level.ERROR,
    HealthState.AUTH_FAILED: Level.ERROR,
}
_GLYPHS = {Level.IDLE: "○", Level.OK: "●", Level.WARNING: "▲", Level.ERROR: "✖"}
#: Which problem the headline names first.
_SEVERITY = (
    HealthState.AUTH_FAILED,
    HealthState.CIRCUIT_OPEN,
    HealthState.RATE_LIMITED,
    HealthState.RETRYING,
)


@dataclass(frozen=True, slots=True)
class Chip:
    """One account in the health strip: ``● bank-vk 09:14``."""

    glyph: str
    name: str
    detail: str
    level: Level


def level_of(health: AccountHealth) -> Level:
    """How worrying an account's state is."""
    return _LEVELS[health.state]


def chip(health: AccountHealth, now: datetime) -> Chip:
    """The short form of an account's health."""
    level = level_of(health)
    return Chip(_GLYPHS[level], health.account, _short_detail(health, now), level)


def _short_detail(health: AccountHealth, now: datetime) -> str:
    state = health.state
    if state is HealthState.STARTING:
        return "…"
    if state is HealthState.AUTH_FAILED:
        return "token!"
    if state is HealthState.RATE_LIMITED:
        return "limit " + until(health.next_poll, now)
    if state is HealthState.CIRCUIT_OPEN:
        return "paused " + until(health.next_poll, now)
    if state is HealthState.RETRYING:
        return "retry " + until(health.next_poll, now)
    budget = budget_text(health.budget)
    low = health.budget is not None and _is_low(health.budget)
    return f"{clock_time(health.last_success)}" + (f" {budget}" if low else "")


def needs_chip(health: AccountHealth) -> bool:
    """Whether the strip names this account on its own (trouble, or a budget running low)."""
    if health.state.is_problem:
        return True
    return health.budget is not None and _is_low(health.budget)


def summary(healths: Iterable[AccountHealth]) -> list[tuple[Level, str]]:
    """The accounts the strip does not name, counted: ``[(OK, "4 ok, last 09:14")]``."""
    quiet = [h for h in healths if not needs_chip(h)]
    parts: list[tuple[Level, str]] = []
    ok = [h for h in quiet if h.state is HealthState.OK]
    if ok:
        last = max(h.last_success for h in ok if h.last_success is not None)
        parts.append((Level.OK, f"{len(ok)} ok, last {clock_time(last)}"))
    starting = len(quiet) - len(ok)
    if starting:
        parts.append((Level.IDLE, f"{starting} starting"))
    return parts


def headline(healths: Iterable[AccountHealth]) -> AccountHealth | None:
    """The account whose problem matters most (credentials first), if any has one."""
    troubled = [h for h in healths if h.state.is_problem]
    if not troubled:
        return None
    return min(troubled, key=lambda h: (_SEVERITY.index(h.state), h.account))


def problem_text(health: AccountHealth) -> str:
    """An account's problem in one line of words, naming the account, e.g. a token to set."""
    text = health.message or health.state.value
    return text if f"'{health.account}'" in text else f"{health.account}: {text}"


def details(health: AccountHealth, now: datetime) -> list[tuple[str, str]]:
    """Every fact about an account's polling, as label/value rows."""
    return [
        ("network", health.platform.value),
        ("state", health.state.value),
        ("last success", _moment(health.last_success, now)),
        ("next poll", until(health.next_poll, now) if health.next_poll else "—"),
        ("rate budget", budget_text(health.budget) or "unknown"),
        ("failures", f"{health.failures} in a row"),
        ("problem", health.message or "none"),
    ]


def budget_text(budget: RateBudget | None) -> str:
    """``287/300`` (or ``287 left``); empty when unknown."""
    if budget is None or budget.remaining is None:
        return ""
    if budget.limit is None:
        return f"{budget.remaining} left"
    return f"{budget.remaining}/{budget.limit}"


def _is_low(budget: RateBudget) -> bool:
    if budget.remaining is None:
        return False
    if budget.limit:
        return budget.remaining <= budget.limit // 5
    return budget.remaining <= 5


def clock_time(moment: datetime | None) -> str:
    """``09:14`` in local time, or ``never``."""
    return moment.astimezone().strftime("%H:%M") if moment else "never"


def until(moment: datetime | None, now: datetime) -> str:
    """How long until ``moment``: ``now``, ``45s``, ``12m``, ``3h``, else the clock time."""
    if moment is None:
        return "—"
    seconds = (moment - now).total_seconds()
    if seconds < 1:
        return "now"
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f}m"
    if seconds < 12 * 3600:
        return f"{seconds / 3600:.0f}h"
    return moment.astimezone().strftime("%d %b %H:%M")


def _moment(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = (now - moment).total_seconds()
    ago = f"{seconds:.0f}s ago" if seconds < 90 else f"{seconds / 60:.0f}m ago"
    return f"{clock_time(moment)} ({ago})"
