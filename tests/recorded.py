"""Real server exchanges recorded by client libraries' test suites (VCR cassettes).

``tests/fixtures/recorded/<network>/*.yaml`` hold ``interactions`` with the
request (method, uri, body) and the response (status, headers, body). X bodies
are gzip-compressed ``!!binary``; this module hands back plain text.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

#: The fixtures live in the repository (``tests/fixtures/README.md`` says where each came from).
FIXTURES = Path(__file__).resolve().parent / "fixtures"
RECORDED = FIXTURES / "recorded"


@dataclass(frozen=True)
class Exchange:
    """One recorded request and the server's answer."""

    method: str
    uri: str
    status: int
    headers: dict[str, str]
    body: str

    @property
    def path(self) -> str:
        """The request's path, without host or query."""
        return urlsplit(self.uri).path

    @property
    def query(self) -> dict[str, list[str]]:
        """The request's query parameters."""
        return parse_qs(urlsplit(self.uri).query, keep_blank_values=True)


def cassette(network: str, name: str) -> list[Exchange]:
    """Every exchange of one cassette, in recorded order."""
    data = yaml.safe_load((RECORDED / network / name).read_text(encoding="utf-8"))
    return [_exchange(item) for item in data["interactions"]]


def _exchange(item: dict[str, object]) -> Exchange:
    request = item["request"]
    response = item["response"]
    assert isinstance(request, dict) and isinstance(response, dict)
    headers = {
        str(name): str(values[0] if isinstance(values, list) else values)
        for name, values in (response.get("headers") or {}).items()
    }
    raw = (response.get("body") or {}).get("string", "")
    if isinstance(raw, bytes):
        raw = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        raw = raw.decode("utf-8")
        headers = {k: v for k, v in headers.items() if k.lower() != "content-encoding"}
    return Exchange(
        method=str(request["method"]),
        uri=str(request["uri"]),
        status=int(response["status"]["code"]),
        headers=headers,
        body=str(raw),
    )
