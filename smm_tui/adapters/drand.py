"""Fetching quicknet rounds from drand's public HTTP relays.

The chain is pinned in :mod:`smm_tui.core.beacon`, so a relay's ``/info`` is
never asked: a relay only carries rounds, and whatever it hands over is checked
by the caller with :func:`smm_tui.core.beacon.verify`. Relays are tried in
order; one that is down, slow or answering 5xx gives way to the next.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx

from smm_tui.adapters.http import MAX_WAIT_SECONDS
from smm_tui.core.beacon import (
    CHAIN_HASH,
    RANDOMNESS_BYTES,
    SIGNATURE_BYTES,
    Beacon,
    BeaconNotYet,
    time_of,
)
from smm_tui.core.models import utcnow
from smm_tui.core.network import PermanentError, TransientError

__all__ = ["DEFAULT_RELAYS", "RELAY_DEADLINE", "BeaconNotYet", "DrandRelays"]

DEFAULT_RELAYS = ("https://api.drand.sh", "https://api2.drand.sh", "https://drand.cloudflare.com")
"""The League of Entropy's public HTTP relays, tried in this order."""

RELAY_DEADLINE = 10.0
"""The longest one relay may take to answer in total (seconds) before the next is tried."""

_HEX = re.compile(r"[0-9a-fA-F]+")
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*(\d+)", re.IGNORECASE)


class _RelayDown(Exception):
    """One relay failed in a way the next relay may not share."""


class DrandRelays:
    """The drand relays, for fetching one quicknet round at a time.

    ``client`` is the caller's (built with :func:`smm_tui.adapters.http.make_client`)
    and stays the caller's to close. ``clock`` gives "now" for a 404's
    ``Cache-Control: max-age``.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_urls: Sequence[str] = DEFAULT_RELAYS,
        *,
        deadline: float = RELAY_DEADLINE,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        if not base_urls:
            raise ValueError("at least one drand relay is needed")
        self._client = client
        self._bases = tuple(url.rstrip("/") for url in base_urls)
        self._deadline = deadline
        self._clock = clock

    async def fetch(self, round_number: int) -> Beacon:
        """Round ``round_number`` as a relay publishes it, **unverified**.

        The caller must check it with :func:`smm_tui.core.beacon.verify` before
        trusting it: a relay may lie. Raises :class:`BeaconNotYet` when a relay
        says the round is not out (HTTP 404), :class:`PermanentError` when a
        relay's answer is not a well-formed beacon for that round, and
        :class:`TransientError` (naming the hosts only) when every relay failed.
        """
        failed: list[str] = []
        for base in self._bases:
            try:
                return await self._fetch_from(base, round_number)
            except _RelayDown:
                failed.append(_host(base))
        raise TransientError(f"drand round {round_number}: no relay answered ({', '.join(failed)})")

    async def _fetch_from(self, base: str, round_number: int) -> Beacon:
        url = f"{base}/{CHAIN_HASH}/public/{round_number}"
        try:
            async with asyncio.timeout(self._deadline):
                response = await self._client.get(url)
        except (TimeoutError, httpx.HTTPError) as exc:
            raise _RelayDown from exc
        if response.status_code == 404:
            raise BeaconNotYet(round_number, self._retry_at(response, round_number))
        if response.status_code != 200:
            raise _RelayDown
        return _parse(response.content, round_number, _host(base))

    def _retry_at(self, response: httpx.Response, round_number: int) -> datetime:
        match = _MAX_AGE.search(response.headers.get("Cache-Control", ""))
        if match:
            seconds = min(int(match.group(1)), MAX_WAIT_SECONDS)
            return self._clock() + timedelta(seconds=seconds)
        return time_of(round_number)


def _parse(content: bytes, round_number: int, host: str) -> Beacon:
    """The beacon in a relay's body, or a one-line PermanentError naming the bad field."""
    try:
        body: Any = json.loads(content)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise PermanentError(f"drand relay {host}: the answer is not JSON") from None
    if not isinstance(body, dict):
        raise PermanentError(f"drand relay {host}: the answer is not a JSON object")
    published = body.get("round")
    if not isinstance(published, int) or isinstance(published, bool):
        raise PermanentError(f"drand relay {host}: field 'round' is missing or not a number")
    if published != round_number:
        raise PermanentError(
            f"drand relay {host}: field 'round' is {published}, not the {round_number} asked for"
        )
    return Beacon(
        round=published,
        randomness=_hex_field(body, "randomness", RANDOMNESS_BYTES, host),
        signature=_hex_field(body, "signature", SIGNATURE_BYTES, host),
    )


def _hex_field(body: dict[str, Any], name: str, size: int, host: str) -> bytes:
    value = body.get(name)
    problem = f"drand relay {host}: field '{name}' is not {size} bytes of hex"
    # fromhex alone would skip spaces and give a shorter value.
    if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) != 2 * size:
        raise PermanentError(problem)
    return bytes.fromhex(value)


def _host(base: str) -> str:
    """A relay's host (and port), without scheme, credentials or path, for messages."""
    url = httpx.URL(base)
    return f"{url.host}:{url.port}" if url.port else url.host
