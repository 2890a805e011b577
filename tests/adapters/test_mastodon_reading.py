"""MastodonAdapter against a real local HTTP server: HTML, mentions, threads and replies."""

from __future__ import annotations

from datetime import UTC, datetime

from smm_tui.adapters.mastodon import html_to_text, parse_link_header
from smm_tui.core.models import Author
from tests.adapters import mastodon_kit as kit
from tests.adapters.httpserver import Reply, Request, TestServer, json_reply, raw_json_reply

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
    texts = [html_to_text(item["status"]["content"]) for item in kit.mentions_fixture()]
    assert texts[0] == "@acme Привет! Заказ №4821 так и не пришёл 😕 Трек: track.example.ru/4821"
    assert texts[1] == "@acme شكراً على الرد السريع! 🌟\n\nسؤال آخر: هل التوصيل مجاني؟"
    # Hostile strings arrive as plain text: entities unescaped once, markup left for the UI.
    assert texts[2] == (
        "@acme [bold red]x[/] \x1b[31mALERT\x1b[0m <script>alert(1)</script> &amp; "
        "[link=https://evil.example]click[/link]"
    )


def test_parse_link_header() -> None:
    links = parse_link_header(kit.MASTODON.answer("list-mentions-headers.http").headers["Link"])
    assert links["prev"].endswith("min_id=34975861&types%5B%5D=mention")
    assert "max_id=34975811" in links["next"]


# -- mentions ----------------------------------------------------------------


async def test_first_poll_returns_recent_page_oldest_first(http_server: TestServer) -> None:
    headers = kit.MASTODON.answer("list-mentions-headers.http").headers

    def handler(request: Request) -> Reply:
        older = "max_id" in request.query  # the backfill asks for older pages: there are none
        return json_reply([] if older else kit.mentions_fixture(), headers=headers)

    http_server.route("GET", kit.NOTIFICATIONS, handler)
    adapter = kit.adapter_for(http_server)

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
    request, older = http_server.requests_to("GET", kit.NOTIFICATIONS)
    assert request.query == {"types[]": ["mention"], "limit": ["40"]}
    assert request.headers["authorization"] == f"Bearer {kit.CANARY}"
    assert older.query == {"types[]": ["mention"], "limit": ["40"], "max_id": ["34975811"]}


async def test_pages_newer_via_link_until_caught_up(http_server: TestServer) -> None:
    template = kit.mentions_fixture()[0]
    items = [kit.notification(k, template) for k in range(1, 46)]
    pages = {"old-cursor": items[:40], items[39]["id"]: items[40:]}

    def handler(request: Request) -> Reply:
        page = pages.get(request.query["min_id"][0], [])
        prev = kit.link_prev(http_server, page[-1]["id"]) if page else {}
        return json_reply(list(reversed(page)), headers=prev)  # newest first, as Mastodon

    http_server.route("GET", kit.NOTIFICATIONS, handler)

    page = await kit.adapter_for(http_server).fetch_mentions("old-cursor")

    assert [m.text for m in page.mentions] == [f"mention {k}" for k in range(1, 46)]
    assert page.cursor == items[-1]["id"]
    # A short page is not proof of the end (servers cap limits): one empty page is.
    assert [r.query["min_id"] for r in http_server.requests_to("GET", kit.NOTIFICATIONS)] == [
        ["old-cursor"],
        [items[39]["id"]],
        [items[44]["id"]],
    ]


async def test_full_last_page_is_followed_by_one_empty_page(http_server: TestServer) -> None:
    template = kit.mentions_fixture()[0]
    items = [kit.notification(k, template) for k in range(1, 41)]

    def handler(request: Request) -> Reply:
        if request.query["min_id"] == ["c0"]:
            return json_reply(
                list(reversed(items)), headers=kit.link_prev(http_server, items[-1]["id"])
            )
        return json_reply([])

    http_server.route("GET", kit.NOTIFICATIONS, handler)
    page = await kit.adapter_for(http_server).fetch_mentions("c0")
    assert len(page.mentions) == 40
    assert page.cursor == items[-1]["id"]
    assert len(http_server.requests_to("GET", kit.NOTIFICATIONS)) == 2


async def test_nothing_new_keeps_the_cursor(http_server: TestServer) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, json_reply([]))
    page = await kit.adapter_for(http_server).fetch_mentions("34975861")
    assert page.mentions == ()
    assert page.cursor == "34975861"


async def test_refetch_gives_the_same_mention_ids(http_server: TestServer) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, json_reply(kit.mentions_fixture()))
    adapter = kit.adapter_for(http_server)
    first = await adapter.fetch_mentions(None)
    second = await adapter.fetch_mentions(None)
    assert [m.id for m in first.mentions] == [m.id for m in second.mentions]
    assert len({m.id for m in first.mentions}) == 3


async def test_recorded_mentions_only_response(http_server: TestServer) -> None:
    pairs = kit.recorded_bodies("test_notifications_mentions_only.yaml")
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
    http_server.route("GET", kit.NOTIFICATIONS, raw_json_reply(body, headers=headers))
    adapter = kit.adapter_for(http_server)

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
    statuses = [item["status"] for item in kit.mentions_fixture()]
    context = {"ancestors": [statuses[2], statuses[1]], "descendants": [statuses[0]]}
    http_server.route("GET", f"{kit.STATUSES}/113750000000000500/context", json_reply(context))
    adapter = kit.adapter_for(http_server)

    thread = await adapter.fetch_thread(kit.mention_of("113750000000000500"))
    comments = await adapter.fetch_post_comments("113750000000000500")

    assert [m.external_id for m in thread] == [
        "113750000000000042",
        "113750000000000077",
        "113750000000000101",
    ]
    assert [m.external_id for m in comments] == ["113750000000000101"]


async def test_recorded_empty_context(http_server: TestServer) -> None:
    uri, body = next(
        p for p in kit.recorded_bodies("test_status_context.yaml") if p[0].endswith("/context")
    )
    status_path = uri.removeprefix("http://localhost:3000")
    http_server.route("GET", status_path, raw_json_reply(body))
    status_id = status_path.split("/")[-2]
    assert await kit.adapter_for(http_server).fetch_thread(kit.mention_of(status_id)) == ()


# -- replies -----------------------------------------------------------------


async def test_post_reply_sends_key_parent_and_addresses_author(http_server: TestServer) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, json_reply(kit.mentions_fixture()))
    http_server.route(
        "POST", kit.STATUSES, raw_json_reply((kit.API / "reply-success.json").read_text())
    )
    adapter = kit.adapter_for(http_server)
    anna = (await adapter.fetch_mentions(None)).mentions[-1]

    published = await adapter.post_reply(anna, "Анна, извините!", "key-5f0c")

    assert published.external_id == "113750000000000200"
    assert published.url == "https://mastodon.example/@acme/113750000000000200"
    (request,) = http_server.requests_to("POST", kit.STATUSES)
    assert request.headers["idempotency-key"] == "key-5f0c"
    assert request.headers["authorization"] == f"Bearer {kit.CANARY}"
    form = request.form()
    assert form["status"] == ["@anna@fediverse.example.ru Анна, извините!"]
    assert form["in_reply_to_id"] == ["113750000000000101"]
    assert form["visibility"] == ["public"]
    assert form["language"] == ["ru"]


async def test_reply_mirrors_direct_visibility_and_keeps_existing_mention(
    http_server: TestServer,
) -> None:
    http_server.route("GET", kit.NOTIFICATIONS, json_reply(kit.mentions_fixture()))
    http_server.route(
        "POST", kit.STATUSES, raw_json_reply((kit.API / "reply-success.json").read_text())
    )
    adapter = kit.adapter_for(http_server)
    mallory = (await adapter.fetch_mentions(None)).mentions[0]

    await adapter.post_reply(mallory, "@Mallory@evil.example we saw it", "k1")

    form = http_server.requests_to("POST", kit.STATUSES)[0].form()
    assert form["visibility"] == ["direct"]
    assert form["status"] == ["@Mallory@evil.example we saw it"]


async def test_reply_to_unseen_status_looks_up_its_visibility(http_server: TestServer) -> None:
    private = dict(kit.mentions_fixture()[0]["status"], visibility="private")
    http_server.route("GET", f"{kit.STATUSES}/113750000000000101", json_reply(private))
    http_server.route(
        "POST", kit.STATUSES, raw_json_reply((kit.API / "reply-success.json").read_text())
    )

    await kit.adapter_for(http_server).post_reply(kit.mention_of("113750000000000101"), "ok", "k2")

    assert http_server.requests_to("POST", kit.STATUSES)[0].form()["visibility"] == ["private"]


async def test_verify_reads_credentials(http_server: TestServer) -> None:
    me = kit.mentions_fixture()[0]["status"]["account"]
    http_server.route("GET", "/api/v1/accounts/verify_credentials", json_reply(me))
    identity = await kit.adapter_for(http_server).verify()
    assert (identity.user_id, identity.handle) == (
        "110200000000000011",
        "@anna@fediverse.example.ru",
    )
