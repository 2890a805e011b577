"""Fixtures for adapter tests: a local HTTP server on 127.0.0.1, and the five fakes.

The contract suites (``test_contract.py``, ``test_faults.py``) run every test
against each network's stateful fake (``fake``), through a real adapter with
short timeouts (``adapter``) on a clock a test may move forward (``real_clock``);
the helpers below read what the adapters deliver.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from smm_tui.adapters.base import Adapter
from smm_tui.core.models import Mention
from smm_tui.core.workspace import Workspace, poll_account
from tests.adapters.httpserver import TestServer, running_server
from tests.fakes.base import TEST_DEADLINE, TEST_TIMEOUT, FakeNetwork

NETWORKS = ("mastodon", "vk", "telegram", "bluesky", "x")


class MovableClock:
    """The real time, until a test moves it forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def move_to(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)


def running_fake(network: str) -> Iterator[FakeNetwork]:
    """Generator for a fixture: ``network``'s fake on a started server, stopped afterwards."""
    module = importlib.import_module(f"tests.fakes.{network}")
    for server in running_server():
        yield module.FAKE(server)


@pytest.fixture
def http_server() -> Iterator[TestServer]:
    """A started :class:`TestServer`, stopped (and its stalls released) after the test."""
    yield from running_server()


@pytest.fixture(params=NETWORKS)
def fake(request: pytest.FixtureRequest) -> Iterator[FakeNetwork]:
    """Each network's fake in turn (test modules with a fake of their own override this)."""
    yield from running_fake(request.param)


@pytest.fixture
def real_clock() -> MovableClock:
    return MovableClock()


@dataclass(frozen=True)
class Limits:
    """The client timeouts and the per-call deadline an adapter is built with."""

    timeout: httpx.Timeout = field(default_factory=lambda: TEST_TIMEOUT)
    deadline: float = TEST_DEADLINE


@pytest.fixture
def limits() -> Limits:
    """The fakes' short limits; a test module may override this fixture with shorter ones."""
    return Limits()


@pytest.fixture
async def adapter(
    fake: FakeNetwork, real_clock: MovableClock, limits: Limits
) -> AsyncIterator[Adapter]:
    """A real adapter on ``fake`` with ``limits``."""
    made = fake.adapter(clock=real_clock, timeout=limits.timeout, deadline=limits.deadline)
    yield made
    await made.aclose()
    await fake.aclose()


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
