"""How an adapter reaches its network: one object instead of a constructor's worth of keywords.

Every adapter is built as ``SomeAdapter(account, connection, *, <its own keys>)``
(see :mod:`smm_tui.adapters.registry`). A :class:`Connection` says where the
network is, which token to use and where that token comes from (so an auth
error can say what to fix), how long a call may take, which clock rates and
backfills run on, how many mentions a first poll reads back and how long a
long poll waits. The demo reads its simulated network's pace from
:attr:`Connection.simulation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from smm_tui.adapters.http import DEFAULT_DEADLINE, DEFAULT_TIMEOUT
from smm_tui.core.models import utcnow
from smm_tui.core.network import DEFAULT_BACKFILL

__all__ = ["LONG_POLL_SECONDS", "Connection", "Simulation"]

#: How long VK and Telegram hold a poll open waiting for news.
LONG_POLL_SECONDS = 20
#: The demo's pace when the config's ``[demo]`` table says nothing.
_DEMO_SEED = 7
_DEMO_RATE_PER_MINUTE = 12.0


@dataclass(frozen=True, slots=True)
class Simulation:
    """How the demo's simulated network behaves (the ``[demo]`` table and the run's mode)."""

    #: The seed of an account that names none of its own.
    seed: int = _DEMO_SEED
    rate_per_minute: float = _DEMO_RATE_PER_MINUTE
    #: Start in the middle of a team's working day (:meth:`DemoAdapter.working_day`).
    working_day: bool = False


@dataclass(frozen=True, slots=True)
class Connection:
    """Where one account's network is and how the adapter speaks to it."""

    # Out of repr: a crash report that prints locals must not print a token.
    token: str = field(default="", repr=False)
    #: The variable the token was read from, named in auth errors ("set BANK_VK_TOKEN").
    token_env: str = ""
    #: A second token for calls the first cannot make (a VK admin's user token), or "".
    user_token: str = field(default="", repr=False)
    #: The network's address; None for the adapter's public default.
    base_url: str | None = None
    #: The longest one call may take in total (seconds).
    deadline: float = DEFAULT_DEADLINE
    #: The socket timeouts of a client the adapter makes itself.
    timeout: httpx.Timeout = field(default_factory=lambda: DEFAULT_TIMEOUT)
    #: A client to share (the caller closes it); None to have the adapter make and close one.
    client: httpx.AsyncClient | None = field(default=None, repr=False)
    clock: Callable[[], datetime] = utcnow
    #: How many of the newest mentions an account's first poll reads back.
    backfill: int = DEFAULT_BACKFILL
    #: How long a long-polling network (VK, Telegram) holds a poll open; 0 answers at once.
    long_poll_seconds: int = LONG_POLL_SECONDS
    simulation: Simulation = field(default_factory=Simulation)

    def base(self, default: str) -> str:
        """:attr:`base_url`, or ``default`` when it is not set, without a trailing slash."""
        return (self.base_url or default).rstrip("/")
