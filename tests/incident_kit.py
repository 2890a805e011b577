"""What the incident end-to-end test puts between smm-tui and the fake networks.

A :class:`ReplyGate` wraps one fake's reply endpoint: it notes when each reply POST
arrives, answers one of them with the network's own rate-limit signal (a short one,
so the test runs in seconds), and can hold one answer after the reply is published,
until the test lets it go: a send cut off mid-POST.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.adapters.httpserver import Handler, Reply, Request, json_reply
from tests.fakes.base import FakeNetwork
from tests.fakes.bluesky_shapes import xrpc_error
from tests.fakes.vk_wall import error_reply
from tests.fakes.x_shapes import PROBLEM_429

#: Which answer of each network's is the rate limit (1 = the first reply POST).
LIMITED_AT = 5


def reply_routes(network: str, fake: FakeNetwork) -> list[tuple[str, str]]:
    """The (method, path) routes a fake publishes replies on."""
    if network == "vk":
        return [(verb, "/method/wall.createComment") for verb in ("GET", "POST")]
    if network == "telegram":
        path = fake.paths["reply"]  # type: ignore[attr-defined]
        return [(verb, path) for verb in ("GET", "POST")]
    return [
        (
            "POST",
            {
                "x": "/2/tweets",
                "mastodon": "/api/v1/statuses",
                "bluesky": "/xrpc/com.atproto.repo.createRecord",
            }[network],
        )
    ]


def rate_limited(network: str, now: float) -> tuple[Reply, float]:
    """The network's own rate-limit answer, and the moment before which it asks for nothing.

    VK's is error 6 in an HTTP 200 (the adapter waits a second); Telegram's says
    ``retry_after``; the others send a reset time in their own headers.
    """
    if network == "vk":
        return error_reply(6, "wall.createComment", {}), now + 1
    if network == "telegram":
        body = {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        return json_reply(body, 429), now + 1
    reset = int(now) + 2
    if network == "x":
        headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0"}
        return json_reply(PROBLEM_429, 429, {**headers, "x-rate-limit-reset": str(reset)}), reset
    if network == "bluesky":
        headers = {"ratelimit-limit": "3000", "ratelimit-remaining": "0"}
        answer = xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", **headers)
        answer.headers["ratelimit-reset"] = str(reset)
        return answer, reset
    iso = datetime.fromtimestamp(reset, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": iso}
    return json_reply({"error": "Too many requests"}, 429, headers), reset


@dataclass
class ReplyGate:
    """One network's reply endpoint, watched (see the module docstring)."""

    network: str
    #: Hold the answer to this reply POST (1 = the first) once it is published; 0: none.
    hold_at: int = 0
    #: When each reply POST arrived (``time.time()``), the rate-limited one too.
    arrivals: list[float] = field(default_factory=list)
    #: When the rate limit was answered, and the moment before which it asked for nothing.
    limited: tuple[float, float] | None = None
    #: Set when the held answer is being held; the test sets ``release`` to let it go.
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, fake: FakeNetwork) -> None:
        """Put the gate in front of the fake's reply routes."""
        for route in reply_routes(self.network, fake):
            inner = fake.server.routes[route]
            fake.server.routes[route] = self._wrap(inner)

    def after_limit(self) -> list[float]:
        """The arrivals of the POSTs that came after the rate limit was answered."""
        assert self.limited is not None
        return [at for at in self.arrivals if at > self.limited[0]]

    def _wrap(self, inner: Handler) -> Handler:
        def handler(request: Request) -> Reply:
            now = time.time()
            with self._lock:
                self.arrivals.append(now)
                count = len(self.arrivals)
            if count == LIMITED_AT:
                answer, until = rate_limited(self.network, now)
                self.limited = (now, until)
                return answer
            answer = inner(request)
            if count == self.hold_at:
                self.held.set()
                self.release.wait(30)
            return answer

        return handler


def gaps(arrivals: list[float]) -> list[float]:
    """The time between each two POSTs in a row."""
    return [later - earlier for earlier, later in itertools.pairwise(arrivals)]


def lines_of(stream: object, into: list[str]) -> Callable[[], None]:
    """A function that reads ``stream`` line by line into ``into`` (run it in a thread)."""

    def read() -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)

    return read


#: How long apart two POSTs to one account must be, at the e2e test's pace (per minute).
def gap_of(per_minute: float) -> timedelta:
    """The gap a ``per_minute`` pace keeps between two sends to one account."""
    return timedelta(seconds=60 / per_minute)
