"""What a demo account publishes, and how its numbers move: posts, followers and counters.

Nothing here touches a network. :class:`PostDesk` gives each published post an
id and a permalink in the simulated network's form, and every id carries the
moment the post went out (as X, Mastodon and Bluesky ids really do; VK and
Telegram number their posts in order, here one number a quarter of an hour).
So a post's counters follow from its id, the account's seed and the clock
alone, and a later session (or a twin over another clock) reads the same
numbers for a post it never saw published. Follower counts follow from the seed
and the clock too: a steady climb, quicker on some days of the week than
others, with an hour's unfollows now and then.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from smm_tui.adapters.bluesky_records import tid, tid_value
from smm_tui.adapters.demo_identities import Seed
from smm_tui.core.models import Author
from smm_tui.core.network import PostCounters, PublishedReply, Unverifiable, is_our_post
from smm_tui.core.platforms import Platform, spec

__all__ = ["EPOCH", "PostDesk"]

#: Where the simulated accounts' clocks start: post numbers and follower lines count from here.
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
#: VK and Telegram number posts in order: one number for each slot since :data:`EPOCH`.
_SLOT = timedelta(minutes=15)
#: X's snowflake epoch (2010-11-04), in milliseconds since 1970.
_X_EPOCH_MS = 1_288_834_974_657
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Growth:
    """How big an account of a network is at :data:`EPOCH`, and its share gained a day."""

    low: int
    high: int
    daily: float


_GROWTH = {
    Platform.VK: _Growth(90_000, 260_000, 0.0018),
    Platform.TELEGRAM: _Growth(25_000, 80_000, 0.0030),
    Platform.MASTODON: _Growth(1_500, 6_000, 0.0012),
    Platform.BLUESKY: _Growth(4_000, 14_000, 0.0045),
    Platform.X: _Growth(20_000, 70_000, 0.0006),
    Platform.DEMO: _Growth(10_000, 40_000, 0.0020),
}


@dataclass(frozen=True, slots=True)
class _Sent:
    at: datetime
    text: str
    key: str
    reply: PublishedReply


class PostDesk:
    """One demo account's own posts and numbers, from its seed and a clock."""

    def __init__(
        self, seeds: Seed, brand: Author, platform: Platform, clock: Callable[[], datetime]
    ) -> None:
        self._seeds = seeds
        self._brand = brand
        self._platform = platform
        self._facts = spec(platform)
        self._clock = clock
        self._sent: dict[str, _Sent] = {}
        self._ids: set[str] = set()
        # A page with a history: its numbers do not start at the epoch's first slot.
        self._first_number = seeds.rng("post-numbers").randint(1_000, 20_000)
        growth = _GROWTH[platform]
        rng = seeds.rng("followers")
        self._base = rng.randint(growth.low, growth.high)
        self._per_day = self._base * growth.daily * rng.uniform(0.8, 1.25)
        self._phase = rng.uniform(0, 7)

    # -- posts ----------------------------------------------------------------

    def publish(self, text: str, key: str) -> PublishedReply:
        """Publish ``text`` now; a repeated ``key`` gets the post it already made."""
        sent = self._sent.get(key)
        if sent is not None:
            return sent.reply
        now = self._clock()
        external_id = self._new_id(now)
        reply = PublishedReply(external_id, self._url(external_id))
        self._sent[key] = _Sent(now, text, key, reply)
        return reply

    def find(self, text: str, key: str, since: datetime) -> PublishedReply | None:
        """Our post sent with ``key`` (or reading as ``text``) at or after ``since``, if any."""
        if not self._facts.capabilities.history:
            raise Unverifiable(f"{self._facts.name} cannot list the account's posts")
        for sent in self._sent.values():
            if sent.at >= since and (sent.key == key or is_our_post(sent.text, text)):
                return sent.reply
        return None

    # -- numbers --------------------------------------------------------------

    def followers(self, at: datetime) -> int:
        """The account's followers at ``at``: a climb, brisker on some weekdays than others."""
        days = (at - EPOCH) / _DAY
        wave = 0.6 * self._per_day * math.sin(2 * math.pi * (days + self._phase) / 7)
        # An hour's follows and unfollows: now and then a count is lower than the hour before.
        hour = math.floor(days * 24)
        jitter = self._seeds.rng("followers", hour).uniform(-0.4, 0.4) * self._per_day / 24
        return max(0, round(self._base + self._per_day * days + wave + jitter))

    def counters(self, external_ids: Sequence[str]) -> dict[str, PostCounters]:
        """The counters of the account's posts by id, grown with each post's age."""
        now = self._clock()
        views_given = self._facts.capabilities.views
        note = "" if views_given else f"{self._facts.name} gives no view counts"
        found: dict[str, PostCounters] = {}
        for external_id in external_ids:
            published = self._published_at(external_id)
            if published is None or published > now:
                continue
            rng = self._seeds.rng("counters", external_id)
            audience = self.followers(published)
            likes = audience * rng.uniform(0.0015, 0.008)
            totals = (likes, likes * rng.uniform(0.05, 0.25), likes * rng.uniform(0.03, 0.2))
            views = audience * rng.uniform(0.05, 0.25)
            share = _engaged(now - published)
            found[external_id] = PostCounters(
                likes=math.floor(totals[0] * share),
                reposts=math.floor(totals[1] * share),
                replies=math.floor(totals[2] * share),
                views=math.floor(views * share) if views_given else None,
                note=note,
            )
        return found

    # -- ids in the network's form --------------------------------------------

    def _new_id(self, now: datetime) -> str:
        if self._platform in (Platform.X, Platform.MASTODON, Platform.BLUESKY):
            low = self._seeds.rng("post-id", now.isoformat()).randrange(1024)
            external_id = self._snowflake(now, low)
            while external_id in self._ids:
                low += 1
                external_id = self._snowflake(now, low)
        else:
            number = self._first_number + math.floor((now - EPOCH) / _SLOT)
            while str(number) in self._ids:
                number += 1
            external_id = str(number)
        self._ids.add(external_id)
        return external_id

    def _snowflake(self, now: datetime, low: int) -> str:
        ms = math.floor(now.timestamp() * 1000)
        if self._platform is Platform.X:
            return str(((ms - _X_EPOCH_MS) << 22) | (low % (1 << 22)))
        if self._platform is Platform.MASTODON:
            return str((ms << 16) | (low % (1 << 16)))
        rkey = tid(((ms * 1000) << 10) | (low % 1024))
        return f"at://{self._brand.id}/app.bsky.feed.post/{rkey}"

    def _published_at(self, external_id: str) -> datetime | None:
        """When the post with this id went out, read back from the id; None if it is not ours."""
        platform = self._platform
        if platform is Platform.BLUESKY:
            prefix = f"at://{self._brand.id}/app.bsky.feed.post/"
            value = tid_value(external_id.removeprefix(prefix))
            if not external_id.startswith(prefix) or value is None:
                return None
            return _from_ms((value >> 10) // 1000)
        if not external_id.isdigit():
            return None
        number = int(external_id)
        if platform is Platform.X:
            return _from_ms((number >> 22) + _X_EPOCH_MS)
        if platform is Platform.MASTODON:
            return _from_ms(number >> 16)
        if number < self._first_number:
            return None
        return EPOCH + (number - self._first_number) * _SLOT

    def _url(self, external_id: str) -> str:
        brand, platform = self._brand, self._platform
        handle = brand.handle.lstrip("@")
        if platform is Platform.VK:
            return f"https://vk.com/wall{brand.id}_{external_id}"
        if platform is Platform.TELEGRAM:
            return f"https://t.me/{handle}/{external_id}"
        if platform is Platform.MASTODON:
            user, _, instance = handle.partition("@")
            return f"https://{instance or 'mastodon.social'}/@{user}/{external_id}"
        if platform is Platform.BLUESKY:
            return f"https://bsky.app/profile/{handle}/post/{external_id.rsplit('/', 1)[-1]}"
        if platform is Platform.X:
            return f"https://x.com/{handle}/status/{external_id}"
        return f"https://demo.example/{handle}/p{external_id}"


def _engaged(age: timedelta) -> float:
    """The share of its final counters a post has at ``age``: most in its first hours."""
    hours = max(0.0, age / timedelta(hours=1))
    return 0.8 * (1 - math.exp(-hours / 5)) + 0.2 * (1 - math.exp(-hours / 60))


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)
