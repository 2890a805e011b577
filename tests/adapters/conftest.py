"""Fixtures for adapter tests: a local HTTP server on 127.0.0.1, and the five fakes.

The contract suites (``test_contract.py``, ``test_faults.py``) run every test
against each network's stateful fake (``fake``), through a real adapter with
short timeouts (``adapter``) on a clock a test may move forward (``real_clock``);
the helpers that read what the adapters deliver are in ``checks.py``.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Iterator

import pytest

from smm_tui.adapters.base import Adapter
from smm_tui.core.platforms import networks
from tests.adapters.checks import Limits, MovableClock
from tests.adapters.httpserver import TestServer, running_server
from tests.fakes.base import FakeNetwork
from tests.fakes.harness import close_adapters

#: Every real network in the registry: a network added there is held to the contract at once.
NETWORKS = tuple(entry.platform.value for entry in networks())


def running_fake(network: str) -> Iterator[FakeNetwork]:
    """Generator for a fixture: ``network``'s fake on a started server, stopped afterwards."""
    module = importlib.import_module(f"tests.fakes.{network}")
    for server in running_server():
        yield module.FAKE(server)


@pytest.fixture(autouse=True)
async def adapters_closed() -> AsyncIterator[None]:
    """After each test, the adapters it built through a network's kit are closed.

    Left to the garbage collector, their sockets would be reported unclosed in
    whichever later test happens to collect them.
    """
    yield
    await close_adapters()


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
