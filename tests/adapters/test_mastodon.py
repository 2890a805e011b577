"""MastodonAdapter against a real local HTTP server serving documented and recorded shapes."""

from __future__ import annotations

import copy
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from smm_tui.adapters import http
from smm_tui.adapters.base import (
    AuthError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_tui.adapters.mastodon import MastodonAdapter, html_to_text, parse_link_header
from smm_tui.core.models import Author
from smm_tui.core.network import AdapterError, NotSent
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    html_error_page,
    json_reply,
    raw_json_reply,
    server_error,
    too_many_requests,
    truncated_json,
    unused_port,
)
from tests.conftest import FakeClock
from tests.fakes.harness import Network
from tests.recorded import FIXTURES, cassette

API = FIXTURES / "api" / "mastodon"
CANARY = "CANARY-tok/7f3a+x=="
ACCOUNT = "bank-mastodon"
NOW = datetime(2025, 1, 1, 9, 16, tzinfo=UTC)
NOTIFICATIONS = "/api/v1/notifications"
STATUSES = "/api/v1/statuses"


MASTODON = Network(
    MastodonAdapter,
    account=ACCOUNT,
    token=CANARY,
    now=NOW,
    author=Author("110200000000000011", "@anna@fediverse.example.ru", "Анна"),
    language="ru",
)
adapter_for = MASTODON.adapter
mention_of = MASTODON.mention


def mentions_fixture() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((API / "list-mentions.json").read_text())
    return data


def recorded_bodies(name: str) -> list[tuple[str, str]]:
    """(request uri, response body) pairs of a Mastodon.py VCR cassette."""
    return [(exchange.uri, exchange.body) for exchange in cassette("mastodon", name)]


def notification(k: int, template: dict[str, Any]) -> dict[str, Any]:
    """Notification number ``k`` with opaque ids that do not sort like the API orders them."""
    item = copy.deepcopy(template)
    item["id"] = f"n{(k * 7919) % 1000:03d}-{k}"
    item["status"]["id"] = f"s{(k * 104729) % 997}-{k}"
    item["status"]["content"] = f"<p>mention {k}</p>"
    return item


def link_prev(server: TestServer, min_id: str) -> dict[str, str]:
    return {
        "Link": f'<{server.url}{NOTIFICATIONS}?max_id=1&types%5B%5D=mention>; rel="next", '
        f'<{server.url}{NOTIFICATIONS}?min_id={min_id}&types%5B%5D=mention>; rel="prev"'
    }


# -- HTML → text -------------------------------------------------------------


def test_html_to_text_keeps_paragraphs_breaks_and_link_text() -> None:
    html = (
        '<p>Hello <a href="https://x.example/@a" class="u-url mention">@<span>a</span></a>'
        " &quot;quoted&quot; &amp; more</p><p>line one<br>line two<br/>three</p>"
        '<p><a href="https://example.com/very/long/path"><span class="invisible">https://'
        '</span><span class="ellipsis">example.com/very/lo</span><span class="invisible">'
        "ng/path</span></a></p>"
    )
    assert html_to_text(html) == (
        'Hello @a "quoted" & more\n\nline one\nline two\nthree\n\nexample.com/very/lo…'
    )


def test_fixture_statuses_become_plain_text() -> None:
    texts = [html_to_text(item["status"]["content"]) for item in mentions_fixture()]
    assert texts[0] == "@acme Привет! Заказ №4821 так и не пришёл 😕 Трек: track.example.ru/4821"
    assert texts[1] == "@acme شكراً على الرد السريع! 🌟\n\nسؤال آخر: هل التوصيل مجاني؟"
    # Hostile strings arrive as plain text: entities unescaped once, markup left for the UI.
    assert texts[2] == (
        "@acme [bold red]x[/] \x1b[31mALERT\x1b[0m <script>alert(1)</script> &amp; "
        "[link=https://evil.example]click[/link]"
    )


def test_parse_link_header() -> None:
    links = parse_link_header(MASTODON.answer("list-mentions-headers.http").headers["Link"])
    assert links["prev"].endswith("min_id=34975861&types%5B%5D=mention")
    assert "max_id=34975811" in links["next"]


# -- mentions ----------------------------------------------------------------


async def test_first_poll_returns_recent_page_oldest_first(http_server: TestServer) -> None:
    headers = MASTODON.answer("list-mentions-headers.http").headers

    def handler(request: Request) -> Reply:
        older = "max_id" in request.query  # the backfill asks for older pages: there are none
        return json_reply([] if older else mentions_fixture(), headers=headers)

    http_server.route("GET", NOTIFICATIONS, handler)
    adapter = adapter_for(http_server)

    page = await adapter.fetch_mentions(None)

    assert [m.external_id for m in page.mentions] == [
        "113750000000000042",
        "113750000000000077",
        "113750000000000101",
    ]
    assert page.cursor == "34975861"
    anna = page.mentions[-1]
    assert anna.author == Author("110200000000000011", "@anna@fediverse.example.ru", "Анна 🌿", 120)
    assert anna.url == "https://fediverse.example.ru/@anna/113750000000000101"
    assert anna.created_at == datetime(2025, 1, 1, 9, 15, 2, 120000, tzinfo=UTC)
    assert (anna.parent_external_id, anna.root_external_id) == (None, "113750000000000101")
    laila = page.mentions[1]
    assert laila.author.handle == "@laila"
    assert (laila.parent_external_id, laila.root_external_id) == (
        "113749000000000500",
        "113749000000000500",
    )
    assert [m.language for m in page.mentions] == ["en", "ar", "ru"]
    budget = adapter.rate_budget()
    assert budget is not None
    assert budget.remaining == 287
    assert budget.reset_at == datetime(2025, 1, 1, 9, 20, tzinfo=UTC)
    request, older = http_server.requests_to("GET", NOTIFICATIONS)
    assert request.query == {"types[]": ["mention"], "limit": ["40"]}
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    assert older.query == {"types[]": ["mention"], "limit": ["40"], "max_id": ["34975811"]}


async def test_pages_newer_via_link_until_caught_up(http_server: TestServer) -> None:
    template = mentions_fixture()[0]
    items = [notification(k, template) for k in range(1, 46)]
    pages = {"old-cursor": items[:40], items[39]["id"]: items[40:]}

    def handler(request: Request) -> Reply:
        page = pages.get(request.query["min_id"][0], [])
        prev = link_prev(http_server, page[-1]["id"]) if page else {}
        return json_reply(list(reversed(page)), headers=prev)  # newest first, as Mastodon

    http_server.route("GET", NOTIFICATIONS, handler)

    page = await adapter_for(http_server).fetch_mentions("old-cursor")

    assert [m.text for m in page.mentions] == [f"mention {k}" for k in range(1, 46)]
    assert page.cursor == items[-1]["id"]
    # A short page is not proof of the end (servers cap limits): one empty page is.
    assert [r.query["min_id"] for r in http_server.requests_to("GET", NOTIFICATIONS)] == [
        ["old-cursor"],
        [items[39]["id"]],
        [items[44]["id"]],
    ]


async def test_full_last_page_is_followed_by_one_empty_page(http_server: TestServer) -> None:
    template = mentions_fixture()[0]
    items = [notification(k, template) for k in range(1, 41)]

    def handler(request: Request) -> Reply:
        if request.query["min_id"] == ["c0"]:
            return json_reply(
                list(reversed(items)), headers=link_prev(http_server, items[-1]["id"])
            )
        return json_reply([])

    http_server.route("GET", NOTIFICATIONS, handler)
    page = await adapter_for(http_server).fetch_mentions("c0")
    assert len(page.mentions) == 40
    assert page.cursor == items[-1]["id"]
    assert len(http_server.requests_to("GET", NOTIFICATIONS)) == 2


async def test_nothing_new_keeps_the_cursor(http_server: TestServer) -> None:
    http_server.route("GET", NOTIFICATIONS, json_reply([]))
    page = await adapter_for(http_server).fetch_mentions("34975861")
    assert page.mentions == ()
    assert page.cursor == "34975861"


async def test_refetch_gives_the_same_mention_ids(http_server: TestServer) -> None:
    http_server.route("GET", NOTIFICATIONS, json_reply(mentions_fixture()))
    adapter = adapter_for(http_server)
    first = await adapter.fetch_mentions(None)
    second = await adapter.fetch_mentions(None)
    assert [m.id for m in first.mentions] == [m.id for m in second.mentions]
    assert len({m.id for m in first.mentions}) == 3


async def test_recorded_mentions_only_response(http_server: TestServer) -> None:
    pairs = recorded_bodies("test_notifications_mentions_only.yaml")
    uri, body = next(p for p in pairs if p[0].endswith("notifications?types%5B%5D=mention"))
    assert uri.startswith("http://localhost:3000/")
    headers = {
        "Link": "<http://localhost:3000/api/v1/notifications?max_id=21&types%5B%5D=mention>; "
        'rel="next", <http://localhost:3000/api/v1/notifications?min_id=21&types%5B%5D=mention>;'
        ' rel="prev"',
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "299",
        "X-RateLimit-Reset": "2026-08-01T13:55:00.940463Z",
    }
    http_server.route("GET", NOTIFICATIONS, raw_json_reply(body, headers=headers))
    adapter = adapter_for(http_server)

    page = await adapter.fetch_mentions(None)

    (mention,) = page.mentions
    assert page.cursor == "21"
    assert mention.text == "@mastodonpy_test hello!"
    assert mention.author.handle == "@admin"
    assert mention.url.startswith("http://localhost:3000/@admin/")
    budget = adapter.rate_budget()
    assert budget is not None
    assert budget.reset_at == datetime(2026, 8, 1, 13, 55, 0, 940463, tzinfo=UTC)
    assert budget.remaining == 299


# -- threads -----------------------------------------------------------------


async def test_thread_is_ancestors_then_descendants(http_server: TestServer) -> None:
    statuses = [item["status"] for item in mentions_fixture()]
    context = {"ancestors": [statuses[2], statuses[1]], "descendants": [statuses[0]]}
    http_server.route("GET", f"{STATUSES}/113750000000000500/context", json_reply(context))
    adapter = adapter_for(http_server)

    thread = await adapter.fetch_thread(mention_of("113750000000000500"))
    comments = await adapter.fetch_post_comments("113750000000000500")

    assert [m.external_id for m in thread] == [
        "113750000000000042",
        "113750000000000077",
        "113750000000000101",
    ]
    assert [m.external_id for m in comments] == ["113750000000000101"]


async def test_recorded_empty_context(http_server: TestServer) -> None:
    uri, body = next(
        p for p in recorded_bodies("test_status_context.yaml") if p[0].endswith("/context")
    )
    status_path = uri.removeprefix("http://localhost:3000")
    http_server.route("GET", status_path, raw_json_reply(body))
    status_id = status_path.split("/")[-2]
    assert await adapter_for(http_server).fetch_thread(mention_of(status_id)) == ()


# -- replies -----------------------------------------------------------------


async def test_post_reply_sends_key_parent_and_addresses_author(http_server: TestServer) -> None:
    http_server.route("GET", NOTIFICATIONS, json_reply(mentions_fixture()))
    http_server.route("POST", STATUSES, raw_json_reply((API / "reply-success.json").read_text()))
    adapter = adapter_for(http_server)
    anna = (await adapter.fetch_mentions(None)).mentions[-1]

    published = await adapter.post_reply(anna, "Анна, извините!", "key-5f0c")

    assert published.external_id == "113750000000000200"
    assert published.url == "https://mastodon.example/@acme/113750000000000200"
    (request,) = http_server.requests_to("POST", STATUSES)
    assert request.headers["idempotency-key"] == "key-5f0c"
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    form = request.form()
    assert form["status"] == ["@anna@fediverse.example.ru Анна, извините!"]
    assert form["in_reply_to_id"] == ["113750000000000101"]
    assert form["visibility"] == ["public"]
    assert form["language"] == ["ru"]


async def test_reply_mirrors_direct_visibility_and_keeps_existing_mention(
    http_server: TestServer,
) -> None:
    http_server.route("GET", NOTIFICATIONS, json_reply(mentions_fixture()))
    http_server.route("POST", STATUSES, raw_json_reply((API / "reply-success.json").read_text()))
    adapter = adapter_for(http_server)
    mallory = (await adapter.fetch_mentions(None)).mentions[0]

    await adapter.post_reply(mallory, "@Mallory@evil.example we saw it", "k1")

    form = http_server.requests_to("POST", STATUSES)[0].form()
    assert form["visibility"] == ["direct"]
    assert form["status"] == ["@Mallory@evil.example we saw it"]


async def test_reply_to_unseen_status_looks_up_its_visibility(http_server: TestServer) -> None:
    private = dict(mentions_fixture()[0]["status"], visibility="private")
    http_server.route("GET", f"{STATUSES}/113750000000000101", json_reply(private))
    http_server.route("POST", STATUSES, raw_json_reply((API / "reply-success.json").read_text()))

    await adapter_for(http_server).post_reply(mention_of("113750000000000101"), "ok", "k2")

    assert http_server.requests_to("POST", STATUSES)[0].form()["visibility"] == ["private"]


async def test_verify_reads_credentials(http_server: TestServer) -> None:
    me = mentions_fixture()[0]["status"]["account"]
    http_server.route("GET", "/api/v1/accounts/verify_credentials", json_reply(me))
    identity = await adapter_for(http_server).verify()
    assert (identity.user_id, identity.handle) == (
        "110200000000000011",
        "@anna@fediverse.example.ru",
    )


# -- errors ------------------------------------------------------------------


async def test_401_is_an_auth_error_naming_the_account(http_server: TestServer) -> None:
    http_server.route(
        "GET", NOTIFICATIONS, json_reply({"error": "The access token is invalid"}, 401)
    )
    with pytest.raises(AuthError) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert str(caught.value) == (
        "mastodon account 'bank-mastodon': token refused or expired (HTTP 401): "
        "check the account's token_env"
    )


async def test_429_with_iso_reset_is_rate_limited(http_server: TestServer) -> None:
    headers = MASTODON.answer("error-rate-limit.http").headers
    http_server.route(
        "GET", NOTIFICATIONS, json_reply({"error": "Too many requests"}, 429, headers)
    )
    adapter = adapter_for(http_server)
    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions(None)
    assert caught.value.retry_at == datetime(2025, 1, 1, 9, 20, tzinfo=UTC)
    budget = adapter.rate_budget()
    assert budget is not None and budget.remaining == 0


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        ("7", NOW + timedelta(seconds=7)),
        ("Wed, 01 Jan 2025 09:30:00 GMT", NOW + timedelta(minutes=14)),
    ],
)
async def test_429_retry_after_wins(
    http_server: TestServer, retry_after: str, expected: datetime
) -> None:
    http_server.route("GET", NOTIFICATIONS, too_many_requests(retry_after))
    with pytest.raises(RateLimited) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert caught.value.retry_at == expected


async def test_spent_budget_sends_nothing_until_reset(http_server: TestServer) -> None:
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2025-01-01T09:20:00.000000Z"}
    http_server.route("GET", NOTIFICATIONS, json_reply([], headers=headers))
    clock = FakeClock(NOW)
    adapter = adapter_for(http_server, clock=clock)
    await adapter.fetch_mentions("c")

    with pytest.raises(RateLimited) as caught:
        await adapter.post_reply(mention_of("x"), "hello", "k")
    assert caught.value.retry_at == datetime(2025, 1, 1, 9, 20, tzinfo=UTC)
    assert len(http_server.requests_to("GET", NOTIFICATIONS)) == 1

    clock.now = datetime(2025, 1, 1, 9, 20, 1, tzinfo=UTC)
    await adapter.fetch_mentions("c")
    assert len(http_server.requests_to("GET", NOTIFICATIONS)) == 2


@pytest.mark.parametrize(
    "reply",
    [server_error(500), server_error(503), html_error_page(502), truncated_json([{"id": "1"}])],
    ids=["500", "503", "html-502", "truncated"],
)
async def test_server_faults_are_transient(http_server: TestServer, reply: Reply) -> None:
    http_server.route("GET", NOTIFICATIONS, reply)
    with pytest.raises(TransientError) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert not isinstance(caught.value, NotSent)
    assert "bank-mastodon" in str(caught.value)


async def test_html_page_with_200_is_transient(http_server: TestServer) -> None:
    page = html_error_page(502)
    http_server.route("GET", NOTIFICATIONS, Reply(200, page.headers, page.body))
    with pytest.raises(TransientError, match="HTML page"):
        await adapter_for(http_server).fetch_mentions(None)


async def test_unexpected_shape_is_transient(http_server: TestServer) -> None:
    http_server.route("GET", NOTIFICATIONS, json_reply({"not": "a list"}))
    with pytest.raises(TransientError, match="unexpected"):
        await adapter_for(http_server).fetch_mentions(None)


async def test_422_is_permanent_with_the_server_reason(http_server: TestServer) -> None:
    body = {"error": "Validation failed: Text character limit of 500 exceeded"}
    http_server.route("POST", STATUSES, json_reply(body, 422))
    http_server.route("GET", f"{STATUSES}/1", json_reply(mentions_fixture()[0]["status"]))
    with pytest.raises(PermanentError, match="character limit of 500"):
        await adapter_for(http_server).post_reply(mention_of("1"), "x" * 600, "k")


async def test_stall_past_read_timeout_is_transient_and_bounded(http_server: TestServer) -> None:
    http_server.route("POST", STATUSES, http_server.stall())
    http_server.route("GET", f"{STATUSES}/1", json_reply(mentions_fixture()[0]["status"]))
    timeout = httpx.Timeout(connect=1.0, read=0.3, write=1.0, pool=1.0)
    async with http.make_client(timeout=timeout) as client:
        adapter = adapter_for(http_server, client=client)
        started = time.monotonic()
        with pytest.raises(TransientError) as caught:
            await adapter.post_reply(mention_of("1"), "hello", "k")
    assert time.monotonic() - started < 3.0
    assert not isinstance(caught.value, NotSent)  # the POST may have arrived


async def test_overall_deadline_bounds_a_call(http_server: TestServer) -> None:
    http_server.route("GET", NOTIFICATIONS, http_server.stall())
    adapter = adapter_for(http_server, deadline=0.4)  # default read timeout is far longer
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        await adapter.fetch_mentions(None)
    assert time.monotonic() - started < 2.0
    await adapter.aclose()


async def test_connect_refused_is_not_sent() -> None:
    adapter = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(NotSent):
        await adapter.verify()
    ctx = http.CallContext("mastodon", ACCOUNT, (CANARY,))
    async with http.make_client() as client:
        with pytest.raises(NotSent, match="not sent"):
            await http.send(client, ctx, "POST", f"http://127.0.0.1:{unused_port()}/x")
    await adapter.aclose()


# -- secrets -----------------------------------------------------------------


def test_redact_removes_raw_and_url_encoded_tokens() -> None:
    text = f"https://h/x?access_token={CANARY}&q=1 and /bot{CANARY}/send and "
    text += httpx.QueryParams({"t": CANARY}).__str__()
    cleaned = http.redact(text, [CANARY, ""])
    assert "CANARY" not in cleaned
    assert cleaned.count("***") == 3


async def test_token_never_in_errors_or_logs(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = json_reply({"error": f"Bad token {CANARY} in request"}, 422)
    faults: list[Reply] = [
        json_reply({"error": CANARY}, 401),
        too_many_requests("not-a-number"),
        server_error(500),
        html_error_page(502),
        truncated_json({"token": CANARY}),
        echo,
    ]
    messages: list[str] = []
    for reply in faults:
        http_server.route("GET", NOTIFICATIONS, reply)
        http_server.route("GET", f"{STATUSES}/9", reply)
        adapter = adapter_for(http_server)
        for call in (
            adapter.fetch_mentions("c"),
            adapter.post_reply(mention_of("9"), "x", "k"),
        ):
            with pytest.raises(AdapterError) as caught:
                await call
            messages += [str(caught.value), repr(caught.value)]
    refused = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(NotSent) as caught_refused:
        await refused.fetch_mentions("c")
    messages += [str(caught_refused.value), repr(adapter), repr(refused)]

    assert len(messages) == 2 * 2 * len(faults) + 3
    assert not [m for m in messages if "CANARY" in m]
    assert "CANARY" not in caplog.text
    assert any("HTTP 500" in r.getMessage() for r in caplog.records)


async def test_the_reply_limit_is_the_instances_own(http_server: TestServer) -> None:
    http_server.route("GET", NOTIFICATIONS, json_reply([]))
    http_server.route(
        "GET",
        "/api/v2/instance",
        json_reply({"configuration": {"statuses": {"max_characters": 5000}}}),
    )
    adapter = adapter_for(http_server)
    assert adapter.reply_limit == 500
    await adapter.fetch_mentions(None)
    await adapter.fetch_mentions(None)
    assert adapter.reply_limit == 5000
    assert len(http_server.requests_to("GET", "/api/v2/instance")) == 1


async def test_an_instance_without_v2_keeps_the_default_limit(http_server: TestServer) -> None:
    http_server.route("GET", NOTIFICATIONS, json_reply([]))
    adapter = adapter_for(http_server)
    await adapter.fetch_mentions(None)  # /api/v2/instance answers 404
    assert adapter.reply_limit == 500
