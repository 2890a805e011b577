"""VKAdapter against a real local HTTP server: documented fixtures, hand-made answers, the fake."""

from __future__ import annotations

import copy
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from smm_tui.adapters import vk, vk_wall
from smm_tui.adapters.base import AuthError, PermanentError, RateLimited, TransientError
from smm_tui.adapters.vk import VKAdapter, plain_text
from smm_tui.core.models import Author, Platform
from smm_tui.core.network import AdapterError, NotSent
from tests.adapters.httpserver import (
    Reply,
    Request,
    TestServer,
    html_error_page,
    json_reply,
    sequence,
    server_error,
    too_many_requests,
    truncated_json,
    unused_port,
)
from tests.conftest import FakeClock
from tests.fakes.base import Fault
from tests.fakes.harness import Network, plain_client
from tests.fakes.vk import FakeVK
from tests.recorded import FIXTURES

API = FIXTURES / "api" / "vk"
CANARY = "CANARY-vk/7f3a+x=="
ACCOUNT = "bank-vk"
GROUP = 218375169
NOW = datetime(2025, 1, 1, 9, 16, tzinfo=UTC)
LP = "/lp"


@pytest.fixture
def server(http_server: TestServer) -> TestServer:
    return http_server


@pytest.fixture
def fake(server: TestServer) -> FakeVK:
    return FakeVK(server, token=CANARY)


VK = Network(
    VKAdapter,
    account=ACCOUNT,
    token=CANARY,
    token_env="BANK_VK_TOKEN",
    now=NOW,
    author=Author("512345678", "anna.smirnova", "Анна Смирнова"),
    keys={"group_id": GROUP},
    root_of=lambda external_id: external_id.split("_")[0],
)
adapter_for = VK.adapter
mention_of = VK.mention
fixture = VK.fixture


def comments_fixture() -> dict[str, Any]:
    data: dict[str, Any] = fixture("list-mentions.json")["response"]
    return data


def ok(response: Any) -> Reply:
    return json_reply({"response": response})


def vk_error(code: int, message: str = "Some error") -> Reply:
    return json_reply({"error": {"error_code": code, "error_msg": message}})


def method(name: str) -> str:
    return f"/method/{name}"


def form(request: Request) -> dict[str, str]:
    return {name: values[-1] for name, values in request.form().items()}


def cursor(ts: str = "1023", seen: dict[str, int] | None = None) -> str:
    return json.dumps({"ts": ts, "seen": seen or {}})


def route_session(server: TestServer, *sessions: tuple[str, str]) -> None:
    """``groups.getLongPollServer`` answering ``(key, ts)`` sessions in turn, server = ``/lp``."""
    replies = [ok({"key": key, "server": server.url + LP, "ts": ts}) for key, ts in sessions]
    server.route("POST", method("groups.getLongPollServer"), sequence(*replies))


def event(comment: dict[str, Any], kind: str = "wall_reply_new") -> dict[str, Any]:
    obj = {**comment, "post_owner_id": comment.get("owner_id", -GROUP)}
    return {"type": kind, "event_id": "e" * 40, "v": "5.199", "object": obj, "group_id": GROUP}


def anna() -> dict[str, Any]:
    profile: dict[str, Any] = comments_fixture()["profiles"][0]
    return profile


# -- text ----------------------------------------------------------------------


def test_mention_markup_becomes_the_name() -> None:
    assert plain_text("[club218375169|Кофейня «Зерно»], привет") == "Кофейня «Зерно», привет"
    assert plain_text("[id1|Павел] и [public5|Паблик] и [event7|Событие]") == (
        "Павел и Паблик и Событие"
    )
    assert plain_text("[id1:bp-5_6|Board] ok") == "Board ok"
    # Anything else in brackets is data and stays as written.
    for text in ("[bold red]x[/]", "[id1|open", "[link=https://e.x]y[/link]", "[idx|n]"):
        assert plain_text(text) == text


# -- comments from the documented fixture ---------------------------------------


async def test_fixture_comments_parse_with_hostile_strings_intact(server: TestServer) -> None:
    server.route("POST", method("wall.getComments"), ok(comments_fixture()))
    adapter = adapter_for(server)

    comments = await adapter.fetch_post_comments("1287")

    # 1304 is the community's own answer: not a contest entry.
    assert [c.external_id for c in comments] == ["1287_1301", "1287_1302", "1287_1303"]
    first, second, hostile = comments
    assert first.text == (
        "Кофейня «Зерно», когда откроетесь после праздников? ☕️ Расписание тут: "
        "https://vk.com/@zerno-raspisanie"
    )
    assert first.author == Author("512345678", "anna.smirnova", "Анна Смирнова")
    assert first.created_at == datetime(2025, 1, 1, 8, 42, 3, tzinfo=UTC)
    assert first.url == "https://vk.com/wall-218375169_1287?reply=1301"
    assert (first.parent_external_id, first.root_external_id) == ("1287", "1287")
    assert second.text == "مرحبا! هل لديكم حليب الشوفان؟ 🥛"
    assert second.author.display_name == "ليلى حسن"
    assert hostile.text == ("[bold red]x[/] \x1b[31mТЕСТ\x1b[0m <b>не жирный</b> Павел \u202eevil")
    assert hostile.author == Author("700000002", "id700000002", "[bold]Тест[/bold] \x1b[2J")
    assert all(c.platform is Platform.VK and c.account == ACCOUNT for c in comments)

    (request,) = server.requests
    assert request.method == "POST"
    assert request.path == "/method/wall.getComments"
    assert request.query == {}
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    assert form(request) == {
        "owner_id": "-218375169",
        "post_id": "1287",
        "count": "100",
        "offset": "0",
        "sort": "asc",
        "preview_length": "0",
        "extended": "1",
        "fields": "screen_name",
        "thread_items_count": "10",
        "v": "5.199",
    }
    assert CANARY not in request.body.decode()


async def test_thread_from_fixture_holds_post_comment_and_our_answer(server: TestServer) -> None:
    data = comments_fixture()
    top = copy.deepcopy(data["items"][0])
    ours = top.pop("thread")["items"]
    post = {"id": 1287, "owner_id": -GROUP, "from_id": -GROUP, "date": 1735700000, "text": "Пост"}
    groups = data["groups"]
    server.route("POST", method("wall.getById"), ok({"items": [post], "groups": groups}))
    server.route(
        "POST", method("wall.getComment"), ok({"items": [top], "profiles": data["profiles"]})
    )
    thread_page = {"count": 1, "current_level_count": 1, "items": ours, "groups": groups}
    server.route("POST", method("wall.getComments"), ok(thread_page))
    adapter = adapter_for(server)

    thread = await adapter.fetch_thread(mention_of("1287_1301", parent="1287"))

    assert [m.external_id for m in thread] == ["1287", "1287_1301", "1287_1304"]
    root, question, answer = thread
    assert root.author == Author("-218375169", "zerno_coffee", "Кофейня «Зерно»")
    assert (root.parent_external_id, root.root_external_id) == (None, "1287")
    assert root.url == "https://vk.com/wall-218375169_1287"
    assert answer.author.id == "-218375169"
    assert answer.parent_external_id == "1287_1301"
    found = await adapter.find_reply(question, "открываемся 3 января")
    assert found is not None and found.external_id == "1287_1304"
    assert form(server.requests_to("POST", method("wall.getComments"))[0])["comment_id"] == "1301"
    assert form(server.requests_to("POST", method("wall.getById"))[0])["posts"] == "-218375169_1287"


# -- long poll -------------------------------------------------------------------


async def test_long_poll_event_becomes_a_mention(server: TestServer) -> None:
    route_session(server, ("KEY-1", "999"))
    server.route(
        "GET",
        LP,
        sequence(
            json_reply(fixture("longpoll-wall_reply_new.json")),
            json_reply({"ts": "1024", "updates": []}),
        ),
    )
    server.route("POST", method("users.get"), ok([anna()]))
    adapter = adapter_for(server, long_poll=25)

    page = await adapter.fetch_mentions(cursor("1023"))

    (mention,) = page.mentions
    assert mention.external_id == "1287_1305"
    assert mention.text == "Спасибо! 👍"
    assert mention.author == Author("512345678", "anna.smirnova", "Анна Смирнова")
    assert (mention.parent_external_id, mention.root_external_id) == ("1287", "1287")
    assert mention.created_at == datetime.fromtimestamp(1735723000, UTC)
    assert json.loads(page.cursor or "") == {"ts": "1024", "seen": {"1287": 1305}}
    checks = server.requests_to("GET", LP)
    assert [c.query for c in checks] == [
        {"act": ["a_check"], "key": ["KEY-1"], "ts": ["1023"], "wait": ["25"]},
        {"act": ["a_check"], "key": ["KEY-1"], "ts": ["1024"], "wait": ["1"]},
    ]
    # The long-poll server (its address comes from VK) never gets the token.
    assert all("authorization" not in c.headers for c in checks)
    assert form(server.requests_to("POST", method("users.get"))[0])["user_ids"] == "512345678"

    await adapter.fetch_mentions(page.cursor)  # the session and the names are reused
    assert len(server.requests_to("POST", method("groups.getLongPollServer"))) == 1
    assert len(server.requests_to("POST", method("users.get"))) == 1


async def test_long_poll_keeps_only_new_comments_of_others_on_our_wall(
    server: TestServer,
) -> None:
    base = fixture("longpoll-wall_reply_new.json")["updates"][0]["object"]
    ours = {**base, "id": 1306, "from_id": -GROUP}
    foreign = {**base, "id": 1307, "owner_id": -1, "post_owner_id": -1}
    direct_message = {"type": "message_new", "object": {"message": {"text": "dm"}}}
    updates = [
        event({**base, "id": 1300}, "wall_reply_edit"),
        event(ours),
        event(foreign),
        event({**base, "id": 1308, "deleted": True}),
        "not an event",
        event({**base, "id": 1309, "text": "kept"}),
    ]
    route_session(server, ("KEY-1", "1"))
    server.route(
        "GET",
        LP,
        sequence(
            # A batch of other events only: the queue is not drained yet.
            json_reply({"ts": "2", "updates": [direct_message]}),
            json_reply({"ts": "3", "updates": updates}),
            json_reply({"ts": "3", "updates": []}),
        ),
    )
    server.route("POST", method("users.get"), ok([anna()]))

    page = await adapter_for(server).fetch_mentions(cursor("1", {"1287": 1290}))

    assert [m.external_id for m in page.mentions] == ["1287_1309"]
    assert json.loads(page.cursor or "") == {"ts": "3", "seen": {"1287": 1309}}


async def test_expired_key_gets_a_new_key_and_keeps_ts(server: TestServer) -> None:
    route_session(server, ("KEY-1", "5000"), ("KEY-2", "6000"))
    empty = json_reply({"ts": "1023", "updates": []})
    server.route(
        "GET", LP, sequence(json_reply(fixture("longpoll-failed-key-expired.json")), empty)
    )

    page = await adapter_for(server).fetch_mentions(cursor("1023"))

    assert page.mentions == ()
    assert [(c.query["key"], c.query["ts"]) for c in server.requests_to("GET", LP)] == [
        (["KEY-1"], ["1023"]),
        (["KEY-2"], ["1023"]),
    ]
    assert server.requests_to("POST", method("wall.get")) == []


async def test_outdated_ts_takes_the_new_ts_and_catches_up_without_repeats(
    server: TestServer,
) -> None:
    route_session(server, ("KEY-1", "1"))
    items = comments_fixture()["items"]
    late = fixture("longpoll-wall_reply_new.json")["updates"][0]["object"]
    server.route(
        "GET",
        LP,
        sequence(
            json_reply({"failed": 1, "ts": "2000"}),
            # 1303 came with the catch-up already; 1305 is new.
            json_reply({"ts": "2002", "updates": [event(items[2]), event(late)]}),
            json_reply({"ts": "2002", "updates": []}),
        ),
    )
    post = {"id": 1287, "from_id": -GROUP, "date": 1735700000, "text": "", "comments": {"count": 4}}
    server.route("POST", method("wall.get"), ok({"count": 1, "items": [post]}))
    server.route("POST", method("wall.getComments"), ok(comments_fixture()))
    server.route("POST", method("users.get"), ok([anna()]))

    page = await adapter_for(server).fetch_mentions(cursor("1023", {"1287": 1301}))

    assert [m.external_id for m in page.mentions] == ["1287_1302", "1287_1303", "1287_1305"]
    assert [c.query["ts"] for c in server.requests_to("GET", LP)] == [
        ["1023"],
        ["2000"],
        ["2002"],
    ]
    assert json.loads(page.cursor or "") == {"ts": "2002", "seen": {"1287": 1305}}
    assert form(server.requests_to("POST", method("wall.get"))[0]) == {
        "owner_id": "-218375169",
        "offset": "0",
        "count": "10",
        "v": "5.199",
    }


async def test_lost_information_renews_key_and_ts_and_catches_up(server: TestServer) -> None:
    route_session(server, ("KEY-1", "1"), ("KEY-2", "3000"))
    server.route(
        "GET", LP, sequence(json_reply({"failed": 3}), json_reply({"ts": "3000", "updates": []}))
    )
    server.route("POST", method("wall.get"), ok({"count": 0, "items": []}))

    page = await adapter_for(server).fetch_mentions(cursor("1023"))

    assert page.mentions == ()
    assert [(c.query["key"], c.query["ts"]) for c in server.requests_to("GET", LP)] == [
        (["KEY-1"], ["1023"]),
        (["KEY-2"], ["3000"]),
    ]
    assert len(server.requests_to("POST", method("wall.get"))) == 1
    assert json.loads(page.cursor or "")["ts"] == "3000"


async def test_a_key_that_keeps_expiring_is_transient(server: TestServer) -> None:
    route_session(server, ("KEY-1", "1"))
    server.route("GET", LP, json_reply({"failed": 2}))
    with pytest.raises(TransientError, match="keeps expiring"):
        await adapter_for(server).fetch_mentions(cursor())
    assert len(server.requests_to("GET", LP)) == 3


async def test_a_server_repeating_its_ts_is_not_asked_forever(
    server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vk, "MAX_PAGES", 5)
    late = fixture("longpoll-wall_reply_new.json")["updates"][0]["object"]
    route_session(server, ("KEY-1", "1"))
    server.route("POST", method("users.get"), ok([anna()]))
    server.route("GET", LP, json_reply({"ts": "1023", "updates": [event(late)]}))
    adapter = adapter_for(server)

    page = await adapter.fetch_mentions(cursor("1023"))
    assert len(page.mentions) == 1
    assert len(server.requests_to("GET", LP)) == 1

    counter = iter(range(5000, 6000))
    server.route(
        "GET", LP, lambda _r: json_reply({"ts": str(next(counter)), "updates": [event(late)]})
    )
    page = await adapter.fetch_mentions(cursor("1023"))
    assert len(page.mentions) == 1
    assert len(server.requests_to("GET", LP)) == 1 + 5


# -- the fake: start-up, paging, restarts -------------------------------------------


async def test_first_poll_reads_the_newest_posts_oldest_first(fake: FakeVK) -> None:
    old = fake.add_mention("on the oldest post")
    posts = [fake.add_post(f"post {k}") for k in range(11)]
    newest, second = posts[-1], posts[-2]
    a = fake.add_mention("first", reply_to=second)
    b = fake.add_mention("second", reply_to=newest, author="bob")
    c = fake.add_mention("third", reply_to=a, author="carol")
    adapter = adapter_for(fake.server)
    await adapter.post_reply(mention_of(b, parent=newest), "Спасибо!", "k")

    page = await adapter.fetch_mentions(None)

    # Only the RECENT_POSTS newest posts are read; our own comment is not a mention.
    assert [m.external_id for m in page.mentions] == [a, b, c]
    assert old not in {m.external_id for m in page.mentions}
    assert page.mentions[2].parent_external_id == a
    bob = page.mentions[1].author
    assert (bob.handle, bob.display_name) == ("bob", "Bob")
    assert len(fake.server.requests_to("POST", method("wall.get"))) == 4  # 3 a page, 10 posts
    state = json.loads(page.cursor or "")
    assert set(state) == {"ts", "seen"}  # no session key on disk


async def test_pages_through_long_poll_until_caught_up(fake: FakeVK) -> None:
    adapter = adapter_for(fake.server)
    start = await adapter.fetch_mentions(None)
    sent = [fake.add_mention(f"q{k}", author=("alice", "bob")[k % 2]) for k in range(7)]

    page = await adapter.fetch_mentions(start.cursor)

    assert [m.external_id for m in page.mentions] == sent
    assert [m.text for m in page.mentions] == [f"q{k}" for k in range(7)]
    checks = fake.server.requests_to("GET", "/longpoll")
    assert [c.query["ts"] for c in checks] == [["1000"], ["1003"], ["1006"], ["1007"]]
    assert len(fake.server.requests_to("POST", method("users.get"))) == 1
    again = await adapter.fetch_mentions(page.cursor)
    assert again.mentions == ()


async def test_our_published_reply_is_not_a_mention(fake: FakeVK) -> None:
    adapter = adapter_for(fake.server)
    start = await adapter.fetch_mentions(None)
    question = fake.add_mention("когда откроетесь?")
    asked = await adapter.fetch_mentions(start.cursor)
    published = await adapter.post_reply(asked.mentions[0], "В 8:00", "k1")

    page = await adapter.fetch_mentions(asked.cursor)

    assert page.mentions == ()
    assert fake.published[0].in_reply_to == question
    post, comment = published.external_id.split("_")
    assert published.url == f"https://vk.com/wall-{GROUP}_{post}?reply={comment}"


async def test_a_restart_asks_a_new_key_and_keeps_ts(fake: FakeVK) -> None:
    first = adapter_for(fake.server)
    stored = (await first.fetch_mentions(None)).cursor
    new = fake.add_mention("while we were away")
    second = adapter_for(fake.server)
    before = len(fake.server.requests_to("POST", method("wall.get")))

    page = await second.fetch_mentions(stored)

    assert [m.external_id for m in page.mentions] == [new]
    assert len(fake.server.requests_to("POST", method("wall.get"))) == before  # no catch-up
    assert len(fake.server.requests_to("POST", method("groups.getLongPollServer"))) == 2


async def test_lost_history_is_caught_up_once(fake: FakeVK) -> None:
    adapter = adapter_for(fake.server)
    start = await adapter.fetch_mentions(None)
    sent = [fake.add_mention(f"lost {k}") for k in range(4)]
    fake.lose_history()

    page = await adapter.fetch_mentions(start.cursor)

    assert [m.external_id for m in page.mentions] == sent
    assert (await adapter.fetch_mentions(page.cursor)).mentions == ()


async def test_an_unreadable_cursor_starts_over(fake: FakeVK) -> None:
    known = fake.add_mention("hello")
    for broken in ("not json", "[]", '{"ts": 5}', '{"seen": {}}', '{"ts": "1", "seen": []}'):
        adapter = adapter_for(fake.server)
        page = await adapter.fetch_mentions(broken)
        assert [m.external_id for m in page.mentions] == [known]
        await adapter.aclose()


# -- threads and post comments (fake) -------------------------------------------


async def test_thread_of_a_reply_to_a_reply(fake: FakeVK) -> None:
    question = fake.add_mention("приложение не работает")
    first = fake.add_mention("у меня тоже", reply_to=question, author="bob")
    second = fake.add_mention("и у меня", reply_to=first, author="carol")
    adapter = adapter_for(fake.server)
    mention = next(
        m for m in (await adapter.fetch_mentions(None)).mentions if m.external_id == second
    )

    thread = await adapter.fetch_thread(mention)

    assert [m.external_id for m in thread] == [fake.brand_post, question, first, second]
    assert [m.parent_external_id for m in thread] == [None, fake.brand_post, question, first]
    assert {m.root_external_id for m in thread} == {fake.brand_post}
    assert [r.path for r in fake.requests("thread")] == [
        "/method/wall.getById",
        "/method/wall.getComment",
        "/method/wall.getComment",
        "/method/wall.getComments",
    ]


async def test_post_comments_page_and_read_long_threads(fake: FakeVK) -> None:
    post = fake.add_post("Конкурс!")
    top = [fake.add_mention(f"entry {k}", reply_to=post, author=f"fan{k}") for k in range(5)]
    replies = [fake.add_mention(f"reply {k}", reply_to=top[1], author="bob") for k in range(5)]
    adapter = adapter_for(fake.server)
    await adapter.post_reply(mention_of(top[0], parent=post), "Удачи!", "k")

    comments = await adapter.fetch_post_comments(post)

    assert [c.external_id for c in comments] == [*top, *replies]
    offsets = [
        (form(r).get("comment_id"), form(r)["offset"])
        for r in fake.server.requests_to("POST", method("wall.getComments"))
    ]
    assert offsets == [
        (None, "0"),
        (None, "3"),
        (top[1].split("_")[1], "0"),
        (top[1].split("_")[1], "3"),
    ]


async def test_thread_of_a_post_finds_our_reply_to_the_post(fake: FakeVK) -> None:
    post = fake.add_post("Пост")
    fake.add_mention("comment", reply_to=post)
    adapter = adapter_for(fake.server)
    post_mention = mention_of(post)
    published = await adapter.post_reply(post_mention, "Ответ сообщества", "k")

    thread = await adapter.fetch_thread(post_mention)

    assert thread[0].external_id == post
    assert published.external_id in {m.external_id for m in thread}
    assert "reply_to_comment" not in form(fake.requests("reply")[0])
    found = await adapter.find_reply(post_mention, "ответ сообщества")
    assert found == published


async def test_ids_that_are_not_vk_ids_are_refused_without_a_request(fake: FakeVK) -> None:
    adapter = adapter_for(fake.server)
    for bad in ("abc", "1_2_3", "", "-1_2", "1_"):
        with pytest.raises(PermanentError, match="not a VK post or comment id"):
            await adapter.post_reply(mention_of(bad), "x", "k")
    with pytest.raises(PermanentError, match="is a comment"):
        await adapter.fetch_post_comments("1_2")
    assert fake.server.requests == []


# -- replies ----------------------------------------------------------------------


async def test_reply_request_shape(server: TestServer) -> None:
    server.route(
        "POST", method("wall.createComment"), ok(fixture("reply-success.json")["response"])
    )
    adapter = adapter_for(server)

    published = await adapter.post_reply(
        mention_of("1287_1301", "1287"), "Анна, в 8:00!", "key-5f0c"
    )

    assert published.external_id == "1287_1306"
    assert published.url == "https://vk.com/wall-218375169_1287?reply=1306"
    (request,) = server.requests
    assert request.path == "/method/wall.createComment" and request.query == {}
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form(request) == {
        "owner_id": "-218375169",
        "post_id": "1287",
        "from_group": "218375169",
        "message": "Анна, в 8:00!",
        "guid": "key-5f0c",
        "reply_to_comment": "1301",
        "v": "5.199",
    }
    assert adapter.idempotent_replies is False
    assert adapter.reply_limit == 4096
    assert adapter.reply_length("привет 👍") == 8


async def test_a_long_reply_goes_as_multipart(fake: FakeVK) -> None:
    question = fake.add_mention("?")
    text = "Ответ с подробностями. " * 120  # > 2 KB once encoded
    adapter = adapter_for(fake.server)

    await adapter.post_reply(mention_of(question, fake.brand_post), text, "k")

    (request,) = fake.requests("reply")
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert fake.published[0].text == text


# -- errors ----------------------------------------------------------------------


async def test_error_5_is_an_auth_error_saying_what_to_set(server: TestServer) -> None:
    server.route(
        "POST", method("groups.getLongPollServer"), vk_error(5, "User authorization failed")
    )
    with pytest.raises(AuthError) as caught:
        await adapter_for(server).fetch_mentions(None)
    assert str(caught.value) == (
        "vk account 'bank-vk': token refused or expired (error 5): set BANK_VK_TOKEN"
    )


@pytest.mark.parametrize(
    ("reply", "wait", "spent"),
    [
        (VK.answer("error-rate-limit.http"), timedelta(seconds=1), {"mentions", "reply"}),
        (VK.answer("error-flood-control.http"), timedelta(seconds=60), {"reply"}),
        (vk_error(29, "Rate limit reached"), timedelta(hours=1), set()),
    ],
    ids=["6-per-second", "9-flood-control", "29-quota"],
)
async def test_in_body_rate_limits(
    server: TestServer, reply: Reply, wait: timedelta, spent: set[str]
) -> None:
    server.route("POST", method("wall.createComment"), reply)
    server.route(
        "POST", method("groups.getById"), ok({"groups": [comments_fixture()["groups"][0]]})
    )
    clock = FakeClock(NOW)
    adapter = adapter_for(server, clock=clock)

    with pytest.raises(RateLimited) as caught:
        await adapter.post_reply(mention_of("1287_1301", "1287"), "hi", "k")
    assert caught.value.retry_at == NOW + wait
    assert "rate limited" in str(caught.value)
    budget = adapter.rate_budget()
    assert budget is not None and budget.remaining == 0 and budget.reset_at == NOW + wait

    sent = len(server.requests)
    with pytest.raises(RateLimited):
        await adapter.post_reply(mention_of("1287_1301", "1287"), "hi", "k")
    assert len(server.requests) == sent, "a reply went to a spent budget"
    if "mentions" in spent:
        with pytest.raises(RateLimited):
            await adapter.verify()
        assert len(server.requests) == sent
    else:
        await adapter.verify()  # reads have their own budget
        assert len(server.requests) == sent + 1

    clock.now = NOW + wait + timedelta(seconds=1)
    with pytest.raises(RateLimited):
        await adapter.post_reply(mention_of("1287_1301", "1287"), "hi", "k")
    assert len(server.requests_to("POST", method("wall.createComment"))) == 2


async def test_error_29_on_reads_spends_the_read_budget_until_it_resets(
    server: TestServer,
) -> None:
    server.route("POST", method("groups.getLongPollServer"), vk_error(29, "Rate limit reached"))
    clock = FakeClock(NOW)
    adapter = adapter_for(server, clock=clock)
    with pytest.raises(RateLimited):
        await adapter.fetch_mentions(None)
    with pytest.raises(RateLimited):
        await adapter.fetch_mentions(cursor())
    assert len(server.requests) == 1
    clock.now = NOW + timedelta(minutes=61)
    route_session(server, ("KEY", "1"))
    server.route("GET", LP, json_reply({"ts": "1", "updates": []}))
    assert (await adapter.fetch_mentions(cursor())).mentions == ()
    assert adapter.rate_budget() is None  # nothing is spent any more


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (1, TransientError),
        (10, TransientError),
        (14, PermanentError),
        (15, PermanentError),
        (100, PermanentError),
        (212, PermanentError),
        (222, PermanentError),
    ],
)
async def test_other_error_codes(server: TestServer, code: int, kind: type[Exception]) -> None:
    server.route("POST", method("wall.createComment"), vk_error(code, "Access to comments denied"))
    with pytest.raises(kind) as caught:
        await adapter_for(server).post_reply(mention_of("1287_1301", "1287"), "hi", "k")
    assert str(caught.value) == (
        f"vk account 'bank-vk': wall.createComment "
        f"{'failed at VK' if kind is TransientError else 'refused'} "
        f"(error {code}: Access to comments denied)"
    )
    assert not isinstance(caught.value, RateLimited | AuthError)


@pytest.mark.parametrize(
    "reply",
    [
        server_error(500),
        server_error(503),
        html_error_page(502),
        truncated_json({"response": {"items": []}}),
        Reply(200, html_error_page().headers, html_error_page().body),
    ],
    ids=["500", "503", "html-502", "truncated", "html-200"],
)
async def test_server_faults_are_transient(server: TestServer, reply: Reply) -> None:
    server.route("POST", method("groups.getById"), reply)
    route_session(server, ("KEY", "1"))
    server.route("GET", LP, reply)
    adapter = adapter_for(server)
    for call in (adapter.verify(), adapter.fetch_mentions(cursor())):
        with pytest.raises(TransientError) as caught:
            await call
        assert not isinstance(caught.value, NotSent)
        assert str(caught.value).startswith("vk account 'bank-vk': ")


async def test_status_codes_from_a_proxy(server: TestServer) -> None:
    clock = FakeClock(NOW)
    server.route("POST", method("groups.getById"), too_many_requests("7"))
    adapter = adapter_for(server, clock=clock)
    with pytest.raises(RateLimited) as caught:
        await adapter.verify()
    assert caught.value.retry_at == NOW + timedelta(seconds=7)
    with pytest.raises(RateLimited):
        await adapter.verify()
    assert len(server.requests) == 1
    server.route("POST", method("wall.createComment"), json_reply({"error": "no"}, 401))
    with pytest.raises(AuthError):
        await adapter.post_reply(mention_of("1287"), "x", "k")


@pytest.mark.parametrize(
    ("path", "reply", "what"),
    [
        (method("groups.getById"), json_reply({"neither": 1}), "groups.getById"),
        (method("groups.getById"), json_reply([1, 2]), "groups.getById"),
        (method("groups.getById"), ok({"groups": []}), "groups.getById"),
        (method("groups.getById"), json_reply({"error": "text"}), "groups.getById error"),
        (method("groups.getLongPollServer"), ok({"server": "x"}), "groups.getLongPollServer"),
        (LP, json_reply({"ts": "2", "updates": "x"}), "long poll"),
        (LP, json_reply({"ts": True, "updates": []}), "long poll"),
        (LP, json_reply(["x"]), "long poll"),
        (
            LP,
            json_reply({"ts": "2", "updates": [event({"id": 1, "post_id": 1})]}),
            "long poll event",
        ),
        (method("wall.getComments"), ok({"items": "x", "count": 1}), "wall.getComments"),
        (method("wall.getComments"), ok({"items": [1], "count": 1}), "wall.getComments"),
        (method("wall.getComments"), ok({"items": [], "count": "1"}), "wall.getComments"),
        (
            method("wall.getComments"),
            ok({"count": 1, "items": [{"id": 1, "from_id": 2, "date": 1e9, "text": ""}]}),
            "wall.getComments item",
        ),
        (
            method("wall.getComments"),
            ok({"count": 1, "items": [{"id": 1, "from_id": 2, "date": 10**18, "text": ""}]}),
            "comment",
        ),
        (method("wall.createComment"), ok({"comment_id": None}), "wall.createComment"),
    ],
)
async def test_unexpected_shapes_are_transient(
    server: TestServer, path: str, reply: Reply, what: str
) -> None:
    route_session(server, ("KEY", "1"))
    server.route("GET", LP, json_reply({"ts": "1", "updates": []}))
    server.route("POST" if path != LP else "GET", path, reply)
    adapter = adapter_for(server)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        method("groups.getById"): adapter.verify,
        method("groups.getLongPollServer"): lambda: adapter.fetch_mentions(cursor()),
        LP: lambda: adapter.fetch_mentions(cursor()),
        method("wall.getComments"): lambda: adapter.fetch_post_comments("1"),
        method("wall.createComment"): lambda: adapter.post_reply(mention_of("1"), "x", "k"),
    }
    with pytest.raises(TransientError) as caught:
        await calls[path]()
    assert str(caught.value) == f"vk account 'bank-vk': unexpected {what} shape"


async def test_a_stalled_method_is_transient_and_bounded(server: TestServer) -> None:
    server.route("POST", method("wall.createComment"), server.stall())
    timeout = httpx.Timeout(connect=1.0, read=0.1, write=1.0, pool=1.0)
    async with plain_client(timeout) as client:
        adapter = adapter_for(server, client=client)
        started = time.monotonic()
        with pytest.raises(TransientError) as caught:
            await adapter.post_reply(mention_of("1287_1301"), "hello", "k")
    assert time.monotonic() - started < 2.0
    assert not isinstance(caught.value, NotSent)  # the comment may have been published


async def test_the_check_read_timeout_allows_for_wait(server: TestServer) -> None:
    def slow(seconds: float, reply: Reply) -> Callable[[Request], Reply]:
        def handler(_request: Request) -> Reply:
            server.released.wait(seconds)  # the server holds the check open, as VK does
            return reply

        return handler

    route_session(server, ("KEY", "1"))
    server.route("GET", LP, slow(0.2, json_reply({"ts": "1", "updates": []})))
    server.route("POST", method("groups.getById"), slow(0.2, ok({"groups": []})))
    timeout = httpx.Timeout(connect=1.0, read=0.08, write=1.0, pool=1.0)
    async with plain_client(timeout) as client:
        adapter = adapter_for(server, client=client, deadline=0.1, long_poll=1)
        assert (await adapter.fetch_mentions(cursor("1"))).mentions == ()
        with pytest.raises(TransientError, match="timed out"):
            await adapter.verify()


async def test_overall_deadline_bounds_a_call(server: TestServer) -> None:
    server.route("POST", method("groups.getLongPollServer"), server.stall())
    adapter = adapter_for(server, deadline=0.15)
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        await adapter.fetch_mentions(None)
    assert time.monotonic() - started < 2.0
    await adapter.aclose()


async def test_connect_refused_is_not_sent(server: TestServer) -> None:
    adapter = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(NotSent):
        await adapter.verify()
    # A long-poll server that is gone: the check was never sent either.
    dead = f"http://127.0.0.1:{unused_port()}/lp"
    server.route(
        "POST", method("groups.getLongPollServer"), ok({"key": "K", "server": dead, "ts": "1"})
    )
    with pytest.raises(NotSent, match="not sent"):
        await adapter_for(server).fetch_mentions(cursor())
    await adapter.aclose()


async def test_default_host_and_group_id() -> None:
    adapter = adapter_for(None, keys={"group_id": 1})
    assert "https://api.vk.com" in repr(adapter)
    await adapter.aclose()
    with pytest.raises(ValueError, match="group_id"):
        adapter_for(None, keys={"group_id": 0})


async def test_verify_names_the_community(server: TestServer) -> None:
    group = comments_fixture()["groups"][0]
    server.route("POST", method("groups.getById"), ok({"groups": [group], "profiles": []}))
    identity = await adapter_for(server).verify()
    assert (identity.user_id, identity.handle, identity.display_name) == (
        "-218375169",
        "zerno_coffee",
        "Кофейня «Зерно»",
    )
    assert form(server.requests[0]) == {"group_id": "218375169", "v": "5.199"}


# -- the fake's faults, the VK way --------------------------------------------------


async def test_fake_faults_on_a_long_poll_check(fake: FakeVK) -> None:
    adapter = adapter_for(fake.server)
    state = (await adapter.fetch_mentions(None)).cursor
    fake.fail("mentions", Fault.AUTH)
    with pytest.raises(AuthError):
        await adapter.fetch_mentions(state)
    paths = [r.path for r in fake.requests("mentions")][-2:]
    assert paths == ["/longpoll", "/method/groups.getLongPollServer"]
    fake.fail("reply", Fault.RATE_LIMIT_IN_BODY)
    with pytest.raises(RateLimited, match="error 9"):
        await adapter.post_reply(mention_of(fake.add_mention("x"), fake.brand_post), "y", "k")


# -- secrets ---------------------------------------------------------------------


async def test_token_and_session_key_never_in_errors_or_logs(
    server: TestServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = "LPKEY-c0ffee-secret"
    echo = {"error_code": 100, "error_msg": f"Bad access_token={CANARY}"}
    params = [{"key": "access_token", "value": CANARY}]
    faults: list[Reply] = [
        vk_error(5, f"User authorization failed: {CANARY}"),
        json_reply({"error": {**echo, "error_code": 6, "request_params": params}}),
        json_reply({"error": echo}),
        json_reply({"error": {**echo, "error_code": 10}}),
        server_error(500),
        html_error_page(502),
        truncated_json({"token": CANARY}),
        too_many_requests("soon"),
        json_reply({"error": CANARY}, 403),
    ]
    messages: list[str] = []
    for reply in faults:
        for path in ("groups.getById", "wall.createComment", "wall.getComments"):
            server.route("POST", method(path), reply)
        server.route("GET", LP, reply)
        route_session(server, (key, "1"))
        adapter = adapter_for(server)
        for call in (
            adapter.verify(),
            adapter.fetch_mentions(cursor()),
            adapter.post_reply(mention_of("1287_1301"), "x", "k"),
            adapter.fetch_post_comments("1287"),
        ):
            with pytest.raises(AdapterError) as caught:
                await call
            messages += [str(caught.value), repr(caught.value)]
        messages.append(repr(adapter))
    refused = adapter_for(f"http://127.0.0.1:{unused_port()}")
    with pytest.raises(NotSent) as caught_refused:
        await refused.fetch_mentions(None)
    messages += [str(caught_refused.value), repr(refused)]

    assert len(messages) == len(faults) * 9 + 2
    assert not [m for m in messages if "CANARY" in m or key in m]
    assert "CANARY" not in caplog.text
    # The session key rides in the a_check query (VK documents no other way); only httpx's
    # own INFO line ("HTTP Request: GET <url>") shows it. Every line of ours leaves it out.
    assert {r.name for r in caplog.records if key in r.getMessage()} == {"httpx"}
    assert any("HTTP 500" in r.getMessage() for r in caplog.records)
    assert any("/lp" in r.getMessage() for r in caplog.records)
    # Nothing secret travels in a URL: the token rides in a header, the key only to /lp.
    for request in server.requests:
        assert CANARY not in json.dumps(request.query)
        assert CANARY not in request.body.decode(errors="replace")


def test_fixture_ids_are_strings_in_the_cursor() -> None:
    state = vk_wall.Cursor.load(cursor("7", {"12": 5}))
    assert state is not None and state.seen == {12: 5}
    many = vk_wall.Cursor("7", {post: post * 10 for post in range(1, 80)})
    kept = json.loads(many.dump())["seen"]
    assert len(kept) == vk_wall.SEEN_POSTS and "79" in kept and "1" not in kept
