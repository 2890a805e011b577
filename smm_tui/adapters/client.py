"""What every network adapter that speaks HTTP shares: the call context and the client.

:class:`HttpAdapter` does the constructor work the Mastodon, VK, Telegram,
Bluesky and X adapters would otherwise each repeat: it builds the
:class:`~smm_tui.adapters.http.CallContext` that names the account in messages
and redacts its secrets, takes the caller's httpx client or makes one, and in
:meth:`HttpAdapter.aclose` closes only a client it made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.base import Adapter, TransientError
from smm_tui.adapters.connection import Connection
from smm_tui.core import limits

__all__ = ["SHAPE_ERRORS", "HttpAdapter", "epoch_header", "malformed"]

P = ParamSpec("P")
R = TypeVar("R")

#: What reading an answer of an unforeseen shape raises: a key missing, a None
#: where a dict should be, a number that does not parse or does not fit.
SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError)


class HttpAdapter(Adapter):
    """An adapter that reaches its network through one httpx client.

    A subclass hands its :class:`~smm_tui.adapters.connection.Connection` on to
    ``__init__`` and then finds ``self._base`` (``base_url`` without a trailing slash),
    ``self._ctx`` (the :class:`~smm_tui.adapters.http.CallContext` for
    :mod:`smm_tui.adapters.http`), ``self._client`` and ``self._clock``. The
    context names the network after :attr:`Adapter.platform`.

    This class defines none of the contract methods, so
    :meth:`Adapter.__init_subclass__` wraps each subclass's own, once.
    """

    def __init__(
        self,
        account: str,
        connection: Connection,
        *,
        default_base_url: str = "",
        secrets: tuple[str, ...] = (),
        reset_parser: http.ResetParser | None = None,
    ) -> None:
        """Set up the plumbing from ``connection``; a client is made (and closed) here
        unless the connection brings one.

        ``secrets`` are redacted from every message besides the token (any form
        of it the network puts in a URL). ``reset_parser`` reads the network's
        rate-limit reset header when a 429 carries no ``Retry-After``.
        """
        super().__init__(account)
        if connection.backfill < 0:
            raise ValueError(f"{self.platform.value} account {account!r}: backfill must be >= 0")
        self._base = connection.base(default_base_url)
        self._ctx = http.CallContext(
            network=self.platform.value,
            account=account,
            secrets=(connection.token, *secrets),
            deadline=connection.deadline,
            clock=connection.clock,
            reset_parser=reset_parser,
            token_hint=connection.token_env,
        )
        self._owns_client = connection.client is None
        self._client = connection.client or http.make_client(timeout=connection.timeout)
        self._clock = connection.clock

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account={self.account!r}, base_url={self._base!r})"

    def reply_length(self, text: str) -> int:
        """The length of ``text`` as this network counts it (:func:`limits.reply_length`)."""
        return limits.reply_length(self.platform, text)

    async def aclose(self) -> None:
        """Close the client if this adapter made it."""
        if self._owns_client:
            await self._client.aclose()

    def _malformed(self, what: str) -> TransientError:
        return malformed(self._ctx, what)

    def _shaped(self, what: str, read: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """``read(*args, **kwargs)``; an answer it cannot read is a malformed ``what``."""
        try:
            return read(*args, **kwargs)
        except SHAPE_ERRORS:
            raise self._malformed(what) from None


def malformed(ctx: http.CallContext, what: str) -> TransientError:
    """The error for an answer whose ``what`` is not shaped as documented."""
    return TransientError(f"{ctx.who}: unexpected {what} shape")


def epoch_header(response: httpx.Response, name: str) -> datetime | None:
    """Header ``name`` (Unix epoch seconds) as an aware UTC time, or None."""
    value = http.header_int(response, name)
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None
