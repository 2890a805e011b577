"""Fixtures for adapter tests: a local HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.adapters.httpserver import TestServer, running_server


@pytest.fixture
def http_server() -> Iterator[TestServer]:
    """A started :class:`TestServer`, stopped (and its stalls released) after the test."""
    yield from running_server()
