"""XAdapter against a real local HTTP server: text, ids, mentions and threads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from smm_tui.adapters import x as x_module
from smm_tui.adapters.x import plain_text, snowflake_time
from smm_tui.core.models import Author, Platform
from smm_tui.core.network import MentionPage
from tests.adapters import x_kit as kit
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply
from tests.fakes.x import FakeX
from tests.recorded import cassette

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
close_clients = kit.close_clients
http_server = kit.http_server
fake = kit.fake


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
    adapter = kit.adapter_for("http://127.0.0.1:1")
    assert adapter.reply_limit == 280
    assert adapter.reply_length("Привет") == 6
    assert adapter.reply_length("你好") == 4
    assert adapter.reply_length("see https://example.com/a/very/long/path/indeed") == 4 + 23
    assert not adapter.idempotent_replies


# -- mentions ----------------------------------------------------------------


def newest_page_only(request: Request) -> Reply:
    """The documented page as the newest; the page its next_token names is empty."""
    older = "pagination_token" in request.query
    return json_reply({"meta": {"result_count": 0}} if older else kit.mentions_fixture())


async def test_documented_mentions_parse_oldest_first(http_server: TestServer) -> None:
    http_server.route("GET", kit.MENTIONS, newest_page_only)
    adapter = kit.adapter_for(http_server)

    page = await adapter.fetch_mentions(None)

    assert [m.external_id for m in page.mentions] == [kit.MALLORY, kit.LAILA, kit.ANNA]
    assert page.cursor == kit.ANNA
    mallory, laila, anna = page.mentions
    assert anna.author == Author("1502233445566778899", "@anna_smirnova", "Анна Смирнова")
    assert anna.text == (
        "@acme_support Привет! Заказ №4821 так и не пришёл 😕 Трек: https://track.example.ru/4821"
    )
    assert anna.url == f"https://x.com/anna_smirnova/status/{kit.ANNA}"
    assert anna.created_at == datetime(2025, 1, 1, 9, 15, 2, tzinfo=UTC)
    assert (anna.parent_external_id, anna.root_external_id) == (None, kit.ANNA)
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
    assert all(m.platform is Platform.X and m.account == kit.ACCOUNT for m in page.mentions)
    (request, older) = http_server.requests
    assert request.query == {**kit.FIELDS, "max_results": ["100"]}
    assert request.headers["authorization"] == f"Bearer {kit.CANARY}"
    assert older.query["pagination_token"] == [kit.mentions_fixture()["meta"]["next_token"]]


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
        return json_reply(kit.listing([kit.post(i, f"m{i}") for i in page_ids], next_token))

    http_server.route("GET", kit.MENTIONS, handler)

    page = await kit.adapter_for(http_server, backfill=5).fetch_mentions(None)

    assert [m.external_id for m in page.mentions] == ids[2:]
    assert page.cursor == ids[-1]
    assert [r.query.get("pagination_token") for r in http_server.requests] == [None, ["tok-b"]]
    assert all("since_id" not in r.query for r in http_server.requests)


async def test_pages_with_since_id_until_caught_up(http_server: TestServer) -> None:
    ids, pages = seven_in_three_pages()

    def handler(request: Request) -> Reply:
        token = request.query.get("pagination_token", [None])[0]
        page_ids, next_token = pages[token]
        return json_reply(kit.listing([kit.post(i, f"m{i}") for i in page_ids], next_token))

    http_server.route("GET", kit.MENTIONS, handler)

    page = await kit.adapter_for(http_server).fetch_mentions(kit.ANNA)

    assert [m.external_id for m in page.mentions] == ids
    assert page.cursor == ids[-1]  # the first page's newest_id
    assert [r.query.get("pagination_token") for r in http_server.requests] == [
        None,
        ["tok-b"],
        ["tok-c"],
    ]
    assert all(r.query["since_id"] == [kit.ANNA] for r in http_server.requests)


async def test_nothing_new_keeps_the_cursor(http_server: TestServer) -> None:
    http_server.route("GET", kit.MENTIONS, json_reply({"meta": {"result_count": 0}}))
    page = await kit.adapter_for(http_server).fetch_mentions(kit.ANNA)
    assert page == MentionPage((), kit.ANNA)


async def test_a_cursor_we_did_not_write_starts_over(http_server: TestServer) -> None:
    http_server.route("GET", kit.MENTIONS, json_reply({"meta": {"result_count": 0}}))
    page = await kit.adapter_for(http_server).fetch_mentions("../../etc")
    assert page.cursor is None
    assert "since_id" not in http_server.requests[0].query


async def test_a_repeated_page_token_ends_paging(http_server: TestServer) -> None:
    http_server.route(
        "GET", kit.MENTIONS, json_reply(kit.listing([kit.post(kit.LAILA)], "same-token"))
    )
    page = await kit.adapter_for(http_server).fetch_mentions(kit.MALLORY)
    assert [m.external_id for m in page.mentions] == [kit.LAILA]  # repeats dropped
    assert len(http_server.requests) == 2


async def test_endless_tokens_stop_at_max_pages(
    http_server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(x_module, "MAX_PAGES", 4)

    def handler(request: Request) -> Reply:
        return json_reply(kit.listing([kit.post(kit.LAILA)], f"t{len(http_server.requests)}"))

    http_server.route("GET", kit.MENTIONS, handler)
    await kit.adapter_for(http_server).fetch_mentions(kit.MALLORY)
    assert len(http_server.requests) == 4


async def test_recorded_mentions_response(http_server: TestServer) -> None:
    uri, reply = kit.recorded("test_client_get_users_mentions.yaml")
    assert uri == "https://api.twitter.com/2/users/783214/mentions"
    http_server.route("GET", "/2/users/783214/mentions", reply)
    adapter = kit.adapter_for(http_server, keys={"user_id": "783214"})

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
        kit.post(mine, "ours", parent=reply, root=root),
        kit.post(other, "sibling", parent=root, root=root),
        kit.post(reply, "the mention", parent=root, root=root),
    ]
    http_server.route("GET", kit.SEARCH, json_reply(kit.listing(found)))
    http_server.route("GET", kit.TWEETS, json_reply(kit.listing([kit.post(root, "brand post")])))
    adapter = kit.adapter_for(http_server)

    thread = await adapter.fetch_thread(kit.mention_of(reply, root=root, parent=root))

    assert [m.external_id for m in thread] == [root, mine]
    search, lookup = http_server.requests
    assert search.query == {**kit.FIELDS, "max_results": ["100"], "query": ["conversation_id:100"]}
    assert lookup.query == {**kit.FIELDS, "ids": [root]}


async def test_thread_with_a_deleted_root(http_server: TestServer) -> None:
    errors = {"errors": [{"detail": "Could not find tweet with ids: [100].", "title": "Not Found"}]}
    http_server.route("GET", kit.SEARCH, json_reply({"meta": {"result_count": 0}}))
    http_server.route("GET", kit.TWEETS, json_reply(errors))
    thread = await kit.adapter_for(http_server).fetch_thread(
        kit.mention_of("200", root="100", parent="100")
    )
    assert thread == ()


async def test_recorded_search_pages_comments_oldest_first(http_server: TestServer) -> None:
    uri, reply = kit.recorded("test_client_search_recent_tweets.yaml")
    assert uri.endswith("/2/tweets/search/recent?query=Tweepy")
    body = json.loads(reply.body)
    next_token = body["meta"]["next_token"]
    last = kit.listing([kit.post("1578511000000000000", "oldest", parent="1", root="1")])

    def handler(request: Request) -> Reply:
        return json_reply(last) if request.query.get("next_token") == [next_token] else reply

    http_server.route("GET", kit.SEARCH, handler)
    adapter = kit.adapter_for(http_server)

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
    adapter = kit.adapter_of(fake)

    comments = await adapter.fetch_post_comments(post_id)
    mention = next(m for m in comments if m.external_id == entries[2])
    thread = await adapter.fetch_thread(mention)
    await adapter.aclose()

    assert [m.external_id for m in comments] == [*entries, nested]
    assert [m.text for m in thread] == ["Giveaway! Reply to enter", "me too"]
    assert len(fake.requests("thread")) >= 4  # 8 comments at 3 a page, then the thread
