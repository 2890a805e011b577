"""What the department handoff channels share: how errors name them, and their HTTP client.

Every handoff error names the department and where the message was going
("department 'Payments': webhook to hooks.bank.example: ..."), never a secret:
the call context's redaction sees to that for the HTTP channels.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx

from smm_tui.adapters import http

__all__ = ["HandoffContext", "borrowed_client", "one_line"]

_EXCERPT = 160


class HandoffContext(http.CallContext):
    """A call context whose messages name a department's channel, not a network account.

    ``account`` holds the department and ``network`` the channel and its
    target ("webhook to hooks.bank.example").
    """

    __slots__ = ()

    @property
    def who(self) -> str:
        """How messages name the channel: ``department 'Payments': webhook to hooks.example``."""
        return f"department '{self.account}': {self.network}"


@contextlib.asynccontextmanager
async def borrowed_client(client: httpx.AsyncClient | None) -> AsyncIterator[httpx.AsyncClient]:
    """``client`` as it is, or a client of :func:`http.make_client`'s made for one delivery.

    Handoffs are rare, so a channel without a shared client keeps nothing
    open between deliveries and needs no closing.
    """
    if client is not None:
        yield client
        return
    async with http.make_client() as made:
        yield made


def one_line(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` (a server's words) on one line, without ``secrets``, cut short."""
    words = " ".join(http.redact(text, secrets).split())
    return words if len(words) <= _EXCERPT else words[: _EXCERPT - 1] + "…"
