"""VKAdapter against a real local HTTP server: the fake's start-up, paging, threads and replies."""

from __future__ import annotations

import json

import pytest

from smm_tui.adapters.base import PermanentError
from tests.adapters import vk_kit as kit
from tests.adapters.httpserver import TestServer
from tests.fakes.vk import FakeVK

# The network's own fixtures, in place of the folder's (pytest finds them by name here).
server = kit.server
fake = kit.fake


# -- the fake: start-up, paging, restarts -------------------------------------------


async def test_first_poll_reads_the_newest_posts_oldest_first(fake: FakeVK) -> None:
    old = fake.add_mention("on the oldest post")
    posts = [fake.add_post(f"post {k}") for k in range(11)]
    newest, second = posts[-1], posts[-2]
    a = fake.add_mention("first", reply_to=second)
    b = fake.add_mention("second", reply_to=newest, author="bob")
    c = fake.add_mention("third", reply_to=a, author="carol")
    adapter = kit.adapter_for(fake.server)
    await adapter.post_reply(kit.mention_of(b, parent=newest), "Спасибо!", "k")

    page = await adapter.fetch_mentions(None)

    # Only the RECENT_POSTS newest posts are read; our own comment is not a mention.
    assert [m.external_id for m in page.mentions] == [a, b, c]
    assert old not in {m.external_id for m in page.mentions}
    assert page.mentions[2].parent_external_id == a
    bob = page.mentions[1].author
    assert (bob.handle, bob.display_name) == ("bob", "Bob")
    assert len(fake.server.requests_to("POST", kit.method("wall.get"))) == 4  # 3 a page, 10 posts
    state = json.loads(page.cursor or "")
    assert set(state) == {"ts", "seen"}  # no session key on disk


async def test_pages_through_long_poll_until_caught_up(fake: FakeVK) -> None:
    adapter = kit.adapter_for(fake.server)
    start = await adapter.fetch_mentions(None)
    sent = [fake.add_mention(f"q{k}", author=("alice", "bob")[k % 2]) for k in range(7)]

    page = await adapter.fetch_mentions(start.cursor)

    assert [m.external_id for m in page.mentions] == sent
    assert [m.text for m in page.mentions] == [f"q{k}" for k in range(7)]
    checks = fake.server.requests_to("GET", "/longpoll")
    assert [c.query["ts"] for c in checks] == [["1000"], ["1003"], ["1006"], ["1007"]]
    assert len(fake.server.requests_to("POST", kit.method("users.get"))) == 1
    again = await adapter.fetch_mentions(page.cursor)
    assert again.mentions == ()


async def test_our_published_reply_is_not_a_mention(fake: FakeVK) -> None:
    adapter = kit.adapter_for(fake.server)
    start = await adapter.fetch_mentions(None)
    question = fake.add_mention("когда откроетесь?")
    asked = await adapter.fetch_mentions(start.cursor)
    published = await adapter.post_reply(asked.mentions[0], "В 8:00", "k1")

    page = await adapter.fetch_mentions(asked.cursor)

    assert page.mentions == ()
    assert fake.published[0].in_reply_to == question
    post, comment = published.external_id.split("_")
    assert published.url == f"https://vk.com/wall-{kit.GROUP}_{post}?reply={comment}"


async def test_a_restart_asks_a_new_key_and_keeps_ts(fake: FakeVK) -> None:
    first = kit.adapter_for(fake.server)
    stored = (await first.fetch_mentions(None)).cursor
    new = fake.add_mention("while we were away")
    second = kit.adapter_for(fake.server)
    before = len(fake.server.requests_to("POST", kit.method("wall.get")))

    page = await second.fetch_mentions(stored)

    assert [m.external_id for m in page.mentions] == [new]
    assert len(fake.server.requests_to("POST", kit.method("wall.get"))) == before  # no catch-up
    assert len(fake.server.requests_to("POST", kit.method("groups.getLongPollServer"))) == 2


async def test_lost_history_is_caught_up_once(fake: FakeVK) -> None:
    adapter = kit.adapter_for(fake.server)
    start = await adapter.fetch_mentions(None)
    sent = [fake.add_mention(f"lost {k}") for k in range(4)]
    fake.lose_history()

    page = await adapter.fetch_mentions(start.cursor)

    assert [m.external_id for m in page.mentions] == sent
    assert (await adapter.fetch_mentions(page.cursor)).mentions == ()


async def test_an_unreadable_cursor_starts_over(fake: FakeVK) -> None:
    known = fake.add_mention("hello")
    for broken in ("not json", "[]", '{"ts": 5}', '{"seen": {}}', '{"ts": "1", "seen": []}'):
        adapter = kit.adapter_for(fake.server)
        page = await adapter.fetch_mentions(broken)
        assert [m.external_id for m in page.mentions] == [known]
        await adapter.aclose()


# -- threads and post comments (fake) -------------------------------------------


async def test_thread_of_a_reply_to_a_reply(fake: FakeVK) -> None:
    question = fake.add_mention("приложение не работает")
    first = fake.add_mention("у меня тоже", reply_to=question, author="bob")
    second = fake.add_mention("и у меня", reply_to=first, author="carol")
    adapter = kit.adapter_for(fake.server)
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
    adapter = kit.adapter_for(fake.server)
    await adapter.post_reply(kit.mention_of(top[0], parent=post), "Удачи!", "k")

    comments = await adapter.fetch_post_comments(post)

    assert [c.external_id for c in comments] == [*top, *replies]
    offsets = [
        (kit.form(r).get("comment_id"), kit.form(r)["offset"])
        for r in fake.server.requests_to("POST", kit.method("wall.getComments"))
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
    adapter = kit.adapter_for(fake.server)
    post_mention = kit.mention_of(post)
    published = await adapter.post_reply(post_mention, "Ответ сообщества", "k")

    thread = await adapter.fetch_thread(post_mention)

    assert thread[0].external_id == post
    assert published.external_id in {m.external_id for m in thread}
    assert "reply_to_comment" not in kit.form(fake.requests("reply")[0])
    found = await adapter.find_reply(post_mention, "ответ сообщества")
    assert found == published


async def test_ids_that_are_not_vk_ids_are_refused_without_a_request(fake: FakeVK) -> None:
    adapter = kit.adapter_for(fake.server)
    for bad in ("abc", "1_2_3", "", "-1_2", "1_"):
        with pytest.raises(PermanentError, match="not a VK post or comment id"):
            await adapter.post_reply(kit.mention_of(bad), "x", "k")
    with pytest.raises(PermanentError, match="is a comment"):
        await adapter.fetch_post_comments("1_2")
    assert fake.server.requests == []


# -- replies ----------------------------------------------------------------------


async def test_reply_request_shape(server: TestServer) -> None:
    server.route(
        "POST",
        kit.method("wall.createComment"),
        kit.ok(kit.fixture("reply-success.json")["response"]),
    )
    adapter = kit.adapter_for(server)

    published = await adapter.post_reply(
        kit.mention_of("1287_1301", "1287"), "Анна, в 8:00!", "key-5f0c"
    )

    assert published.external_id == "1287_1306"
    assert published.url == "https://vk.com/wall-218375169_1287?reply=1306"
    (request,) = server.requests
    assert request.path == "/method/wall.createComment" and request.query == {}
    assert request.headers["authorization"] == f"Bearer {kit.CANARY}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert kit.form(request) == {
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
    adapter = kit.adapter_for(fake.server)

    await adapter.post_reply(kit.mention_of(question, fake.brand_post), text, "k")

    (request,) = fake.requests("reply")
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert fake.published[0].text == text
