"""How every network's tests build an adapter, read a documented answer and make a mention.

A network's test module describes its test account once, as a :class:`Network`
(the account's name, token, token variable and own config keys, the author of
its mentions); :meth:`Network.adapter` then builds the real adapter through the
registry (:func:`smm_tui.adapters.registry.build`) against a local server, as
the composition root builds it for a real account.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import httpx

from smm_tui.adapters import http, registry
from smm_tui.adapters.base import Adapter
from smm_tui.adapters.connection import Connection
from smm_tui.config import AccountConfig
from smm_tui.core.models import Author, Mention, Platform
from smm_tui.core.network import DEFAULT_BACKFILL
from tests.adapters.httpserver import Reply, TestServer
from tests.conftest import FakeClock
from tests.recorded import FIXTURES

__all__ = ["Network", "close_adapters", "plain_client"]

A = TypeVar("A", bound=Adapter)

#: The adapters :meth:`Network.adapter` built that :func:`close_adapters` has not closed yet.
_unclosed: list[Adapter] = []


def plain_client(timeout: httpx.Timeout = http.DEFAULT_TIMEOUT) -> httpx.AsyncClient:
    """A client for the plain-HTTP test servers: no CA bundle to load, so tests stay fast."""
    return http.make_client(timeout=timeout, transport=httpx.AsyncHTTPTransport(verify=False))


async def close_adapters() -> None:
    """Close every adapter :meth:`Network.adapter` has built since the last call.

    Tests build an adapter and drop it; an adapter that made its own client
    keeps that client's connections open until it is closed. The adapter tests'
    conftest calls this after each test, in the test's own event loop: the loop
    the connections were opened in, the only one that can close them.
    """
    while _unclosed:
        await _unclosed.pop().aclose()


def _no_root(external_id: str) -> str | None:
    return None


@dataclass(frozen=True)
class Network(Generic[A]):
    """One network's test account, and the adapter, answers and mentions its tests use."""

    adapter_type: type[A]
    account: str
    token: str
    #: The moment the account's clock stands at and its mentions were made.
    now: datetime
    #: The author of :meth:`mention`'s mentions.
    author: Author
    #: The variable the token comes from ("" for none: errors then say to set token_env).
    token_env: str = ""
    #: The account's own config keys (``group_id``, ``handle``, ``user_id``).
    keys: Mapping[str, object] = field(default_factory=dict)
    #: The language of :meth:`mention`'s mentions.
    language: str = ""
    #: The root a mention without an explicit one belongs to (from its id).
    root_of: Callable[[str], str | None] = _no_root

    @property
    def platform(self) -> Platform:
        """The network, as its adapter class names it."""
        return self.adapter_type.platform

    def settings(
        self, base_url: str | None, keys: Mapping[str, object] = MappingProxyType({})
    ) -> AccountConfig:
        """The account's ``[[accounts]]`` block on ``base_url``; ``keys`` override its own keys."""
        extra = MappingProxyType({**self.keys, **keys})
        return AccountConfig(
            self.account, self.platform, base_url=base_url, token_env=self.token_env, extra=extra
        )

    def adapter(
        self,
        server: TestServer | str | None,
        *,
        clock: Callable[[], datetime] | None = None,
        client: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout = http.DEFAULT_TIMEOUT,
        deadline: float = 5.0,
        backfill: int = DEFAULT_BACKFILL,
        long_poll: int = 0,
        token: str | None = None,
        user_token: str = "",
        keys: Mapping[str, object] = MappingProxyType({}),
    ) -> A:
        """The real adapter, built through the registry, on ``server`` (or a base URL, or
        None for the network's public default).

        ``long_poll`` is 0 unless a test asks: a long poll stretches the read
        timeout past it, which would make every stall wait for it. ``token``
        and ``keys`` stand in for the account's own; ``user_token`` is a second
        token (a VK admin's). :func:`close_adapters` closes it after the test.
        """
        base_url = server.url if isinstance(server, TestServer) else server
        connection = Connection(
            token=self.token if token is None else token,
            token_env=self.token_env,
            user_token=user_token,
            base_url=base_url,
            deadline=deadline,
            timeout=timeout,
            client=client,
            clock=clock or FakeClock(self.now),
            backfill=backfill,
            long_poll_seconds=long_poll,
        )
        made = registry.build(self.settings(base_url, keys), connection)
        assert isinstance(made, self.adapter_type)
        _unclosed.append(made)
        return made

    def mention(
        self,
        external_id: str,
        parent: str | None = None,
        *,
        root: str | None = None,
        language: str | None = None,
    ) -> Mention:
        """A mention of the account with id ``external_id``, answering ``parent`` if given."""
        return Mention(
            platform=self.platform,
            account=self.account,
            external_id=external_id,
            author=self.author,
            text="hi",
            created_at=self.now,
            parent_external_id=parent,
            root_external_id=root or self.root_of(external_id),
            language=self.language if language is None else language,
        )

    def fixture(self, name: str) -> Any:
        """A documented JSON body from ``tests/fixtures/api/<network>/``."""
        return json.loads((FIXTURES / "api" / self.platform.value / name).read_text("utf-8"))

    def answer(self, name: str) -> Reply:
        """A documented ``.http`` answer (status line, headers, blank line, body) as served."""
        text = (FIXTURES / "api" / self.platform.value / name).read_text(encoding="utf-8")
        head, _, body = text.partition("\n\n")
        status_line, *lines = head.splitlines()
        headers = dict(line.split(": ", 1) for line in lines if ": " in line)
        return Reply(int(status_line.split()[1]), headers, body.encode())
