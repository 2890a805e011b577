"""What every demo adapter test module shares: a clock to move, ways to read the stream,
and the shapes of what the demo publishes."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TypedDict, Unpack

from smm_tui.adapters.base import MentionPage
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.core.models import Mention, Platform

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
HOSTILE_MARKERS = ("\x1b", "\x9b", "\u202e", "[link=", "[@click", "[/]")
URL_PREFIXES = {
    Platform.VK: "https://vk.com/wall-",
    Platform.X: "https://x.com/",
    Platform.MASTODON: "https://",
    Platform.BLUESKY: "https://bsky.app/profile/",
    Platform.TELEGRAM: "https://t.me/",
    Platform.DEMO: "https://demo.example/",
}

#: A user id and a handle as each network writes them. A network added to the registry
#: needs its shapes here, and the demo must be able to play it.
ID_AND_HANDLE_SHAPES = {
    Platform.VK: (r"[1-9]\d{6,8}", r"id[1-9]\d{6,8}|[a-z][a-z0-9_]+"),
    Platform.TELEGRAM: (r"[1-9]\d{8,9}", r"[a-z][a-z0-9_]{4,}"),
    Platform.MASTODON: (r"[1-9]\d{17}", r"[a-z][a-z0-9_]*@[a-z0-9-]+(\.[a-z0-9-]+)+"),
    Platform.BLUESKY: (r"did:plc:[a-z2-7]{24}", r"[a-z][a-z0-9-]*\.bsky\.social"),
    Platform.X: (r"[1-9]\d{9,18}", r"@[a-z0-9_]{1,15}"),
}

#: A published post's permalink on each network (its one group: the post's own id or key),
#: and its external id as the network's API gives it.
POST_SHAPES = {
    Platform.VK: (r"https://vk\.com/wall-[1-9]\d{7,8}_([1-9]\d{3,6})", r"[1-9]\d{3,6}"),
    Platform.TELEGRAM: (r"https://t\.me/[a-z][a-z0-9_]{4,}/([1-9]\d{3,6})", r"[1-9]\d{3,6}"),
    Platform.MASTODON: (r"https://[a-z0-9.-]+/@[a-z0-9_]+/([1-9]\d{17})", r"[1-9]\d{17}"),
    Platform.BLUESKY: (
        r"https://bsky\.app/profile/[a-z0-9.-]+/post/([2-7a-z]{13})",
        r"at://did:plc:[a-z2-7]{24}/app\.bsky\.feed\.post/[2-7a-z]{13}",
    ),
    Platform.X: (r"https://x\.com/[A-Za-z0-9_]{1,15}/status/([1-9]\d{18})", r"[1-9]\d{18}"),
}


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Options(TypedDict, total=False):
    """The DemoAdapter settings a test may change; the rest keep the adapter's defaults."""

    seed: int
    rate_per_minute: float
    backlog: int
    history: int


def make(
    clock: FakeClock,
    simulate: Platform = Platform.VK,
    account: str = "limebank",
    **options: Unpack[Options],
) -> DemoAdapter:
    return DemoAdapter(account, simulate=simulate, clock=clock, start=T0, **options)


def fetch(adapter: DemoAdapter, cursor: str | None) -> MentionPage:
    return asyncio.run(adapter.fetch_mentions(cursor))


def stream(adapter: DemoAdapter, clock: FakeClock, count: int) -> list[Mention]:
    """At least ``count`` mentions, fetched the way the ingest service would; ends caught up."""
    mentions: list[Mention] = []
    cursor = None
    while True:
        page = fetch(adapter, cursor)
        mentions.extend(page.mentions)
        cursor = page.cursor
        if len(mentions) >= count:
            return mentions
        clock.advance(minutes=30)


def numbers(mentions: list[Mention]) -> list[int]:
    return [int(mention.external_id.removeprefix("c")) for mention in mentions]


def content(mention: Mention) -> tuple[object, ...]:
    return (
        mention.external_id,
        mention.text,
        mention.author,
        mention.parent_external_id,
        mention.root_external_id,
        mention.language,
        mention.sentiment,
    )


def is_hostile(mention: Mention) -> bool:
    shown = mention.text + mention.author.display_name + mention.author.handle
    return any(marker in shown for marker in HOSTILE_MARKERS)
