"""VKAdapter against a real local HTTP server: text, the documented comments and the long poll."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from smm_tui.adapters import vk
from smm_tui.adapters.base import TransientError
from smm_tui.adapters.vk import plain_text
from smm_tui.adapters.vk_wall import tagged_ids
from smm_tui.core.models import Author, Platform
from tests.adapters import vk_kit as kit
from tests.adapters.httpserver import TestServer, json_reply, sequence

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
server = kit.server
fake = kit.fake


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
    server.route("POST", kit.method("wall.getComments"), kit.ok(kit.comments_fixture()))
    adapter = kit.adapter_for(server)

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
    assert all(c.platform is Platform.VK and c.account == kit.ACCOUNT for c in comments)

    (request,) = server.requests
    assert request.method == "POST"
    assert request.path == "/method/wall.getComments"
    assert request.query == {}
    assert request.headers["authorization"] == f"Bearer {kit.CANARY}"
    assert kit.form(request) == {
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
    assert kit.CANARY not in request.body.decode()


async def test_thread_from_fixture_holds_post_comment_and_our_answer(server: TestServer) -> None:
    data = kit.comments_fixture()
    top = copy.deepcopy(data["items"][0])
    ours = top.pop("thread")["items"]
    post = {
        "id": 1287,
        "owner_id": -kit.GROUP,
        "from_id": -kit.GROUP,
        "date": 1735700000,
        "text": "Пост",
    }
    groups = data["groups"]
    server.route("POST", kit.method("wall.getById"), kit.ok({"items": [post], "groups": groups}))
    server.route(
        "POST",
        kit.method("wall.getComment"),
        kit.ok({"items": [top], "profiles": data["profiles"]}),
    )
    thread_page = {"count": 1, "current_level_count": 1, "items": ours, "groups": groups}
    server.route("POST", kit.method("wall.getComments"), kit.ok(thread_page))
    adapter = kit.adapter_for(server)

    thread = await adapter.fetch_thread(kit.mention_of("1287_1301", parent="1287"))

    assert [m.external_id for m in thread] == ["1287", "1287_1301", "1287_1304"]
    root, question, answer = thread
    assert root.author == Author("-218375169", "zerno_coffee", "Кофейня «Зерно»")
    assert (root.parent_external_id, root.root_external_id) == (None, "1287")
    assert root.url == "https://vk.com/wall-218375169_1287"
    assert answer.author.id == "-218375169"
    assert answer.parent_external_id == "1287_1301"
    found = await adapter.find_reply(question, "открываемся 3 января")
    assert found is not None and found.external_id == "1287_1304"
    assert (
        kit.form(server.requests_to("POST", kit.method("wall.getComments"))[0])["comment_id"]
        == "1301"
    )
    assert (
        kit.form(server.requests_to("POST", kit.method("wall.getById"))[0])["posts"]
        == "-218375169_1287"
    )


# -- long poll -------------------------------------------------------------------


async def test_long_poll_event_becomes_a_mention(server: TestServer) -> None:
    kit.route_session(server, ("KEY-1", "999"))
    server.route(
        "GET",
        kit.LP,
        sequence(
            json_reply(kit.fixture("longpoll-wall_reply_new.json")),
            json_reply({"ts": "1024", "updates": []}),
        ),
    )
    server.route("POST", kit.method("users.get"), kit.ok([kit.anna()]))
    adapter = kit.adapter_for(server, long_poll=25)

    page = await adapter.fetch_mentions(kit.cursor("1023"))

    (mention,) = page.mentions
    assert mention.external_id == "1287_1305"
    assert mention.text == "Спасибо! 👍"
    assert mention.author == Author("512345678", "anna.smirnova", "Анна Смирнова")
    assert (mention.parent_external_id, mention.root_external_id) == ("1287", "1287")
    assert mention.created_at == datetime.fromtimestamp(1735723000, UTC)
    assert json.loads(page.cursor or "") == {"ts": "1024", "seen": {"1287": 1305}}
    checks = server.requests_to("GET", kit.LP)
    assert [c.query for c in checks] == [
        {"act": ["a_check"], "key": ["KEY-1"], "ts": ["1023"], "wait": ["25"]},
        {"act": ["a_check"], "key": ["KEY-1"], "ts": ["1024"], "wait": ["1"]},
    ]
    # The long-poll server (its address comes from VK) never gets the token.
    assert all("authorization" not in c.headers for c in checks)
    assert (
        kit.form(server.requests_to("POST", kit.method("users.get"))[0])["user_ids"] == "512345678"
    )

    await adapter.fetch_mentions(page.cursor)  # the session and the names are reused
    assert len(server.requests_to("POST", kit.method("groups.getLongPollServer"))) == 1
    assert len(server.requests_to("POST", kit.method("users.get"))) == 1


async def test_long_poll_keeps_only_new_comments_of_others_on_our_wall(
    server: TestServer,
) -> None:
    base = kit.fixture("longpoll-wall_reply_new.json")["updates"][0]["object"]
    ours = {**base, "id": 1306, "from_id": -kit.GROUP}
    foreign = {**base, "id": 1307, "owner_id": -1, "post_owner_id": -1}
    direct_message = {"type": "message_new", "object": {"message": {"text": "dm"}}}
    updates = [
        kit.event({**base, "id": 1300}, "wall_reply_edit"),
        kit.event(ours),
        kit.event(foreign),
        kit.event({**base, "id": 1308, "deleted": True}),
        "not an event",
        kit.event({**base, "id": 1309, "text": "kept"}),
    ]
    kit.route_session(server, ("KEY-1", "1"))
    server.route(
        "GET",
        kit.LP,
        sequence(
            # A batch of other events only: the queue is not drained yet.
            json_reply({"ts": "2", "updates": [direct_message]}),
            json_reply({"ts": "3", "updates": updates}),
            json_reply({"ts": "3", "updates": []}),
        ),
    )
    server.route("POST", kit.method("users.get"), kit.ok([kit.anna()]))

    page = await kit.adapter_for(server).fetch_mentions(kit.cursor("1", {"1287": 1290}))

    assert [m.external_id for m in page.mentions] == ["1287_1309"]
    assert json.loads(page.cursor or "") == {"ts": "3", "seen": {"1287": 1309}}


async def test_expired_key_gets_a_new_key_and_keeps_ts(server: TestServer) -> None:
    kit.route_session(server, ("KEY-1", "5000"), ("KEY-2", "6000"))
    empty = json_reply({"ts": "1023", "updates": []})
    server.route(
        "GET", kit.LP, sequence(json_reply(kit.fixture("longpoll-failed-key-expired.json")), empty)
    )

    page = await kit.adapter_for(server).fetch_mentions(kit.cursor("1023"))

    assert page.mentions == ()
    assert [(c.query["key"], c.query["ts"]) for c in server.requests_to("GET", kit.LP)] == [
        (["KEY-1"], ["1023"]),
        (["KEY-2"], ["1023"]),
    ]
    assert server.requests_to("POST", kit.method("wall.get")) == []


async def test_outdated_ts_takes_the_new_ts_and_catches_up_without_repeats(
    server: TestServer,
) -> None:
    kit.route_session(server, ("KEY-1", "1"))
    items = kit.comments_fixture()["items"]
    late = kit.fixture("longpoll-wall_reply_new.json")["updates"][0]["object"]
    server.route(
        "GET",
        kit.LP,
        sequence(
            json_reply({"failed": 1, "ts": "2000"}),
            # 1303 came with the catch-up already; 1305 is new.
            json_reply({"ts": "2002", "updates": [kit.event(items[2]), kit.event(late)]}),
            json_reply({"ts": "2002", "updates": []}),
        ),
    )
    post = {
        "id": 1287,
        "from_id": -kit.GROUP,
        "date": 1735700000,
        "text": "",
        "comments": {"count": 4},
    }
    server.route("POST", kit.method("wall.get"), kit.ok({"count": 1, "items": [post]}))
    server.route("POST", kit.method("wall.getComments"), kit.ok(kit.comments_fixture()))
    server.route("POST", kit.method("users.get"), kit.ok([kit.anna()]))

    page = await kit.adapter_for(server).fetch_mentions(kit.cursor("1023", {"1287": 1301}))

    assert [m.external_id for m in page.mentions] == ["1287_1302", "1287_1303", "1287_1305"]
    assert [c.query["ts"] for c in server.requests_to("GET", kit.LP)] == [
        ["1023"],
        ["2000"],
        ["2002"],
    ]
    assert json.loads(page.cursor or "") == {"ts": "2002", "seen": {"1287": 1305}}
    assert kit.form(server.requests_to("POST", kit.method("wall.get"))[0]) == {
        "owner_id": "-218375169",
        "offset": "0",
        "count": "10",
        "v": "5.199",
    }


async def test_lost_information_renews_key_and_ts_and_catches_up(server: TestServer) -> None:
    kit.route_session(server, ("KEY-1", "1"), ("KEY-2", "3000"))
    server.route(
        "GET",
        kit.LP,
        sequence(json_reply({"failed": 3}), json_reply({"ts": "3000", "updates": []})),
    )
    server.route("POST", kit.method("wall.get"), kit.ok({"count": 0, "items": []}))

    page = await kit.adapter_for(server).fetch_mentions(kit.cursor("1023"))

    assert page.mentions == ()
    assert [(c.query["key"], c.query["ts"]) for c in server.requests_to("GET", kit.LP)] == [
        (["KEY-1"], ["1023"]),
        (["KEY-2"], ["3000"]),
    ]
    assert len(server.requests_to("POST", kit.method("wall.get"))) == 1
    assert json.loads(page.cursor or "")["ts"] == "3000"


async def test_a_key_that_keeps_expiring_is_transient(server: TestServer) -> None:
    kit.route_session(server, ("KEY-1", "1"))
    server.route("GET", kit.LP, json_reply({"failed": 2}))
    with pytest.raises(TransientError, match="keeps expiring"):
        await kit.adapter_for(server).fetch_mentions(kit.cursor())
    assert len(server.requests_to("GET", kit.LP)) == 3


async def test_a_server_repeating_its_ts_is_not_asked_forever(
    server: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vk, "MAX_PAGES", 5)
    late = kit.fixture("longpoll-wall_reply_new.json")["updates"][0]["object"]
    kit.route_session(server, ("KEY-1", "1"))
    server.route("POST", kit.method("users.get"), kit.ok([kit.anna()]))
    server.route("GET", kit.LP, json_reply({"ts": "1023", "updates": [kit.event(late)]}))
    adapter = kit.adapter_for(server)

    page = await adapter.fetch_mentions(kit.cursor("1023"))
    assert len(page.mentions) == 1
    assert len(server.requests_to("GET", kit.LP)) == 1

    counter = iter(range(5000, 6000))
    server.route(
        "GET",
        kit.LP,
        lambda _r: json_reply({"ts": str(next(counter)), "updates": [kit.event(late)]}),
    )
    page = await adapter.fetch_mentions(kit.cursor("1023"))
    assert len(page.mentions) == 1
    assert len(server.requests_to("GET", kit.LP)) == 1 + 5


def test_the_people_a_comment_tags_are_kept_by_id() -> None:
    text = "[id7|Анна] и [club5|Кофейня] и [id7|Аня] и [id8:bp-5_6|Board] [idx|n]"
    assert tagged_ids(text) == ("id7", "club5", "id8")
