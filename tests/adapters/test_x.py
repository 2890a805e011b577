"""XAdapter against a real local HTTP server serving documented, recorded and fake X answers."""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from smm_tui.adapters import http, x_errors
from smm_tui.adapters import x as x_module
from smm_tui.adapters.base import AuthError, PermanentError, RateLimited, TransientError
from smm_tui.adapters.x import XAdapter, plain_text, snowflake_time
from smm_tui.core.models import Author, Platform
from smm_tui.core.network import AdapterError, MentionPage, NotSent, PublishedReply
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    html_error_page,
    json_reply,
    running_server,
    truncated_json,
    unused_port,
)
from tests.conftest import FakeClock
from tests.fakes.base import TEST_TIMEOUT, Fault
from tests.fakes.harness import Network
from tests.fakes.x import BRAND_ID, FakeX
from tests.recorded import FIXTURES, cassette

API = FIXTURES / "api" / "x"
CANARY = "CANARY-tok/7f3a+x=="
ACCOUNT = "bank-x"
USER = "1400000000000000001"
NOW = datetime(2025, 1, 1, 9, 16, tzinfo=UTC)
MENTIONS = f"/2/users/{USER}/mentions"
TIMELINE = f"/2/users/{USER}/tweets"
SEARCH = "/2/tweets/search/recent"
TWEETS = "/2/tweets"
ANNA = "1874012345678901249"
LAILA = "1874011111111111111"
MALLORY = "1874010000000000007"
SHORT = httpx.Timeout(connect=1.0, read=0.2, write=1.0, pool=1.0)
FIELDS = {
    "tweet.fields": [
        "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang,"
        "entities,note_tweet"
    ],
    "expansions": ["author_id"],
    "user.fields": ["username,name,public_metrics"],
}


_CLIENTS: list[httpx.AsyncClient] = []
_FAKES: list[FakeX] = []


def local_client(read: float = 5.0) -> httpx.AsyncClient:
    """A client for 127.0.0.1: no TLS, so no 30 ms of loading CA certificates per adapter."""
    timeout = httpx.Timeout(connect=1.0, read=read, write=1.0, pool=1.0)
    client = http.make_client(timeout=timeout, transport=httpx.AsyncHTTPTransport(verify=False))
    _CLIENTS.append(client)
    return client


def adapter_of(fake: FakeX, timeout: httpx.Timeout = TEST_TIMEOUT) -> XAdapter:
    """``fake.adapter()``, whose client the fake lent (closed when the test ends)."""
    adapter = fake.adapter(timeout=timeout)
    assert isinstance(adapter, XAdapter)
    _FAKES.append(fake)
    return adapter


@pytest.fixture(autouse=True)
async def close_clients() -> AsyncIterator[None]:
    """Close the clients a test made, so no socket outlives it."""
    yield
    while _CLIENTS:
        await _CLIENTS.pop().aclose()
    while _FAKES:
        await _FAKES.pop().aclose()


X = Network(
    XAdapter,
    account=ACCOUNT,
    token=CANARY,
    token_env="BANK_X_TOKEN",
    now=NOW,
    author=Author("1502233445566778899", "@anna_smirnova", "Анна"),
    keys={"user_id": USER},
    root_of=lambda post_id: post_id,
)
adapter_for = X.adapter
mention_of = X.mention


def mentions_fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((API / "list-mentions.json").read_text(encoding="utf-8"))
    return data


def recorded(name: str, method: str = "GET") -> tuple[str, Reply]:
    """(request uri, answer) of the first ``method`` exchange in a tweepy cassette."""
    exchange = next(e for e in cassette("x", name) if e.method == method)
    headers = {k: v for k, v in exchange.headers.items() if k.lower() != "content-length"}
    return exchange.uri, Reply(exchange.status, headers, exchange.body.encode())


def post(
    post_id: str, text: str = "t", parent: str | None = None, root: str = ""
) -> dict[str, Any]:
    """A post as X sends it with our tweet.fields."""
    item: dict[str, Any] = {
        "id": post_id,
        "edit_history_tweet_ids": [post_id],
        "text": text,
        "author_id": "1502233445566778899",
        "created_at": "2025-01-01T09:00:00.000Z",
        "conversation_id": root or post_id,
    }
    if parent is not None:
        item["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
    return item


def listing(posts: list[dict[str, Any]], next_token: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"result_count": len(posts)}
    if posts:
        meta |= {"newest_id": posts[0]["id"], "oldest_id": posts[-1]["id"]}
    if next_token:
        meta["next_token"] = next_token
    users = [{"id": "1502233445566778899", "name": "Анна", "username": "anna_smirnova"}]
    return {"data": posts, "includes": {"users": users}, "meta": meta} if posts else {"meta": meta}


def problem(status: int, detail: str, kind: str = "about:blank", title: str = "Forbidden") -> Reply:
    return json_reply({"title": title, "detail": detail, "type": kind, "status": status}, status)


@pytest.fixture
def http_server() -> Iterator[TestServer]:
    """The shared server, with TCP_NODELAY so that small answers do not wait 40 ms for an ACK.

    (Its handler writes headers and body in two sends; Nagle plus delayed ACK.)
    """
    for server in running_server():
        server._server.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        yield server


@pytest.fixture
def fake(http_server: TestServer) -> Iterator[FakeX]:
    yield FakeX(http_server)


# -- text and ids ------------------------------------------------------------


def test_plain_text_unescapes_x_entities_once_and_expands_links() -> None:
    tweet = {
        "text": "a &amp;lt; b &lt;script&gt; &amp;amp; &quot; see https://t.co/Ab",
        "entities": {
            "urls": [{"url": "https://t.co/Ab", "expanded_url": "https://e.example/?a&b"}]
        },
    }
    assert plain_text(tweet) == "a &lt; b <script> &amp; &quot; see https://e.example/?a&b"
    note = {"text": "short…", "note_tweet": {"text": "the whole long post &amp; more"}}
    assert plain_text(note) == "the whole long post & more"
    # An empty short url must not be "expanded" everywhere.
    assert (
        plain_text({"text": "x", "entities": {"urls": [{"url": "", "expanded_url": "y"}]}}) == "x"
    )


def test_snowflake_time_reads_the_recorded_ids() -> None:
    (exchange,) = cassette("x", "test_client_get_users_mentions.yaml")
    answered = parsedate_to_datetime(exchange.headers["date"])  # Fri, 07 Oct 2022 22:43:18
    created = snowflake_time("1578516295611748353")
    assert created == datetime(2022, 10, 7, 22, 43, 6, 945000, tzinfo=UTC)
    assert answered - timedelta(minutes=1) < created < answered
    with pytest.raises(ValueError):
        snowflake_time("abc")


def test_reply_length_is_twitter_weighted() -> None:
    adapter = adapter_for("http://127.0.0.1:1")
    assert adapter.reply_limit == 280
    assert adapter.reply_length("Привет") == 6
    assert adapter.reply_length("你好") == 4
    assert adapter.reply_length("see https://example.com/a/very/long/path/indeed") == 4 + 23
    assert not adapter.idempotent_replies


# -- mentions ----------------------------------------------------------------


def newest_page_only(request: Request) -> Reply:
    """The documented page as the newest; the page its next_token names is empty."""
    older = "pagination_token" in request.query
    return json_reply({"meta": {"result_count": 0}} if older else mentions_fixture())


async def test_documented_mentions_parse_oldest_first(http_server: TestServer) -> None:
    http_server.route("GET", MENTIONS, newest_page_only)
    adapter = adapter_for(http_server)

    page = await adapter.fetch_mentions(None)

    assert [m.external_id for m in page.mentions] == [MALLORY, LAILA, ANNA]
    assert page.cursor == ANNA
    mallory, laila, anna = page.mentions
    assert anna.author == Author("1502233445566778899", "@anna_smirnova", "Анна Смирнова")
    assert anna.text == (
        "@acme_support Привет! Заказ №4821 так и не пришёл 😕 Трек: https://track.example.ru/4821"
    )
    assert anna.url == f"https://x.com/anna_smirnova/status/{ANNA}"
    assert anna.created_at == datetime(2025, 1, 1, 9, 15, 2, tzinfo=UTC)
    assert (anna.parent_external_id, anna.root_external_id) == (None, ANNA)
    assert (laila.parent_external_id, laila.root_external_id) == (
        "1873990000000000000",
        "1873990000000000000",
    )
    assert [m.language for m in page.mentions] == ["en", "ar", "ru"]
    # Hostile strings arrive intact, as data: the ingest service sanitises them.
    assert mallory.text == (
        "@acme_support [bold red]x[/] \x1b[31mALERT\x1b[0m [link=https://evil.example]click[/link]"
    )
    assert mallory.author.display_name == "[blink]Mallory[/blink] \x1b]0;pwned\x07"
    assert all(m.platform is Platform.X and m.account == ACCOUNT for m in page.mentions)
    (request, older) = http_server.requests
    assert request.query == {**FIELDS, "max_results": ["100"]}
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    assert older.query["pagination_token"] == [mentions_fixture()["meta"]["next_token"]]


def seven_in_three_pages() -> tuple[list[str], dict[str | None, tuple[list[str], str | None]]]:
    """Seven post ids (oldest to newest) and the newest-first pages that list them, by token."""
    ids = [str(1874012345678901249 + k * 4194304) for k in range(1, 8)]
    pages: dict[str | None, tuple[list[str], str | None]] = {
        None: (ids[4:][::-1], "tok-b"),
        "tok-b": (ids[1:4][::-1], "tok-c"),
        "tok-c": ([ids[0]], None),
    }
    return ids, pages


async def test_first_poll_follows_next_token_until_it_holds_the_backfill(
    http_server: TestServer,
) -> None:
    ids, pages = seven_in_three_pages()

    def handler(request: Request) -> Reply:
        page_ids, next_token = pages[request.query.get("pagination_token", [None])[0]]
        return json_reply(listing([post(i, f"m{i}") for i in page_ids], next_token))

    http_server.route("GET", MENTIONS, handler)

    page = await adapter_for(http_server, backfill=5).fetch_mentions(None)

    assert [m.external_id for m in page.mentions] == ids[2:]
    assert page.cursor == ids[-1]
    assert [r.query.get("pagination_token") for r in http_server.requests] == [None, ["tok-b"]]
    assert all("since_id" not in r.query for r in http_server.requests)


async def test_pages_with_since_id_until_caught_up(http_server: TestServer) -> None:
    ids, pages = seven_in_three_pages()

    def handler(request: Request) -> Reply:
        token = request.query.get("pagination_token", [None])[0]
        page_ids, next_token = pages[token]
        return json_reply(listing([post(i, f"m{i}") for i in page_ids], next_token))

    http_server.route("GET", MENTIONS, handler)

    page = await adapter_for(http_server).fetch_mentions(ANNA)

    assert [m.external_id for m in page.mentions] == ids
    assert page.cursor == ids[-1]  # the first page's newest_id
    assert [r.query.get("pagination_token") for r in http_server.requests] == [
        None,
        ["tok-b"],
        ["tok-c"],
    ]
    assert all(r.query["since_id"] == [ANNA] for r in http_server.requests)


async def test_nothing_new_keeps_the_cursor(http_server: TestServer) -> None:
    http_server.route("GET", MENTIONS, json_reply({"meta": {"result_count": 0}}))
    page = await adapter_for(http_server).fetch_mentions(ANNA)
    assert page == MentionPage((), ANNA)


async def test_a_cursor_we_did_not_write_starts_over(http_server: TestServer) -> None:
    http_server.route("GET", MENTIONS, json_reply({"meta": {"result_count": 0}}))
    page = await adapter_for(http_server).fetch_mentions("../../etc")
    assert page.cursor is None
    assert "since_id" not in http_server.requests[0].query


async def test_a_repeated_page_token_ends_paging(http_server: TestServer) -> None:
    http_server.route("GET", MENTIONS, json_reply(listing([post(LAILA)], "same-token")))
    page = await adapter_for(http_server).fetch_mentions(MALLORY)
    assert [m.external_id for m in page.mentions] == [LAILA]  # repeats dropped
    assert len(http_server.requests) == 2


async def test_endless_tokens_stop_at_max_pages(
    http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x_module, "MAX_PAGES", 4)

    def handler(request: Request) -> Reply:
        return json_reply(listing([post(LAILA)], f"t{len(http_server.requests)}"))

    http_server.route("GET", MENTIONS, handler)
    await adapter_for(http_server).fetch_mentions(MALLORY)
    assert len(http_server.requests) == 4


async def test_recorded_mentions_response(http_server: TestServer) -> None:
    uri, reply = recorded("test_client_get_users_mentions.yaml")
    assert uri == "https://api.twitter.com/2/users/783214/mentions"
    http_server.route("GET", "/2/users/783214/mentions", reply)
    adapter = adapter_for(http_server, keys={"user_id": "783214"})

    page = await adapter.fetch_mentions(None)

    assert len(page.mentions) == 10
    assert page.cursor == "1578516295611748353"
    newest = page.mentions[-1]
    assert newest.external_id == "1578516295611748353"
    assert newest.text.startswith("@Twitter @TwitterSupport this is my ENTIRE feed")
    # tweepy asked for no fields: no author, time from the snowflake id.
    assert newest.author == Author("", "")
    assert newest.url == "https://x.com/i/web/status/1578516295611748353"
    assert newest.created_at == snowflake_time(newest.external_id)
    assert page.mentions[4].text == "@Twitter make \U0001f928 an available reaction emoji in dms"
    budget = adapter.rate_budget()
    assert budget is not None
    assert (budget.limit, budget.remaining) == (450, 448)
    assert budget.reset_at == datetime.fromtimestamp(1665183228, UTC)


# -- threads and comments ----------------------------------------------------


async def test_thread_searches_the_conversation_and_looks_up_the_root(
    http_server: TestServer,
) -> None:
    root, reply, mine, other = "100", "200", "300", "250"
    found = [
        post(mine, "ours", parent=reply, root=root),
        post(other, "sibling", parent=root, root=root),
        post(reply, "the mention", parent=root, root=root),
    ]
    http_server.route("GET", SEARCH, json_reply(listing(found)))
    http_server.route("GET", TWEETS, json_reply(listing([post(root, "brand post")])))
    adapter = adapter_for(http_server)

    thread = await adapter.fetch_thread(mention_of(reply, root=root, parent=root))

    assert [m.external_id for m in thread] == [root, mine]
    search, lookup = http_server.requests
    assert search.query == {**FIELDS, "max_results": ["100"], "query": ["conversation_id:100"]}
    assert lookup.query == {**FIELDS, "ids": [root]}


async def test_thread_with_a_deleted_root(http_server: TestServer) -> None:
    errors = {"errors": [{"detail": "Could not find tweet with ids: [100].", "title": "Not Found"}]}
    http_server.route("GET", SEARCH, json_reply({"meta": {"result_count": 0}}))
    http_server.route("GET", TWEETS, json_reply(errors))
    thread = await adapter_for(http_server).fetch_thread(
        mention_of("200", root="100", parent="100")
    )
    assert thread == ()


async def test_recorded_search_pages_comments_oldest_first(http_server: TestServer) -> None:
    uri, reply = recorded("test_client_search_recent_tweets.yaml")
    assert uri.endswith("/2/tweets/search/recent?query=Tweepy")
    body = json.loads(reply.body)
    next_token = body["meta"]["next_token"]
    last = listing([post("1578511000000000000", "oldest", parent="1", root="1")])

    def handler(request: Request) -> Reply:
        return json_reply(last) if request.query.get("next_token") == [next_token] else reply

    http_server.route("GET", SEARCH, handler)
    adapter = adapter_for(http_server)

    comments = await adapter.fetch_post_comments("1")

    assert len(comments) == 11
    assert comments[0].text == "oldest"
    assert comments[1].text == "2022-10-07 22:24:12.640234 tweepy"
    assert comments[-1].text == "2022-10-07 22:42:12.637103 tweepy"
    assert [r.query.get("next_token") for r in http_server.requests] == [None, [next_token]]
    budget = adapter.budget("search")
    assert budget is not None and budget.remaining == 448


async def test_fake_thread_comments_and_paging(fake: FakeX) -> None:
    post_id = fake.add_post("Giveaway! Reply to enter")
    entries = [fake.add_mention(f"entry {k}", author=f"fan{k}", reply_to=post_id) for k in range(7)]
    nested = fake.add_mention("me too", author="bob", reply_to=entries[2])
    adapter = adapter_of(fake)

    comments = await adapter.fetch_post_comments(post_id)
    mention = next(m for m in comments if m.external_id == entries[2])
    thread = await adapter.fetch_thread(mention)
    await adapter.aclose()

    assert [m.external_id for m in comments] == [*entries, nested]
    assert [m.text for m in thread] == ["Giveaway! Reply to enter", "me too"]
    assert len(fake.requests("thread")) >= 4  # 8 comments at 3 a page, then the thread


# -- replies -----------------------------------------------------------------


async def test_post_reply_sends_the_documented_request(http_server: TestServer) -> None:
    http_server.route("GET", MENTIONS, json_reply(mentions_fixture()))
    http_server.route("POST", TWEETS, X.answer("reply-success.http"))
    me = {"data": {"id": USER, "name": "Acme", "username": "acme_support"}}
    http_server.route("GET", "/2/users/me", json_reply(me))
    adapter = adapter_for(http_server)
    anna = (await adapter.fetch_mentions(None)).mentions[-1]
    await adapter.verify()
    wanted = json.loads((API / "reply-request.json").read_text(encoding="utf-8"))

    published = await adapter.post_reply(anna, wanted["text"], "key-unused")

    assert published.external_id == "1874013999999999999"
    assert published.url == "https://x.com/acme_support/status/1874013999999999999"
    (request,) = http_server.requests_to("POST", TWEETS)
    assert json.loads(request.body) == wanted
    assert request.headers["content-type"] == "application/json"
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    assert "idempotency-key" not in request.headers
    budget = adapter.budget("tweets")
    assert budget is not None and (budget.limit, budget.remaining) == (200, 199)


async def test_recorded_create_tweet(http_server: TestServer) -> None:
    uri, reply = recorded("test_client_create_and_delete_tweet.yaml", "POST")
    assert uri == "https://api.twitter.com/2/tweets" and reply.status == 201
    http_server.route("POST", TWEETS, reply)
    published = await adapter_for(http_server).post_reply(mention_of(ANNA), "Test Tweet", "k")
    assert published.external_id == "1456012973835788293"
    assert published.url == "https://x.com/i/web/status/1456012973835788293"


async def test_reply_to_an_id_that_is_not_a_post_id_sends_nothing(http_server: TestServer) -> None:
    with pytest.raises(PermanentError, match="not an X post id"):
        await adapter_for(http_server).post_reply(mention_of("1/../../2"), "hi", "k")
    with pytest.raises(PermanentError, match="user_id"):
        await adapter_for(http_server, keys={"user_id": "@acme"}).fetch_mentions(None)
    assert http_server.requests == []


async def test_find_reply_reads_our_timeline_since_the_mention(http_server: TestServer) -> None:
    ours = post("300", "@anna_smirnova Sorry &amp; thanks!", parent="200", root="100")
    ours["author_id"] = USER
    elsewhere = post("250", "Sorry & thanks!", parent="199", root="100")
    body = listing([ours, elsewhere])
    body["includes"]["users"].append({"id": USER, "name": "Acme", "username": "acme_support"})
    http_server.route("GET", TIMELINE, json_reply(body))
    adapter = adapter_for(http_server)
    mention = mention_of("200", root="100", parent="100")

    found = await adapter.find_reply(mention, "sorry &  THANKS!")
    missing = await adapter.find_reply(mention, "something else")

    assert found == PublishedReply("300", "https://x.com/acme_support/status/300")
    assert missing is None
    assert http_server.requests[0].query == {**FIELDS, "max_results": ["100"], "since_id": ["200"]}


async def test_reply_committed_then_stalled_is_found_not_resent(fake: FakeX) -> None:
    mention_id = fake.add_mention("where is my card?")
    adapter = adapter_of(fake, timeout=SHORT)
    mention = (await adapter.fetch_mentions(None)).mentions[-1]
    assert mention.external_id == mention_id
    fake.fail("reply", Fault.COMMIT_THEN_STALL)

    with pytest.raises(TransientError) as caught:
        await adapter.post_reply(mention, "We are on it", "k")
    found = await adapter.find_reply(mention, "We are on it")
    await adapter.aclose()

    assert not isinstance(caught.value, NotSent)
    assert found is not None
    assert [p.external_id for p in fake.published] == [found.external_id]
    assert fake.published[0].in_reply_to == mention_id


async def test_verify_reads_users_me(fake: FakeX, http_server: TestServer) -> None:
    adapter = adapter_of(fake)
    identity = await adapter.verify()
    assert (identity.user_id, identity.handle, identity.display_name) == (
        BRAND_ID,
        "@acme_support",
        "Acme Support",
    )
    await adapter.aclose()
    other = adapter_for(http_server, keys={"user_id": "42"})
    other._auth = {"Authorization": f"Bearer {fake.token}"}
    with pytest.raises(PermanentError, match="not to the configured user_id"):
        await other.verify()


async def test_without_user_id_the_token_user_is_asked_once(fake: FakeX) -> None:
    fake.add_mention("hello")
    adapter = adapter_for(
        fake.server, client=local_client(), token=fake.token, keys={"user_id": ""}
    )
    await adapter.fetch_mentions(None)
    await adapter.fetch_mentions(None)
    paths = [r.path for r in fake.server.requests]
    assert paths == [
        "/2/users/me",
        f"/2/users/{BRAND_ID}/mentions",
        f"/2/users/{BRAND_ID}/mentions",
    ]


# -- errors ------------------------------------------------------------------


async def test_401_is_an_auth_error_naming_the_fix(http_server: TestServer) -> None:
    body = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
    http_server.route("GET", MENTIONS, json_reply(body, 401))
    with pytest.raises(AuthError) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert str(caught.value) == (
        "x account 'bank-x': token refused or expired (HTTP 401, Unauthorized): set BANK_X_TOKEN"
    )


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            problem(
                403,
                "Reply to this conversation is not allowed because you have not been mentioned"
                " or otherwise engaged by the author of the post you are replying to.",
            ),
            PermanentError,
            "refused (HTTP 403): Reply to this conversation is not allowed",
        ),
        (
            problem(
                403,
                "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.",
                "https://api.twitter.com/2/problems/unsupported-authentication",
                "Unsupported Authentication",
            ),
            AuthError,
            "(HTTP 403, Unsupported Authentication): set BANK_X_TOKEN",
        ),
        (Reply(403, {}, b""), AuthError, "(HTTP 403)"),
        (
            problem(
                400,
                "One or more parameters to your request was invalid.",
                "https://api.twitter.com/2/problems/invalid-request",
                "Invalid Request",
            ),
            PermanentError,
            "(HTTP 400): One or more parameters",
        ),
        (Reply(404, {"Content-Type": "text/plain"}, b"nope"), PermanentError, "HTTP 404"),
    ],
    ids=["403-reply-restricted", "403-app-only-token", "403-bare", "400-problem", "404-text"],
)
async def test_client_errors(
    http_server: TestServer, reply: Reply, error: type[AdapterError], message: str
) -> None:
    http_server.route("POST", TWEETS, reply)
    with pytest.raises(error, match=re.escape(message)) as caught:
        await adapter_for(http_server).post_reply(mention_of(ANNA), "hi", "k")
    assert type(caught.value) is error
    assert "\n" not in str(caught.value)


async def test_errors_only_200_is_permanent(http_server: TestServer) -> None:
    body = {
        "errors": [
            {
                "value": USER,
                "detail": f"Could not find user with id: [{USER}].",
                "title": "Not Found Error",
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    }
    http_server.route("GET", MENTIONS, json_reply(body))
    with pytest.raises(PermanentError, match="Could not find user"):
        await adapter_for(http_server).fetch_mentions(None)


async def test_429_waits_for_the_reset_and_sends_nothing_until_then(
    http_server: TestServer,
) -> None:
    http_server.route("GET", MENTIONS, X.answer("error-rate-limit.http"))
    clock = FakeClock(NOW)
    adapter = adapter_for(http_server, clock=clock)
    reset = datetime.fromtimestamp(1735723800, UTC)

    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions(ANNA)
    assert caught.value.retry_at == reset
    with pytest.raises(RateLimited) as again:
        await adapter.fetch_mentions(ANNA)
    assert again.value.retry_at == reset
    assert len(http_server.requests) == 1
    budget = adapter.rate_budget()
    assert budget is not None and budget.spent(clock.now)

    # Other endpoints have their own budgets.
    http_server.route("POST", TWEETS, X.answer("reply-success.http"))
    await adapter.post_reply(mention_of(ANNA), "hi", "k")
    assert len(http_server.requests) == 2

    clock.now = reset + timedelta(seconds=1)
    http_server.route("GET", MENTIONS, json_reply({"meta": {"result_count": 0}}))
    await adapter.fetch_mentions(ANNA)
    assert len(http_server.requests) == 3


async def test_usage_cap_pauses_every_post_read_for_a_day(http_server: TestServer) -> None:
    http_server.route("GET", MENTIONS, X.answer("error-usage-cap.http"))
    http_server.route("POST", TWEETS, X.answer("reply-success.http"))
    adapter = adapter_for(http_server)

    with pytest.raises(RateLimited, match="monthly usage cap reached") as caught:
        await adapter.fetch_mentions(None)
    assert caught.value.retry_at == NOW + timedelta(hours=24)
    with pytest.raises(RateLimited):
        await adapter.fetch_post_comments("100")  # search shares the post-read cap
    await adapter.post_reply(mention_of(ANNA), "hi", "k")  # posting does not
    assert [r.method for r in http_server.requests] == ["GET", "POST"]


async def test_usage_cap_with_a_reset_header(http_server: TestServer) -> None:
    reply = X.answer("error-usage-cap.http")
    reply.headers["x-rate-limit-reset"] = "1735776000"
    http_server.route("GET", MENTIONS, reply)
    with pytest.raises(RateLimited) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert caught.value.retry_at == datetime.fromtimestamp(1735776000, UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, NOW + timedelta(seconds=7)),
        (
            {
                "x-rate-limit-remaining": "150",
                "x-rate-limit-reset": "1735723800",
                "x-user-limit-24hour-remaining": "0",
                "x-user-limit-24hour-reset": "1735790000",
            },
            datetime.fromtimestamp(1735790000, UTC),
        ),
        ({}, NOW + timedelta(seconds=60)),
        ({"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1"}, NOW + timedelta(seconds=60)),
    ],
    ids=["retry-after", "24h-user-cap", "no-headers", "reset-in-the-past"],
)
async def test_429_retry_time(
    http_server: TestServer, headers: dict[str, str], expected: datetime
) -> None:
    http_server.route("POST", TWEETS, problem(429, "Too Many Requests", title="Too Many Requests"))
    http_server.routes[("POST", TWEETS)] = lambda _r: json_reply({"status": 429}, 429, headers)
    with pytest.raises(RateLimited) as caught:
        await adapter_for(http_server).post_reply(mention_of(ANNA), "hi", "k")
    assert caught.value.retry_at == expected


async def test_spent_budget_after_success_refuses_until_reset(http_server: TestServer) -> None:
    headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1735723800"}
    http_server.route("GET", MENTIONS, json_reply({"meta": {"result_count": 0}}, headers=headers))
    clock = FakeClock(NOW)
    adapter = adapter_for(http_server, clock=clock)
    await adapter.fetch_mentions(ANNA)

    with pytest.raises(RateLimited) as caught:
        await adapter.fetch_mentions(ANNA)
    assert caught.value.retry_at == datetime.fromtimestamp(1735723800, UTC)
    assert len(http_server.requests) == 1
    clock.now = datetime.fromtimestamp(1735723801, UTC)
    await adapter.fetch_mentions(ANNA)
    assert len(http_server.requests) == 2


@pytest.mark.parametrize(
    "reply",
    [
        problem(503, "Service Unavailable", title="Service Unavailable"),
        Reply(500, {}, b""),
        html_error_page(502),
        truncated_json(mentions_fixture()),
    ],
    ids=["503", "500", "html-502", "truncated"],
)
async def test_server_faults_are_transient(http_server: TestServer, reply: Reply) -> None:
    http_server.route("GET", MENTIONS, reply)
    with pytest.raises(TransientError) as caught:
        await adapter_for(http_server).fetch_mentions(None)
    assert not isinstance(caught.value, NotSent)
    assert "bank-x" in str(caught.value)


async def test_html_page_with_200_is_transient(http_server: TestServer) -> None:
    page = html_error_page(502)
    http_server.route("GET", MENTIONS, Reply(200, page.headers, page.body))
    with pytest.raises(TransientError, match="HTML page"):
        await adapter_for(http_server).fetch_mentions(None)


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"data": {"id": "1"}},
        {"data": [{"text": "no id"}]},
        {"data": [post("1", parent="2") | {"referenced_tweets": "replied_to"}]},
        {"data": [post("1") | {"created_at": "yesterday"}]},
        {"data": [post("1")], "includes": {"users": [{"name": "no id"}]}},
        {"data": [post("1")], "meta": []},
    ],
    ids=["list", "data-object", "no-id", "refs-string", "bad-date", "user-no-id", "meta-list"],
)
async def test_unexpected_shapes_are_transient(http_server: TestServer, body: Any) -> None:
    http_server.route("GET", MENTIONS, json_reply(body))
    with pytest.raises(TransientError, match="unexpected"):
        await adapter_for(http_server).fetch_mentions(None)


async def test_unexpected_reply_answer_is_transient(http_server: TestServer) -> None:
    http_server.route("POST", TWEETS, json_reply({"data": {"text": "no id"}}, 201))
    with pytest.raises(TransientError, match="unexpected POST /2/tweets shape"):
        await adapter_for(http_server).post_reply(mention_of(ANNA), "hi", "k")


async def test_stall_past_read_timeout_is_transient_and_bounded(http_server: TestServer) -> None:
    http_server.route("POST", TWEETS, http_server.stall())
    async with local_client(read=0.3) as client:
        adapter = adapter_for(http_server, client=client)
        started = time.monotonic()
        with pytest.raises(TransientError, match="timed out") as caught:
            await adapter.post_reply(mention_of(ANNA), "hello", "k")
    assert time.monotonic() - started < 3.0
    assert not isinstance(caught.value, NotSent)  # the POST may have arrived


async def test_overall_deadline_bounds_a_call(http_server: TestServer) -> None:
    http_server.route("GET", MENTIONS, http_server.stall())
    adapter = adapter_for(http_server, deadline=0.3)
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        await adapter.fetch_mentions(None)
    assert time.monotonic() - started < 2.0
    await adapter.aclose()


async def test_connect_refused_is_not_sent() -> None:
    adapter = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(NotSent, match="not sent"):
        await adapter.post_reply(mention_of(ANNA), "hi", "k")
    await adapter.aclose()


async def test_a_broken_base_url_is_a_typed_error() -> None:
    with pytest.raises(PermanentError, match="invalid URL"):
        await adapter_for("http://[::1").fetch_mentions(None)


def test_default_host_is_api_x_com() -> None:
    adapter = adapter_for(None)
    assert repr(adapter) == "XAdapter(account='bank-x', base_url='https://api.x.com')"


# -- the fake ----------------------------------------------------------------


def test_fake_posts_have_the_documented_shape(fake: FakeX) -> None:
    documented = mentions_fixture()["data"]
    mention = fake.post(fake.add_mention("hello"))
    assert set(mention) == set(documented[1])  # a reply: referenced_tweets, in_reply_to_user_id
    assert fake.account().extra == {"user_id": BRAND_ID}
    assert fake.account().base_url == fake.server.url


async def test_fake_pages_mentions_and_dedupes_across_polls(fake: FakeX) -> None:
    hostile = "<b>&amp;</b> [bold]x[/] \x1b[2J"
    first = [fake.add_mention(f"m{k}") for k in range(2)]
    adapter = adapter_of(fake)
    page = await adapter.fetch_mentions(None)
    later = [fake.add_mention(hostile if k == 0 else f"n{k}", author="bob") for k in range(7)]
    caught_up = await adapter.fetch_mentions(page.cursor)
    nothing = await adapter.fetch_mentions(caught_up.cursor)
    await adapter.aclose()

    assert [m.external_id for m in page.mentions] == first
    assert [m.external_id for m in caught_up.mentions] == later
    assert caught_up.mentions[0].text == hostile
    assert caught_up.mentions[0].author.handle == "@bob"
    assert nothing.mentions == () and nothing.cursor == caught_up.cursor
    assert len(fake.requests("mentions")) == 1 + 3 + 1  # 7 new at 3 a page


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.SERVER_ERROR, TransientError),
        (Fault.MALFORMED, TransientError),
        (Fault.RATE_LIMIT, RateLimited),
        (Fault.AUTH, AuthError),
        (Fault.STALL, TransientError),
    ],
)
async def test_fake_faults(fake: FakeX, fault: Fault, error: type[AdapterError]) -> None:
    fake.add_mention("hello")
    adapter = adapter_of(fake, timeout=SHORT)
    fake.fail("mentions", fault)
    with pytest.raises(error):
        await adapter.fetch_mentions(None)
    if fault is not Fault.RATE_LIMIT:
        assert len((await adapter.fetch_mentions(None)).mentions) == 1
    await adapter.aclose()
    with pytest.raises(ValueError):
        fake.fail("mentions", Fault.RATE_LIMIT_IN_BODY)


async def test_fake_refuses_a_wrong_token(fake: FakeX) -> None:
    fake.token = "something-else"
    adapter = adapter_of(fake)
    fake.token = "tok-S3cr3t/+=%value"
    adapter._auth = {"Authorization": "Bearer wrong"}
    with pytest.raises(AuthError):
        await adapter.verify()
    await adapter.aclose()


# -- secrets -----------------------------------------------------------------


async def test_token_never_in_errors_or_logs(
    http_server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Bad token {CANARY} in request"
    faults: list[Reply] = [
        json_reply({"title": CANARY, "detail": echo, "type": "about:blank"}, 401),
        problem(403, echo),
        problem(403, echo, "https://api.twitter.com/2/problems/unsupported-authentication", CANARY),
        problem(400, echo, "https://api.twitter.com/2/problems/invalid-request"),
        json_reply({"error": echo}, 422),
        json_reply({"title": CANARY, "type": x_errors.USAGE_CAPPED, "period": CANARY}, 429),
        json_reply({"status": 429}, 429, {"x-rate-limit-reset": "nope"}),
        problem(503, echo),
        html_error_page(502),
        truncated_json({"token": CANARY}),
        json_reply({"errors": [{"detail": echo}]}),
    ]
    messages: list[str] = []
    for reply in faults:
        http_server.route("GET", MENTIONS, reply)
        http_server.route("POST", TWEETS, reply)
        adapter = adapter_for(http_server)
        for call in (
            adapter.fetch_mentions(ANNA),
            adapter.post_reply(mention_of(ANNA), "x", "k"),
        ):
            with pytest.raises(AdapterError) as caught:
                await call
            messages += [str(caught.value), repr(caught.value)]
    refused = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(NotSent) as caught_refused:
        await refused.fetch_mentions(ANNA)
    messages += [str(caught_refused.value), repr(adapter), repr(refused)]

    assert len(messages) == 2 * 2 * len(faults) + 3
    assert not [m for m in messages if "CANARY" in m]
    assert "CANARY" not in caplog.text
    assert any("HTTP 503" in r.getMessage() for r in caplog.records)
