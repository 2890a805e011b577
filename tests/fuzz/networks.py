"""Hostile fields sent through the real adapters' parsing, over an in-process HTTP transport.

Each network answers one mention carrying the given fields, in its documented
wire format, serialised as servers do: raw UTF-8, or with non-ASCII escaped,
which is the only way a lone surrogate can travel (``"\\ud83d"``), so the
adapter's own JSON decoding meets it. No sockets: :class:`httpx.MockTransport`
answers.
"""

from __future__ import annotations

import abc
import html
import json

import httpx

from smm_tui.adapters import http
from smm_tui.adapters.base import Adapter
from smm_tui.adapters.bluesky import BlueskyAdapter
from smm_tui.adapters.connection import Connection
from smm_tui.adapters.mastodon import MastodonAdapter
from smm_tui.adapters.telegram import TelegramAdapter
from smm_tui.core.models import Mention
from tests.fuzz.strategies import Fields, as_from_json


def _json(body: object, *, ascii_only: bool = True) -> httpx.Response:
    text = json.dumps(body, ensure_ascii=ascii_only)
    return httpx.Response(
        200, content=text.encode("utf-8"), headers={"content-type": "application/json"}
    )


def _can_be_utf8(*values: str) -> bool:
    try:
        for value in values:
            value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Network(abc.ABC):
    """One network that serves :attr:`fields` as its only mention."""

    name: str

    def __init__(self) -> None:
        self.fields = self.arrives = Fields("", "", "", "")
        #: Escape non-ASCII in JSON (always, when a lone surrogate could not be sent raw).
        self.ascii_only = True
        self.adapter = self.make(http.make_client(transport=httpx.MockTransport(self.answer)))

    def serve(self, fields: Fields, *, ascii_only: bool) -> None:
        """Make ``fields`` the mention the next fetch finds."""
        self.fields = fields
        self.arrives = as_from_json(fields)
        self.ascii_only = ascii_only or not _can_be_utf8(
            fields.text, fields.handle, fields.name, fields.url
        )

    def __repr__(self) -> str:
        return self.name

    def reply(self, body: object) -> httpx.Response:
        return _json(body, ascii_only=self.ascii_only)

    @abc.abstractmethod
    def make(self, client: httpx.AsyncClient) -> Adapter:
        """The network's adapter, on ``client``."""

    @abc.abstractmethod
    def answer(self, request: httpx.Request) -> httpx.Response:
        """The server's answer to one request."""

    def expected_text(self) -> str | None:
        """The text the adapter should read from the wire; None when it is no mention."""
        return self.arrives.text

    async def fetch(self) -> list[Mention]:
        page = await self.adapter.fetch_mentions(None)
        return list(page.mentions)


class Mastodon(Network):
    """Status HTML in ``content``: the text travels HTML-escaped inside a paragraph."""

    name = "mastodon"

    def make(self, client: httpx.AsyncClient) -> Adapter:
        return MastodonAdapter(
            "bank-masto", Connection("t", base_url="https://masto.example", client=client)
        )

    def answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v2/instance":
            return self.reply({"configuration": {"statuses": {"max_characters": 500}}})
        f = self.fields
        account = {
            "id": "110200000000000011",
            "username": f.handle,
            "acct": f.handle,
            "display_name": f.name,
            "followers_count": 120,
        }
        status = {
            "id": "113750000000000101",
            "created_at": "2025-01-01T09:15:02.120Z",
            "in_reply_to_id": None,
            "visibility": "public",
            "language": "ru",
            "uri": f.url,
            "url": f.url,
            "content": f"<p>{html.escape(f.text)}</p>",
            "account": account,
        }
        notification = {
            "id": "34975861",
            "type": "mention",
            "created_at": "2025-01-01T09:15:02.311Z",
            "account": account,
            "status": status,
        }
        return self.reply([notification])

    def expected_text(self) -> str:
        return self.arrives.text.strip()


class Telegram(Network):
    """A supergroup message; the text is raw, and an empty one is no mention."""

    name = "telegram"

    def make(self, client: httpx.AsyncClient) -> Adapter:
        return TelegramAdapter("bank-tg", Connection("123:abc", client=client, long_poll_seconds=0))

    def answer(self, request: httpx.Request) -> httpx.Response:
        offset = json.loads(request.content or b"{}").get("offset")
        update_id = 905120301
        if offset is not None and offset > update_id:
            return self.reply({"ok": True, "result": []})
        f = self.fields
        message = {
            "message_id": 4410,
            "from": {
                "id": 512345678,
                "is_bot": False,
                "first_name": f.name,
                "last_name": f.name[::-1],
                "username": f.handle,
                "language_code": "ru",
            },
            "chat": {
                "id": -1001987654321,
                "title": "ACME",
                "username": "acme_chat",
                "type": "supergroup",
            },
            "date": 1735722902,
            "text": f.text,
        }
        return self.reply({"ok": True, "result": [{"update_id": update_id, "message": message}]})

    def expected_text(self) -> str | None:
        return self.arrives.text or None


class Bluesky(Network):
    """A notification with the post record; the handle also goes into the post's URL."""

    name = "bluesky"

    def make(self, client: httpx.AsyncClient) -> Adapter:
        return BlueskyAdapter(
            "bank-bsky", Connection("app-pass", client=client), handle="acme.bsky.social"
        )

    def answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("createSession"):
            return self.reply(
                {
                    "accessJwt": "a.b.c",
                    "refreshJwt": "d.e.f",
                    "handle": "acme.bsky.social",
                    "did": "did:plc:z72i7hdynmk6r22z27h6tvur",
                }
            )
        f = self.fields
        did = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
        notification = {
            "uri": f"at://{did}/app.bsky.feed.post/3let2ajrh4c2k",
            "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
            "author": {"did": did, "handle": f.handle, "displayName": f.name, "followersCount": 3},
            "reason": "mention",
            "record": {
                "$type": "app.bsky.feed.post",
                "text": f.text,
                "createdAt": "2025-01-01T09:15:02.120Z",
                "langs": ["ru"],
            },
            "isRead": False,
            "indexedAt": "2025-01-01T09:15:02.800Z",
        }
        return self.reply({"cursor": "2025-01-01T08:58:11.000Z", "notifications": [notification]})


NETWORKS: tuple[type[Network], ...] = (Mastodon, Telegram, Bluesky)
