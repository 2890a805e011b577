"""DrandRelays against real HTTP servers on 127.0.0.1: a round, a round not out yet, failures.

No BLS verification here (it costs ~0.5 s a call): these tests are about the relays.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from smm_tui.adapters.drand import BeaconNotYet, DrandRelays
from smm_tui.core.beacon import CHAIN_HASH, time_of
from smm_tui.core.network import PermanentError, TransientError
from tests.adapters.httpserver import (
    Reply,
    TestServer,
    json_reply,
    running_server,
    server_error,
    unused_port,
)

FIXTURE = json.loads(
    (Path(__file__).parent.parent / "fixtures/drand/quicknet-657413.json").read_text()
)
ROUND = 657413
PATH = f"/{CHAIN_HASH}/public/{ROUND}"
NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
def second_server() -> Iterator[TestServer]:
    yield from running_server()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0)) as made:
        yield made


def relays(client: httpx.AsyncClient, *urls: str) -> DrandRelays:
    return DrandRelays(client, urls, deadline=2.0, clock=lambda: NOW)


def published(**changes: Any) -> Reply:
    return json_reply({**FIXTURE, **changes})


async def test_a_published_round_is_returned_as_bytes(
    http_server: TestServer, client: httpx.AsyncClient
) -> None:
    http_server.route("GET", PATH, published())

    beacon = await relays(client, http_server.url).fetch(ROUND)

    assert beacon.round == ROUND
    assert beacon.randomness.hex() == FIXTURE["randomness"]
    assert beacon.signature.hex() == FIXTURE["signature"]
    assert [r.path for r in http_server.requests] == [PATH]


async def test_a_round_not_out_yet_is_due_at_its_time(
    http_server: TestServer, client: httpx.AsyncClient
) -> None:
    http_server.route("GET", PATH, json_reply({"error": "not found"}, status=404))

    with pytest.raises(BeaconNotYet) as caught:
        await relays(client, http_server.url).fetch(ROUND)

    assert caught.value.round == ROUND
    assert caught.value.retry_at == time_of(ROUND)


async def test_a_round_not_out_yet_honours_max_age(
    http_server: TestServer, client: httpx.AsyncClient
) -> None:
    headers = {"Cache-Control": "public, max-age=2"}
    http_server.route("GET", PATH, json_reply({"error": "not found"}, 404, headers))

    with pytest.raises(BeaconNotYet) as caught:
        await relays(client, http_server.url).fetch(ROUND)

    assert caught.value.retry_at == NOW + timedelta(seconds=2)


async def test_a_failing_relay_gives_way_to_the_next(
    http_server: TestServer, second_server: TestServer, client: httpx.AsyncClient
) -> None:
    http_server.route("GET", PATH, server_error(500))
    second_server.route("GET", PATH, published())

    beacon = await relays(client, http_server.url, second_server.url).fetch(ROUND)

    assert beacon.round == ROUND
    assert len(http_server.requests) == 1
    assert len(second_server.requests) == 1


async def test_all_relays_down_is_transient_and_names_hosts_only(
    http_server: TestServer, client: httpx.AsyncClient
) -> None:
    http_server.route("GET", PATH, server_error(503))
    refused = f"http://127.0.0.1:{unused_port()}/some/path"

    with pytest.raises(TransientError) as caught:
        await relays(client, http_server.url, refused).fetch(ROUND)

    message = str(caught.value)
    assert http_server.url.removeprefix("http://") in message
    assert "/some/path" not in message and CHAIN_HASH not in message
    assert "http://" not in message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FIXTURE, "signature": FIXTURE["signature"][:-2]}, "signature"),
        ({**FIXTURE, "randomness": "zz" * 32}, "randomness"),
        ({**FIXTURE, "randomness": " " + FIXTURE["randomness"][1:]}, "randomness"),
        ({k: v for k, v in FIXTURE.items() if k != "round"}, "round"),
    ],
)
async def test_a_malformed_body_is_permanent_and_names_the_field(
    http_server: TestServer, client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    http_server.route("GET", PATH, json_reply(body))

    with pytest.raises(PermanentError, match=f"field '{field}'") as caught:
        await relays(client, http_server.url).fetch(ROUND)

    assert "\n" not in str(caught.value)
    assert http_server.url.removeprefix("http://") in str(caught.value)


async def test_a_body_that_is_not_json_is_permanent(
    http_server: TestServer, client: httpx.AsyncClient
) -> None:
    http_server.route("GET", PATH, Reply(200, {"Content-Type": "text/plain"}, b"hello"))

    with pytest.raises(PermanentError, match="not JSON"):
        await relays(client, http_server.url).fetch(ROUND)


async def test_a_body_for_another_round_is_permanent(
    http_server: TestServer, client: httpx.AsyncClient
) -> None:
    http_server.route("GET", PATH, published(round=ROUND + 1))

    with pytest.raises(PermanentError, match=f"'round' is {ROUND + 1}"):
        await relays(client, http_server.url).fetch(ROUND)
