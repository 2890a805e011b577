"""Stateful fake networks on 127.0.0.1 for the adapter contract suite and end-to-end tests.

A :class:`FakeNetwork` installs one network's endpoints on a :class:`TestServer`
and keeps the state a real server would: the mentions it holds, the brand's
posts, the replies it published. Tests add mentions, inject faults into the
next calls of one operation, and read what was published. Payloads follow the
documented shapes in ``tests/fixtures/api/<network>/``.
"""

from __future__ import annotations

import abc
import enum
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import ClassVar, Literal

import httpx

from smm_tui.adapters import http, registry
from smm_tui.adapters.base import Adapter
from smm_tui.adapters.connection import Connection
from smm_tui.config import AccountConfig
from smm_tui.core.models import Platform, utcnow
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    html_page,
    json_reply,
    reset_mid_body,
    slow_body,
    too_many_requests,
)

#: The operations a fault can be injected into.
Operation = Literal[
    "mentions", "thread", "reply", "post", "find_post", "followers", "counters", "facts"
]

#: Short limits so that stalls end tests quickly.
TEST_TIMEOUT = httpx.Timeout(connect=1.0, read=0.6, write=1.0, pool=1.0)
TEST_DEADLINE = 1.5

#: What a reverse proxy answers when the network's app servers are down.
BAD_GATEWAY_PAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
#: What a captive portal (hotel or office Wi-Fi) answers, with HTTP 200, to any request.
CAPTIVE_PORTAL_PAGE = (
    b"<!DOCTYPE html><html><head><title>Guest Wi-Fi</title>"
    b"<script>window.location='/portal/login?next='+encodeURIComponent(location)</script>"
    b"</head><body><h1>Welcome to Guest Wi-Fi</h1><p>Please accept the terms of use "
    b"to continue to the internet.</p><form method=post action=/portal/accept>"
    b"<input type=checkbox name=terms> I accept<button>Connect</button></form></body></html>"
)
#: What a web application firewall answers to a request it blocks.
FIREWALL_PAGE = (
    b"<html><head><title>Access denied</title></head><body><h1>Access denied</h1>"
    b"<p>Your request was blocked by the security policy. Ray ID: 8f2c1a</p></body></html>"
)
#: How long a 503 with Retry-After asks the client to stay away.
UNAVAILABLE_FOR = timedelta(seconds=120)
#: A slow body sends a byte this often: well inside the read timeout, so only the
#: per-call deadline can end the wait (the body takes far longer than any deadline).
SLOW_BODY_INTERVAL = 0.1
SLOW_BODY_BYTES = 600


class Fault(enum.Enum):
    """What a fake answers instead of the real thing."""

    #: A 5xx (or the network's own "internal error" answer).
    SERVER_ERROR = "server_error"
    #: HTTP 200 with a body that is not valid JSON (cut in half).
    MALFORMED = "malformed"
    #: The network's status-code rate limit (HTTP 429 with its own headers or fields).
    RATE_LIMIT = "rate_limit"
    #: A rate limit reported inside an HTTP 200 body (VK errors 6, 9 and 29).
    RATE_LIMIT_IN_BODY = "rate_limit_in_body"
    #: The token is refused or expired, as the network says it.
    AUTH = "auth"
    #: The request is taken and never answered (until the test ends): a hung
    #: connection, well past the client's read timeout.
    STALL = "stall"
    #: For "reply" and "post": the server publishes it, then stalls past the timeout.
    COMMIT_THEN_STALL = "commit_then_stall"

    # Faults every network meets the same way (from a proxy, a gateway or the
    # wire), answered by :meth:`FakeNetwork.common_fault` for all five fakes.

    #: HTTP 429 with no ``Retry-After`` and no reset header at all (a gateway's limit).
    RATE_LIMIT_BARE = "rate_limit_bare"
    #: A reverse proxy's HTML error page, HTTP 502 (:data:`BAD_GATEWAY_PAGE`).
    HTML_ERROR = "html_error"
    #: HTTP 200 with an HTML page instead of JSON, as a captive portal answers.
    HTML_OK = "html_ok"
    #: HTTP 200 and its headers at once, then the body a byte at a time, never
    #: slower than the read timeout between bytes but far past the call's deadline.
    SLOW_BODY = "slow_body"
    #: HTTP 200 and half the promised body, then the connection is reset (RST).
    RESET = "reset"
    #: A firewall's or CDN's block page, HTTP 403 in HTML: not the network refusing the token.
    FIREWALL_PAGE = "firewall_page"
    #: HTTP 503 with ``Retry-After: 120``: maintenance with a stated end.
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Published:
    """A reply the fake server accepted and now shows in threads."""

    external_id: str
    text: str
    in_reply_to: str


@dataclass(frozen=True)
class BrandPost:
    """A post the fake server published on the brand's own page through the API."""

    external_id: str
    text: str
    #: The idempotency key, rkey or guid the request carried ("" if none).
    key: str = ""


@dataclass
class Counters:
    """What the fake reports for one of the brand's posts (views None: the network gives none)."""

    likes: int = 0
    reposts: int = 0
    replies: int = 0
    views: int | None = None


class FakeNetwork(abc.ABC):
    """One network's server, stateful. Subclasses install routes in ``__init__``.

    Contract for subclasses:

    - mention listings honour the page size the adapter asks for, capped at
      :attr:`page_size`, so that catching up always takes several pages;
    - :meth:`add_mention` makes a mention visible to the next fetch and, when
      ``reply_to`` is given, part of that item's thread;
    - a published reply is appended to :attr:`published` *and* shows in the
      thread of what it answers (so the outbox can find it there);
    - a fault set with :meth:`fail` replaces the next ``times`` calls of that
      operation (until :meth:`clear`); every request is still recorded on the server;
    - a post published through the API is appended to :attr:`posts` and shows in
      the listing of the brand's own posts (so a lost answer can be looked up);
      :attr:`followers` is what the follower count reads, and :attr:`counters`
      (by a post's external id) what the post-counter call reads;
    - a fault that looks the same on every network (:meth:`common_fault`: a bare
      429, HTML pages, a slow body, a reset) is answered as that method says;
    - :meth:`edit_mention` and :meth:`delete_mention` change a mention as its
      author would, and the network shows it (or pushes the event) as it does;
      :attr:`shows_edits` and :attr:`shows_deletions` say which the adapter can see.
    """

    platform: ClassVar[Platform]
    #: Faults this network can produce (others make no sense for it).
    faults: ClassVar[frozenset[Fault]] = frozenset(Fault) - {Fault.RATE_LIMIT_IN_BODY}
    #: Whether the network can list the comments of a post (for contests).
    lists_post_comments: ClassVar[bool] = True
    #: Whether the network can show a thread (False: the outbox cannot verify replies).
    shows_threads: ClassVar[bool] = True
    #: Whether an adapter can see a mention's edits (Bluesky posts cannot be edited).
    shows_edits: ClassVar[bool] = True
    #: Whether an adapter can see a mention's deletion (Telegram never tells a bot).
    shows_deletions: ClassVar[bool] = True
    #: The largest page the fake ever returns.
    page_size: ClassVar[int] = 3
    #: The variable the account's token is read from.
    token_env: ClassVar[str] = "SMM_TEST_TOKEN"

    def __init__(self, server: TestServer, token: str = "tok-S3cr3t/+=%value") -> None:
        self.server = server
        self.token = token
        self.published: list[Published] = []
        #: Posts published on the brand's page through the API, in order.
        self.posts: list[BrandPost] = []
        #: The brand account's follower (subscriber, member) count, as the network reports it.
        self.followers = 1000
        #: Counters of the brand's posts by external id (absent: zeros).
        self.counters: dict[str, Counters] = {}
        #: Per operation, what its next calls meet: a fault, or None to let one through.
        self._faults: dict[str, list[Fault | None]] = {}
        self._lock = threading.Lock()
        self._clients: list[httpx.AsyncClient] = []
        #: The clock of the last adapter made, which rate-limit windows follow.
        self.clock: Callable[[], datetime] = utcnow

    # -- what tests use ----------------------------------------------------------

    def keys(self) -> dict[str, object]:
        """The network's own config keys of the brand account (``group_id``, ``handle``...)."""
        return {}

    def account(self, name: str = "brand") -> AccountConfig:
        """The config block of the brand account on this fake (base_url = the server)."""
        extra = MappingProxyType(self.keys())
        return AccountConfig(
            name, self.platform, base_url=self.server.url, token_env=self.token_env, extra=extra
        )

    def env(self) -> dict[str, str]:
        """The environment that holds the token."""
        return {self.token_env: self.token}

    def adapter(
        self,
        *,
        name: str = "brand",
        clock: Callable[[], datetime] = utcnow,
        timeout: httpx.Timeout = TEST_TIMEOUT,
        deadline: float = TEST_DEADLINE,
    ) -> Adapter:
        """A real adapter pointed at this fake, built through the registry, with short timeouts.

        It does not long-poll: a long poll stretches the read timeout and the
        deadline past the poll, which would make every stall test wait for it.
        The fake's rate-limit windows follow ``clock`` from now on.
        """
        self.clock = clock
        connection = self.connection(clock=clock, timeout=timeout, deadline=deadline)
        return registry.build(self.account(name), connection)

    def connection(
        self,
        *,
        clock: Callable[[], datetime] = utcnow,
        timeout: httpx.Timeout = TEST_TIMEOUT,
        deadline: float = TEST_DEADLINE,
    ) -> Connection:
        """What :meth:`adapter` builds its adapter with: the server, the token, no long poll."""
        return Connection(
            token=self.token,
            token_env=self.token_env,
            base_url=self.server.url,
            deadline=deadline,
            client=self.client(timeout),
            clock=clock,
            long_poll_seconds=0,
        )

    @abc.abstractmethod
    def add_post(self, text: str) -> str:
        """A post on the brand's own page or feed; returns its external id."""

    @abc.abstractmethod
    def add_mention(self, text: str, *, author: str = "alice", reply_to: str | None = None) -> str:
        """A new mention or comment by ``author``; returns its external id.

        ``reply_to`` is the external id of a post or mention it answers; without
        it, the mention answers a brand post the fake keeps for the purpose.
        """

    def edit_mention(self, external_id: str, text: str) -> str:
        """The author edits mention ``external_id`` to read ``text``; returns the id the
        edited version has (X gives it a new one; elsewhere it keeps its own)."""
        raise NotImplementedError(f"{self.platform.value} mentions cannot be edited")

    def delete_mention(self, external_id: str) -> None:
        """The author deletes mention ``external_id``."""
        raise NotImplementedError(f"{type(self).__name__} cannot delete a mention")

    def fail(self, operation: Operation, fault: Fault, times: int = 1, *, after: int = 0) -> None:
        """Answer the next ``times`` calls of ``operation`` with ``fault``.

        ``after`` lets that many calls through first (a fault in the middle of a
        catch-up that takes several pages).
        """
        if fault not in self.faults:
            raise ValueError(f"{type(self).__name__} cannot produce {fault}")
        with self._lock:
            self._faults.setdefault(operation, []).extend([None] * after + [fault] * times)

    def clear(self, operation: Operation | None = None) -> None:
        """The network recovers: drop the faults still pending (of ``operation``, or all)."""
        with self._lock:
            if operation is None:
                self._faults.clear()
            else:
                self._faults.pop(operation, None)

    @abc.abstractmethod
    def requests(self, operation: Operation) -> list[Request]:
        """The requests the server received for ``operation``."""

    async def aclose(self) -> None:
        """Close the clients handed to adapters (an adapter closes only clients it made)."""
        for client in self._clients:
            await client.aclose()
        self._clients.clear()

    # -- what subclasses use -----------------------------------------------------

    def client(self, timeout: httpx.Timeout) -> httpx.AsyncClient:
        """A client for an adapter on this fake, closed by :meth:`aclose`."""
        made = http.make_client(timeout=timeout)
        self._clients.append(made)
        return made

    def take_fault(self, operation: Operation) -> Fault | None:
        """The fault to apply to this call of ``operation``, if one is pending."""
        with self._lock:
            pending = self._faults.get(operation)
            return pending.pop(0) if pending else None

    def stall(self) -> Reply:
        """Hold the connection until the test ends, then answer 503."""
        self.server.released.wait(30)
        return Reply(503)

    def common_fault(self, fault: Fault) -> Reply | None:
        """The answer to a fault that looks the same on every network, else None.

        Subclasses ask this first and answer the network's own faults themselves.
        """
        if fault is Fault.RATE_LIMIT_BARE:
            return too_many_requests()
        if fault is Fault.HTML_ERROR:
            return html_page(502, BAD_GATEWAY_PAGE)
        if fault is Fault.HTML_OK:
            return html_page(200, CAPTIVE_PORTAL_PAGE)
        if fault is Fault.SLOW_BODY:
            body = json_reply({"padding": " " * SLOW_BODY_BYTES})
            return slow_body(body, SLOW_BODY_INTERVAL)
        if fault is Fault.RESET:
            return reset_mid_body(json_reply({"padding": "x" * 256}))
        if fault is Fault.FIREWALL_PAGE:
            return html_page(403, FIREWALL_PAGE)
        if fault is Fault.UNAVAILABLE:
            return json_reply(
                {"error": "down for maintenance"},
                status=503,
                headers={"Retry-After": str(UNAVAILABLE_FOR.seconds)},
            )
        return None
