"""What the adapter test modules share: a movable clock, limits, and checks made the same way.

The contract suites read what adapters deliver with :func:`texts`,
:func:`caught_up_cursor`, :func:`stored_mentions` and :func:`poll_until_quiet`,
and hold every fault of a fake to :data:`EXPECTED_ERRORS`. Each network's own
tests make the same checks against its own answers: a stalled server must be
given up on within the call's deadline; a server error must come back as a
:class:`TransientError` that was sent and names the account; and no error an
adapter raises, nor its repr, may carry a secret, so the secrets tests gather
every message a list of hostile answers draws out (:func:`fault_messages`,
:func:`refused_messages`) and search them.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import TypeVar

import httpx
import pytest

from smm_tui.adapters.base import Adapter
from smm_tui.core.models import Mention
from smm_tui.core.network import AdapterError, AuthError, NotSent, RateLimited, TransientError
from smm_tui.core.workspace import Workspace, poll_account
from tests.adapters.httpserver import (
    Reply,
    TestServer,
    html_error_page,
    server_error,
    truncated_json,
)
from tests.fakes.base import TEST_DEADLINE, TEST_TIMEOUT, FakeNetwork, Fault

__all__ = [
    "EXPECTED_ERRORS",
    "Limits",
    "MovableClock",
    "assert_bounded_by_deadline",
    "assert_clean",
    "assert_html_page_with_200_is_transient",
    "assert_sent_and_transient",
    "assert_stalled_reply_is_transient",
    "expected_errors",
    "fault_messages",
    "poll_until_quiet",
    "refused_messages",
    "server_faults",
    "stored_mentions",
    "texts",
]

A = TypeVar("A", bound=Adapter)
#: The calls to make on one adapter, each of which must raise an AdapterError.
Calls = Callable[[A], Iterable[Awaitable[object]]]

#: What each fault of a fake must become.
EXPECTED_ERRORS: Mapping[Fault, type[AdapterError]] = MappingProxyType(
    {
        Fault.SERVER_ERROR: TransientError,
        Fault.MALFORMED: TransientError,
        Fault.HTML_ERROR: TransientError,
        Fault.HTML_OK: TransientError,
        Fault.SLOW_BODY: TransientError,
        Fault.STALL: TransientError,
        Fault.RESET: TransientError,
        Fault.RATE_LIMIT: RateLimited,
        Fault.RATE_LIMIT_IN_BODY: RateLimited,
        Fault.RATE_LIMIT_BARE: RateLimited,
        Fault.AUTH: AuthError,
        Fault.FIREWALL_PAGE: TransientError,
        Fault.UNAVAILABLE: RateLimited,
    }
)


def expected_errors(*faults: Fault) -> list[tuple[Fault, type[AdapterError]]]:
    """``(fault, error it must become)`` for each of ``faults``, to parametrise a test with."""
    return [(fault, EXPECTED_ERRORS[fault]) for fault in faults]


async def assert_bounded_by_deadline(adapter: Adapter, match: str = "timed out") -> None:
    """On a stalled server ``fetch_mentions`` gives up as transient within 2 s; then close."""
    started = time.monotonic()
    with pytest.raises(TransientError, match=match):
        await adapter.fetch_mentions(None)
    assert time.monotonic() - started < 2.0
    await adapter.aclose()


async def assert_stalled_reply_is_transient(
    adapter: Adapter, mention: Mention, match: str = "timed out"
) -> None:
    """A reply whose answer stalls past the read timeout fails, within 3 s, as a
    TransientError that is not NotSent: the request may have arrived."""
    started = time.monotonic()
    with pytest.raises(TransientError, match=match) as caught:
        await adapter.post_reply(mention, "hello", "k")
    assert time.monotonic() - started < 3.0
    assert not isinstance(caught.value, NotSent)


async def assert_sent_and_transient(adapter: Adapter, call: Awaitable[object]) -> None:
    """``call`` fails as a TransientError (not NotSent) that starts by naming the account."""
    with pytest.raises(TransientError) as caught:
        await call
    assert not isinstance(caught.value, NotSent)
    assert str(caught.value).startswith(f"{adapter.platform.value} account '{adapter.account}': ")


async def assert_html_page_with_200_is_transient(
    server: TestServer, route: tuple[str, str], adapter: Adapter
) -> None:
    """A proxy's HTML error page sent with status 200 on ``route`` fails ``fetch_mentions``."""
    page = html_error_page(502)
    server.route(*route, Reply(200, page.headers, page.body))
    with pytest.raises(TransientError, match="HTML page"):
        await adapter.fetch_mentions(None)


def server_faults(
    truncated: object,
    statuses: Mapping[str, Reply] | None = None,
    also: Mapping[str, Reply] = MappingProxyType({}),
) -> pytest.MarkDecorator:
    """Parametrise a test's ``reply`` over answers no healthy server sends, each by its id.

    Error statuses (by default a bare 500 and 503), a proxy's HTML error page,
    ``truncated`` cut off mid-JSON, then ``also``.
    """
    faults = dict(statuses or {"500": server_error(500), "503": server_error(503)})
    faults |= {"html-502": html_error_page(502), "truncated": truncated_json(truncated), **also}
    return pytest.mark.parametrize("reply", list(faults.values()), ids=list(faults))


async def fault_messages(
    server: TestServer,
    routes: Iterable[tuple[str, str]],
    faults: Iterable[Reply],
    adapter_of: Callable[[], A],
    calls: Calls[A],
) -> list[str]:
    """Each fault served on every route in turn, to a fresh adapter making ``calls``.

    Every call must raise an :class:`AdapterError`; the result holds its str
    and repr, and after each fault's calls the adapter's repr.
    """
    routes = tuple(routes)
    messages: list[str] = []
    for reply in faults:
        for method, path in routes:
            server.route(method, path, reply)
        adapter = adapter_of()
        for call in calls(adapter):
            with pytest.raises(AdapterError) as caught:
                await call
            messages += [str(caught.value), repr(caught.value)]
        messages.append(repr(adapter))
    return messages


async def refused_messages(adapter: Adapter, cursor: str | None) -> list[str]:
    """``fetch_mentions`` on an adapter whose server refuses to connect: NotSent's str, the repr."""
    with pytest.raises(NotSent) as caught:
        await adapter.fetch_mentions(cursor)
    return [str(caught.value), repr(adapter)]


class MovableClock:
    """The real time, until a test moves it forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)


@dataclass(frozen=True)
class Limits:
    """The client timeouts and the per-call deadline an adapter is built with."""

    timeout: httpx.Timeout = field(default_factory=lambda: TEST_TIMEOUT)
    deadline: float = TEST_DEADLINE


def texts(mentions: tuple[Mention, ...]) -> list[str]:
    """The mention texts with any addressing (``@brand``) the network adds stripped."""
    return [m.text.removeprefix("@brand ").strip() for m in mentions]


async def caught_up_cursor(adapter: Adapter) -> str | None:
    """Poll until nothing new arrives; the cursor to ask from next."""
    page = await adapter.fetch_mentions(None)
    cursor = page.cursor
    for _ in range(5):
        page = await adapter.fetch_mentions(cursor)
        if not page.mentions:
            return page.cursor or cursor
        cursor = page.cursor or cursor
    raise AssertionError("the adapter never caught up")


def stored_mentions(workspace: Workspace) -> tuple[Mention, ...]:
    """Every mention in the workspace's store."""
    feed = workspace.feed_model()
    return tuple(feed.mentions(feed.ids))


async def poll_until_quiet(workspace: Workspace, adapter: Adapter) -> int:
    """Poll until a poll stores nothing; how many mentions were stored in all."""
    total = 0
    for _ in range(6):
        outcome = await poll_account(workspace, adapter)
        if outcome.stored == 0:
            return total
        total += outcome.stored
    raise AssertionError("polling never settled")


def assert_clean(message: str, fake: FakeNetwork) -> None:
    """One line, no token, and it starts by naming the network and the account."""
    assert fake.token not in message
    assert "\n" not in message
    assert message.startswith(f"{fake.platform.value} account 'brand'"), message
