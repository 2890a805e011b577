"""A seeded, live mention stream that pretends to be one account on a real network.

Nothing here touches a network. Item k of an account's stream (its author,
text and place in a thread) is a pure function of (seed, account, simulated
network, k), so two adapters built alike tell the same story; only *when* items
arrive depends on ``start`` and ``rate_per_minute``. The first fetch delivers a
backlog of comments from the last three hours, then new ones keep arriving
with exponential gaps, as on a busy brand page.

:meth:`DemoAdapter.working_day` shapes the stream as a team's day: two weeks of
comments the team already handled (:meth:`DemoAdapter.history_mentions`, never
fetched), and a backlog of only the last few minutes.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from smm_tui.adapters import demo_corpus as corpus
from smm_tui.adapters.base import (
    Adapter,
    Identity,
    MentionPage,
    PermanentError,
    PublishedReply,
    TransientError,
)
from smm_tui.adapters.demo_corpus import Kind
from smm_tui.core import limits
from smm_tui.core.models import Author, Mention, Platform, Sentiment, utcnow

CONTEST_POST_ID = "post-contest"

_BACKLOG_WINDOW = timedelta(hours=3)
#: The working day's shape: comments handled over the last fortnight, and a short queue.
WORKING_DAY_HISTORY = 100
WORKING_DAY_BACKLOG = 5
WORKING_DAY_BACKLOG_WINDOW = timedelta(minutes=12)
HISTORY_SPAN = timedelta(days=14)
#: The share of the history written in the last 20 hours (today's shift), the rest before.
_TODAY_SHARE = 0.3
_TODAY = timedelta(hours=20)
# Comments under a fresh giveaway post are mostly entries.
_GIVEAWAY_KIND_WEIGHTS = (0.12, 0.12, 0.08, 0.04, 0.55, 0.09)
# Follow-ups answer one of the last few comments, so finding replies stays a short scan.
_FOLLOWUP_WINDOW = 25
_FOLLOWUP_TRIES = 3
_OWN_FOLLOWUP_SHARE = 0.4
# Most giveaway entrants come only for the giveaway; the rest are regulars, who re-enter.
_REGULAR_ENTRANT_SHARE = 0.25
_HOSTILE_SHARE = 0.02
_POOL_SIZES = {"ru": 30, "en": 21, "ar": 9}
_LANGUAGE_WEIGHTS = (0.50, 0.35, 0.15)
# None stands for "a reply to an earlier comment".
_KIND_CHOICES: tuple[Kind | None, ...] = (
    Kind.QUESTION,
    Kind.COMPLAINT,
    Kind.PRAISE,
    Kind.SPAM,
    Kind.CONTEST,
    None,
)
_KIND_WEIGHTS = (0.22, 0.28, 0.14, 0.06, 0.14, 0.16)
_ANSWERABLE = (Kind.QUESTION, Kind.COMPLAINT, Kind.PRAISE)
_SENTIMENT = {
    Kind.QUESTION: Sentiment.UNKNOWN,
    Kind.CONTEST: Sentiment.UNKNOWN,
    Kind.COMPLAINT: Sentiment.NEGATIVE,
    Kind.PRAISE: Sentiment.POSITIVE,
    Kind.SPAM: Sentiment.NEUTRAL,
}
# External ids look like those of a page that already had a thousand comments.
_FIRST_COMMENT = 1000
_FIRST_OWN_REPLY = 500_000
_COMMENT_ID = re.compile(r"c(\d+)")
_DAYS = {"ru": (2, 4), "en": (2, 9), "ar": (3, 9)}
_HOURS = {"ru": (2, 4), "en": (2, 9), "ar": (3, 9)}
_BASE32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"
_DID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass(frozen=True, slots=True)
class _Post:
    external_id: str
    number: int
    language: str
    text: str
    age_s: float


@dataclass(frozen=True, slots=True)
class _Item:
    kind: Kind
    language: str
    text: str
    author: Author
    #: The author before any hostile disguise: follow-ups and URLs use this one.
    pool_author: Author
    parent: str
    root: str


class _Network:
    """Ids, handles and URLs in the style of the simulated network."""

    def __init__(self, platform: Platform, account: str, rng: random.Random) -> None:
        self.platform = platform
        self.account = account
        self.screen = _screen_name(account)
        self.group = rng.randint(10_000_000, 229_999_999)
        self.x_base = rng.randint(1_780_000_000_000_000_000, 1_790_000_000_000_000_000)
        self.mastodon_base = rng.randint(112_000_000_000_000_000, 113_000_000_000_000_000)
        self.tid_base = rng.randint(1_700_000_000_000_000, 1_750_000_000_000_000) << 10

    def brand(self, rng: random.Random) -> Author:
        """The account itself, as the network names it."""
        name = _brand_name(self.account)
        followers = rng.randint(40_000, 900_000)
        match self.platform:
            case Platform.VK:
                return Author(f"-{self.group}", self.screen, name, followers)
            case Platform.TELEGRAM:
                return Author(f"-100{self.group}", self.screen, name, followers)
            case Platform.DEMO:
                return Author(self.account, self.account, name, followers)
            case Platform.MASTODON:
                handle = f"{self.screen}@{corpus.MASTODON_INSTANCES[0]}"
                return Author(self.user_id(rng), handle, name, followers)
        return Author(self.user_id(rng), self.handle(self.screen, "", rng), name, followers)

    def user_id(self, rng: random.Random) -> str:
        """A user id of the network's shape."""
        match self.platform:
            case Platform.VK:
                return str(rng.randint(1_000_000, 899_999_999))
            case Platform.X:
                return str(rng.randint(10**9, 1_900_000_000_000_000_000))
            case Platform.MASTODON:
                return str(rng.randint(10**17, 113 * 10**15))
            case Platform.BLUESKY:
                return "did:plc:" + "".join(rng.choices(_DID_ALPHABET, k=24))
            case Platform.TELEGRAM:
                return str(rng.randint(100_000_000, 7_999_999_999))
        return f"demo-{rng.randrange(10**9)}"

    def handle(self, screen: str, user_id: str, rng: random.Random) -> str:
        """A handle for ``screen`` as the network writes it."""
        match self.platform:
            case Platform.VK:
                return f"id{user_id}" if user_id and rng.random() < 0.55 else screen
            case Platform.X:
                return "@" + screen[:15]
            case Platform.MASTODON:
                return f"{screen}@{rng.choice(corpus.MASTODON_INSTANCES)}"
            case Platform.BLUESKY:
                return screen.replace("_", "-") + ".bsky.social"
            case Platform.TELEGRAM:
                return screen if len(screen) >= 5 else f"{screen}_{rng.randint(100, 999)}"
        return screen

    @staticmethod
    def mention(handle: str) -> str:
        """How a user writes a mention of ``handle`` in a comment."""
        return handle if handle.startswith("@") else "@" + handle

    def url(self, post: _Post, number: int | None, handle: str) -> str:
        """The permalink of a post (``number`` None) or of a comment on it."""
        match self.platform:
            case Platform.VK:
                reply = "" if number is None else f"?reply={number}"
                return f"https://vk.com/wall-{self.group}_{post.number}{reply}"
            case Platform.TELEGRAM:
                comment = "" if number is None else f"?comment={number}"
                return f"https://t.me/{self.screen}/{post.number}{comment}"
            case Platform.X:
                status = self.x_base + (number or post.number) * 1_048_576
                return f"https://x.com/{handle.lstrip('@')}/status/{status}"
            case Platform.MASTODON:
                user, _, instance = handle.partition("@")
                status = self.mastodon_base + (number or post.number) * 65_536
                return f"https://{instance or 'mastodon.social'}/@{user}/{status}"
            case Platform.BLUESKY:
                rkey = _tid(self.tid_base + (number or post.number) * 7_919)
                return f"https://bsky.app/profile/{handle}/post/{rkey}"
        tail = post.external_id if number is None else str(number)
        return f"https://demo.example/{self.screen}/{tail}"


class DemoAdapter(Adapter):
    """A realistic, seeded, live mention stream for one account on a simulated network.

    Mentions carry ``simulate`` as their platform, so the UI shows a real
    network. ``fail_next_replies`` makes the next that many :meth:`post_reply`
    calls raise :class:`TransientError`, for trying out failed replies. It is
    polled every two seconds, whatever network it plays, so the demo feels live.

    ``history`` comments come before the backlog, spread over :data:`HISTORY_SPAN`:
    they are never fetched as new (see :meth:`history_mentions`). The backlog is
    ``backlog`` comments over the ``backlog_window`` before ``start``.
    """

    poll_interval: float | None = 2.0

    def __init__(
        self,
        account: str,
        *,
        simulate: Platform,
        seed: int = 7,
        rate_per_minute: float = 12.0,
        backlog: int = 30,
        clock: Callable[[], datetime] = utcnow,
        start: datetime | None = None,
        history: int = 0,
        backlog_window: timedelta = _BACKLOG_WINDOW,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        if backlog < 0 or history < 0:
            raise ValueError("backlog and history must not be negative")
        super().__init__(account)
        self.platform = simulate
        self.reply_limit = limits.REPLY_LIMITS[simulate]
        self.fail_next_replies = 0
        self._seed_key = f"{seed}\x1f{account}\x1f{simulate.value}"
        self._rate = rate_per_minute
        self._backlog = backlog
        self._history = history
        self._backlog_window_s = backlog_window.total_seconds()
        self._clock = clock
        self._start = _as_utc(start if start is not None else clock())
        # Moves the whole timeline earlier when a cursor from a previous run is ahead of it.
        self._shift_s = 0.0
        self._live_offsets: list[float] = []
        # Gaps are drawn in order as the offsets cache grows, so any instance draws the same.
        self._gap_rng = self._rng("gaps")
        self._items: dict[int, _Item] = {}
        self._network = _Network(simulate, account, self._rng("network"))
        self._brand = self._network.brand(self._rng("brand"))
        self._posts = self._build_posts()
        self._history_offsets = self._build_history_offsets()
        self._old_posts = self._build_old_posts() if history else {}
        self._pools = self._build_pools()
        self._zipf = {lang: _zipf_cum_weights(len(pool)) for lang, pool in self._pools.items()}
        self._bots = self._build_bots()
        self._published: dict[str, PublishedReply] = {}
        self._own_replies: dict[str, Mention] = {}

    @classmethod
    def working_day(
        cls,
        account: str,
        *,
        simulate: Platform,
        seed: int = 7,
        rate_per_minute: float = 12.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> DemoAdapter:
        """An account in the middle of a team's working day.

        A fortnight of comments lies behind it (:meth:`history_mentions`, for a
        workspace to record as handled) and only the last minutes are a backlog.
        """
        return cls(
            account,
            simulate=simulate,
            seed=seed,
            rate_per_minute=rate_per_minute,
            clock=clock,
            history=WORKING_DAY_HISTORY,
            backlog=WORKING_DAY_BACKLOG,
            backlog_window=WORKING_DAY_BACKLOG_WINDOW,
        )

    def history_mentions(self) -> tuple[Mention, ...]:
        """The comments written before the backlog, oldest first: never fetched as new."""
        return tuple(self._mention(number) for number in range(1, self._history + 1))

    @property
    def contest_post_id(self) -> str:
        """The external id of the account's giveaway post."""
        return CONTEST_POST_ID

    @property
    def post_ids(self) -> tuple[str, ...]:
        """The account's post ids: regular posts oldest first, then the contest post."""
        return tuple(self._posts)

    def reply_length(self, text: str) -> int:
        """The length of ``text`` as the simulated network counts it."""
        return limits.reply_length(self.platform, text)

    async def verify(self) -> Identity:
        """Who the account is on the simulated network."""
        brand = self._brand
        return Identity(brand.id, brand.handle, brand.display_name)

    async def fetch_mentions(self, cursor: str | None) -> MentionPage:
        """Every comment after ``cursor`` that has arrived by now, oldest first.

        With no cursor the backlog comes first. The cursor is the stream index
        of the last comment delivered; a caught-up fetch returns it unchanged.
        """
        now = self._clock()
        last = self._history if cursor is None else _parse_cursor(cursor)
        self._rebase_if_ahead(last, now)
        mentions: list[Mention] = []
        number = last + 1
        while self._time_of(number) <= now:
            mentions.append(self._mention(number))
            number += 1
        if not mentions:
            return MentionPage((), cursor)
        return MentionPage(tuple(mentions), str(number - 1))

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        """The brand post down to ``mention``'s parent, then replies to ``mention`` (ours too)."""
        self._check_ours(mention)
        ancestors = self._ancestors(mention.parent_external_id)
        return (*ancestors, *self._descendants(mention.external_id, self._clock()))

    async def fetch_post_comments(self, post_external_id: str) -> tuple[Mention, ...]:
        """Every comment under one of the account's posts, nested replies too, oldest first."""
        if self._post(post_external_id) is None:
            raise PermanentError(f"no such post: {post_external_id!r}")
        now = self._clock()
        comments: list[Mention] = []
        number = 1
        while self._time_of(number) <= now:
            if self._item(number).root == post_external_id:
                comments.append(self._mention(number))
            number += 1
        return tuple(comments)

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        """Record ``text`` as the brand's reply to ``mention``; a repeated key publishes once."""
        if self.fail_next_replies > 0:
            self.fail_next_replies -= 1
            raise TransientError("demo: simulated network failure")
        published = self._published.get(idempotency_key)
        if published is not None:
            return published
        self._check_reply(mention, text)
        number = _FIRST_OWN_REPLY + len(self._own_replies) + 1
        reply = self._own_reply(mention, text, number)
        published = PublishedReply(reply.external_id, reply.url)
        self._own_replies[reply.external_id] = reply
        self._published[idempotency_key] = published
        return published

    # -- building the account -------------------------------------------------

    def _rng(self, *parts: object) -> random.Random:
        # Seeded from text so each value is reproducible on its own (demo content, not a draw).
        return random.Random("\x1f".join((self._seed_key, *map(str, parts))))

    def _build_posts(self) -> dict[str, _Post]:
        rng = self._rng("posts")
        count = rng.randint(3, 5)
        first_number = rng.randint(1200, 4800)
        regular = rng.sample(corpus.BRAND_POSTS, count - 1)
        posts: dict[str, _Post] = {}
        for index, (language, text) in enumerate(regular):
            age_h = 3.5 + 26 * (count - 2 - index) + rng.uniform(0, 6)
            post_id = f"post-{index + 1}"
            posts[post_id] = _Post(post_id, first_number + index, language, text, age_h * 3600)
        language, text = rng.choices(corpus.CONTEST_POSTS, weights=(0.65, 0.35))[0]
        age_s = rng.uniform(3.5, 20) * 3600
        posts[CONTEST_POST_ID] = _Post(
            CONTEST_POST_ID, first_number + count - 1, language, text, age_s
        )
        return posts

    def _build_pools(self) -> dict[str, tuple[Author, ...]]:
        taken: set[str] = set()
        pools: dict[str, tuple[Author, ...]] = {}
        for language in corpus.LANGUAGES:
            authors = []
            for index in range(_POOL_SIZES[language]):
                author = self._person(self._rng("author", language, index), language)
                if author.handle in taken:
                    rng = self._rng("author", language, index)
                    author = self._person(rng, language, suffix=str(index))
                taken.add(author.handle)
                authors.append(author)
            pools[language] = tuple(authors)
        return pools

    def _person(self, rng: random.Random, language: str, suffix: str = "") -> Author:
        gender = rng.choice("mf")
        first, first_latin = rng.choice(corpus.FIRST_NAMES[language][gender])
        last, last_latin = rng.choice(corpus.LAST_NAMES[language])
        if language == "ru" and gender == "f":
            last, last_latin = last + "а", last_latin + "a"
        short = rng.random() < 0.2 and language != "ar"
        display = f"{first} {last[0]}." if short else f"{first} {last}"
        screen = _screen_from(first_latin, last_latin, rng) + suffix
        user_id = self._network.user_id(rng)
        handle = self._network.handle(screen, user_id, rng)
        followers = min(int(rng.lognormvariate(5.0, 1.6)), 2_000_000)
        return Author(user_id, handle, display, followers)

    def _build_bots(self) -> tuple[Author, ...]:
        bots = []
        for index, (display, screen) in enumerate(corpus.SPAM_BOTS):
            rng = self._rng("bot", index)
            user_id = self._network.user_id(rng)
            handle = self._network.handle(screen, user_id, rng)
            bots.append(Author(user_id, handle, display, rng.randint(0, 300)))
        return tuple(bots)

    # -- the timeline ---------------------------------------------------------

    def _build_history_offsets(self) -> list[float]:
        """Seconds before ``start`` of each history comment, oldest first."""
        rng = self._rng("history")
        newest = self._backlog_window_s + 60
        today = _TODAY.total_seconds()
        offsets = []
        for _ in range(self._history):
            if rng.random() < _TODAY_SHARE:
                offsets.append(-rng.uniform(newest, today))
            else:
                offsets.append(-rng.uniform(today, HISTORY_SPAN.total_seconds()))
        return sorted(offsets)

    def _build_old_posts(self) -> dict[str, _Post]:
        """Posts of the fortnight before the current ones, which history comments answer."""
        rng = self._rng("old-posts")
        first = min(post.number for post in self._posts.values())
        days = int(HISTORY_SPAN / timedelta(days=1))
        texts = rng.choices(corpus.BRAND_POSTS, k=days // 2)
        posts: dict[str, _Post] = {}
        for index, (language, text) in enumerate(texts):
            age_h = 24 * (days + 1 - 2 * index) + rng.uniform(0, 8)
            post_id = f"post-old-{index + 1}"
            number = first - len(texts) + index
            posts[post_id] = _Post(post_id, number, language, text, age_h * 3600)
        return posts

    def _post(self, post_id: str) -> _Post | None:
        return self._posts.get(post_id) or self._old_posts.get(post_id)

    def _time_of(self, number: int) -> datetime:
        """When item ``number`` was written; history and backlog lie before ``start``."""
        return self._start + timedelta(seconds=self._offset_s(number) + self._shift_s)

    def _offset_s(self, number: int) -> float:
        if number <= self._history:
            return self._history_offsets[number - 1]
        backlog = number - self._history
        if backlog <= self._backlog:
            jitter = self._rng("when", number).uniform(-0.35, 0.35)
            slots = self._backlog - backlog + 0.5 + jitter
            return -self._backlog_window_s * slots / self._backlog
        live = backlog - self._backlog
        offsets = self._live_offsets
        while len(offsets) < live:
            gap = self._gap_rng.expovariate(self._rate / 60)
            offsets.append((offsets[-1] if offsets else 0.0) + gap)
        return offsets[live - 1]

    def _rebase_if_ahead(self, last: int, now: datetime) -> None:
        # A restarted app brings a cursor its new timeline has not reached yet; without
        # this, the stream would stay silent until the new clock caught up with it.
        if last <= self._history + self._backlog:
            return
        ahead = self._time_of(last) - now
        if ahead > timedelta(0):
            self._shift_s -= ahead.total_seconds()

    # -- generating items -----------------------------------------------------

    def _item(self, number: int) -> _Item:
        item = self._items.get(number)
        if item is None:
            item = self._items[number] = self._generate(number)
        return item

    def _generate(self, number: int) -> _Item:
        rng = self._rng("item", number)
        language = rng.choices(corpus.LANGUAGES, weights=_LANGUAGE_WEIGHTS)[0]
        kind = rng.choices(_KIND_CHOICES, weights=self._kind_weights(number))[0]
        hostile = rng.random() < _HOSTILE_SHARE
        item = self._followup(number, rng) if kind is None else None
        if item is None:
            item = self._top_level(number, rng, language, kind or Kind.QUESTION)
        if hostile:
            item = self._disguise(item, rng)
        return item

    def _kind_weights(self, number: int) -> Sequence[float]:
        """What a comment is likely to be: history follows the posts of its time."""
        if number > self._history:
            return _KIND_WEIGHTS
        if self._offset_s(number) > -self._posts[CONTEST_POST_ID].age_s:
            return _GIVEAWAY_KIND_WEIGHTS
        # Before the giveaway was posted, nobody could enter it.
        return (*_KIND_WEIGHTS[:4], 0.0, _KIND_WEIGHTS[5])

    def _top_level(self, number: int, rng: random.Random, language: str, kind: Kind) -> _Item:
        if kind is Kind.CONTEST:
            root = CONTEST_POST_ID
            template = rng.choice(corpus.CONTEST_ENTRIES[language])
            author = self._pick_entrant(number, rng, language)
        else:
            root = self._pick_post(rng) if number > self._history else self._old_post(number, rng)
            template = rng.choice(_TEMPLATES[language, kind])
            spam = kind is Kind.SPAM
            author = rng.choice(self._bots) if spam else self._pick_author(rng, language)
        text = self._addressed(self._fill(template, rng, language), self._brand.handle)
        return _Item(kind, language, text, author, author, root, root)

    def _followup(self, number: int, rng: random.Random) -> _Item | None:
        parent_number = self._pick_parent(number, rng)
        if parent_number is None:
            return None
        parent = self._item(parent_number)
        language = parent.language
        own = parent.kind is not Kind.PRAISE and rng.random() < _OWN_FOLLOWUP_SHARE
        if own:
            author = parent.pool_author
            kind, template = rng.choice(corpus.FOLLOWUPS_OWN[language])
        else:
            author = self._pick_author(rng, language, avoid=parent.pool_author)
            kind, template = rng.choice(corpus.FOLLOWUPS_OTHER[language])
        text = self._fill(template, rng, language)
        if not own:
            text = self._addressed(text, parent.pool_author.handle)
        parent_id = _comment_id(parent_number)
        return _Item(kind, language, text, author, author, parent_id, parent.root)

    def _pick_parent(self, number: int, rng: random.Random) -> int | None:
        if number <= 1:
            return None
        low = max(1, number - _FOLLOWUP_WINDOW)
        for _ in range(_FOLLOWUP_TRIES):
            candidate = rng.randint(low, number - 1)
            if self._item(candidate).kind in _ANSWERABLE:
                return candidate
        return None

    def _pick_post(self, rng: random.Random) -> str:
        regular = [post_id for post_id in self._posts if post_id != CONTEST_POST_ID]
        # Newer posts draw more comments.
        return rng.choices(regular, weights=range(1, len(regular) + 1))[0]

    def _old_post(self, number: int, rng: random.Random) -> str:
        """A post that was already up when history comment ``number`` was written."""
        written = self._offset_s(number)
        posts = sorted({**self._old_posts, **self._posts}.values(), key=lambda p: -p.age_s)
        earlier = [p.external_id for p in posts if -p.age_s < written]
        earlier = [key for key in earlier if key != CONTEST_POST_ID] or [posts[0].external_id]
        # The latest posts draw the comments.
        return rng.choices(earlier[-3:], weights=range(1, len(earlier[-3:]) + 1))[0]

    def _pick_author(
        self, rng: random.Random, language: str, avoid: Author | None = None
    ) -> Author:
        pool = self._pools[language]
        author = rng.choices(pool, cum_weights=self._zipf[language])[0]
        if author == avoid:
            author = rng.choice(pool)
        return author

    def _pick_entrant(self, number: int, rng: random.Random, language: str) -> Author:
        if rng.random() < _REGULAR_ENTRANT_SHARE:
            return self._pick_author(rng, language)
        return self._person(self._rng("entrant", number), language)

    def _fill(self, template: str, rng: random.Random, language: str) -> str:
        friends = rng.sample(self._pools[language], 2)
        code = "".join(rng.choices("abcdefghjkmnpqrstuvwxyz23456789", k=6))
        return template.format(
            amount=_amount(rng, language),
            order=_order(rng, language),
            card=_card(rng, language),
            days=rng.randint(*_DAYS[language]),
            hours=rng.randint(*_HOURS[language]),
            city=rng.choice(corpus.CITIES[language]),
            time=f"{rng.randint(8, 12)}:00",
            ver=f"{rng.randint(6, 8)}.{rng.randint(0, 14)}.{rng.randint(0, 9)}",
            link=rng.choice(corpus.SPAM_LINKS).format(code=code),
            friend=self._network.mention(friends[0].handle),
            friend2=self._network.mention(friends[1].handle),
        )

    def _addressed(self, text: str, handle: str) -> str:
        # X and Mastodon put the addressee's handle in front of every reply.
        if self.platform in (Platform.X, Platform.MASTODON):
            return f"{self._network.mention(handle)} {text}"
        return text

    def _disguise(self, item: _Item, rng: random.Random) -> _Item:
        variant = rng.randrange(4)
        if variant == 0 and item.root != CONTEST_POST_ID:
            text = rng.choice(corpus.HOSTILE_TEXTS)
            return replace(item, kind=Kind.SPAM, text=text)
        if variant in (0, 1):
            return replace(item, text=f"{item.text} {rng.choice(corpus.HOSTILE_FRAGMENTS)}")
        author = item.author
        if variant == 2:
            name = rng.choice(corpus.HOSTILE_NAMES).format(name=author.display_name)
            return replace(item, author=replace(author, display_name=name))
        handle = author.handle + corpus.HOSTILE_HANDLE_TAIL
        return replace(item, author=replace(author, handle=handle))

    # -- turning items into mentions ------------------------------------------

    def _mention(self, number: int) -> Mention:
        item = self._item(number)
        post = self._post(item.root) or self._posts[CONTEST_POST_ID]
        return Mention(
            platform=self.platform,
            account=self.account,
            external_id=_comment_id(number),
            author=item.author,
            text=item.text,
            created_at=self._time_of(number),
            url=self._network.url(post, _FIRST_COMMENT + number, item.pool_author.handle),
            parent_external_id=item.parent,
            root_external_id=item.root,
            language=item.language,
            sentiment=_SENTIMENT[item.kind],
        )

    def _post_mention(self, post: _Post) -> Mention:
        return Mention(
            platform=self.platform,
            account=self.account,
            external_id=post.external_id,
            author=self._brand,
            text=post.text,
            created_at=self._start + timedelta(seconds=self._shift_s - post.age_s),
            url=self._network.url(post, None, self._brand.handle),
            language=post.language,
        )

    def _own_reply(self, mention: Mention, text: str, number: int) -> Mention:
        root = mention.root_external_id or mention.external_id
        post = self._post(root) or self._posts[CONTEST_POST_ID]
        return Mention(
            platform=self.platform,
            account=self.account,
            external_id=f"r{number - _FIRST_OWN_REPLY}",
            author=self._brand,
            text=text,
            created_at=self._clock(),
            url=self._network.url(post, number, self._brand.handle),
            parent_external_id=mention.external_id,
            root_external_id=root,
        )

    def _lookup(self, external_id: str) -> Mention | None:
        post = self._post(external_id)
        if post is not None:
            return self._post_mention(post)
        if external_id in self._own_replies:
            return self._own_replies[external_id]
        number = _comment_number(external_id)
        return None if number is None else self._mention(number)

    def _ancestors(self, parent_id: str | None) -> list[Mention]:
        chain: list[Mention] = []
        while parent_id is not None:
            parent = self._lookup(parent_id)
            if parent is None:
                break
            chain.append(parent)
            parent_id = parent.parent_external_id
        chain.reverse()
        return chain

    def _descendants(self, external_id: str, now: datetime) -> list[Mention]:
        """Every reply below ``external_id`` that exists by ``now``, oldest first."""
        thread = {external_id}
        found = [self._mention(n) for n in self._generated_below(external_id, thread, now)]
        for reply in self._own_replies.values():
            if reply.parent_external_id in thread and reply.created_at <= now:
                thread.add(reply.external_id)
                found.append(reply)
        return sorted(found, key=lambda mention: mention.created_at)

    def _generated_below(self, external_id: str, thread: set[str], now: datetime) -> list[int]:
        # Follow-ups sit within _FOLLOWUP_WINDOW of their parent, so the scan ends early;
        # a post's direct comments can be anywhere, so for a post it runs to the present.
        start = _comment_number(external_id) or 0
        is_post = self._post(external_id) is not None
        numbers: list[int] = []
        number, horizon = start + 1, start + _FOLLOWUP_WINDOW
        while (is_post or number <= horizon) and self._time_of(number) <= now:
            if self._item(number).parent in thread:
                numbers.append(number)
                thread.add(_comment_id(number))
                horizon = number + _FOLLOWUP_WINDOW
            number += 1
        return numbers

    def _check_ours(self, mention: Mention) -> None:
        if mention.account != self.account or mention.platform != self.platform:
            raise PermanentError("that mention belongs to another account")

    def _check_reply(self, mention: Mention, text: str) -> None:
        self._check_ours(mention)
        if not text.strip():
            raise PermanentError("a reply needs some text")
        if self.reply_length(text) > self.reply_limit:
            raise PermanentError(f"reply is longer than {self.reply_limit}")
        target = mention.external_id
        number = _comment_number(target)
        arrived = number is not None and self._time_of(number) <= self._clock()
        known = target in self._own_replies or self._post(target) is not None
        if not arrived and not known:
            raise PermanentError(f"no such comment: {target!r}")


_TEMPLATES: dict[tuple[str, Kind], tuple[str, ...]] = {
    (language, kind): tuple(text for k, text in corpus.COMMENTS[language] if k is kind)
    for language in corpus.LANGUAGES
    for kind in (Kind.QUESTION, Kind.COMPLAINT, Kind.PRAISE, Kind.SPAM)
}


def _parse_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise PermanentError(f"not a demo cursor: {cursor!r}")
    return int(cursor)


def _comment_id(number: int) -> str:
    return f"c{_FIRST_COMMENT + number}"


def _comment_number(external_id: str) -> int | None:
    match = _COMMENT_ID.fullmatch(external_id)
    if match is None:
        return None
    number = int(match.group(1)) - _FIRST_COMMENT
    return number if number >= 1 else None


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _zipf_cum_weights(size: int) -> list[float]:
    # Zipf-Mandelbrot (1 / (rank + 2)): a few regulars, a long tail of one-off authors.
    return list(itertools.accumulate(1 / (rank + 2) for rank in range(size)))


def _screen_name(account: str) -> str:
    screen = re.sub(r"[^a-z0-9_]+", "_", account.lower()).strip("_")
    return screen or "brand"


def _brand_name(account: str) -> str:
    words = re.split(r"[\W_]+", account.strip("@"))
    return " ".join(word.capitalize() for word in words if word) or "Brand"


def _screen_from(first: str, last: str, rng: random.Random) -> str:
    patterns: Sequence[str] = (
        f"{first}_{last}",
        f"{first}{last}{rng.randint(1, 99)}",
        f"{first[0]}{last}",
        f"{last}_{first}",
        f"{first}_{rng.randint(1975, 2006)}",
    )
    return rng.choice(patterns)


def _amount(rng: random.Random, language: str) -> str:
    if language == "ru":
        return f"{rng.randint(15, 4900) * 10:,} ₽".replace(",", " ")
    if language == "ar":
        return f"{rng.randint(2, 500) * 10} ريال"
    return f"${rng.randint(5, 900)}.{rng.randint(0, 99):02d}"


def _order(rng: random.Random, language: str) -> str:
    number = rng.randint(10_000_000, 99_999_999)
    return {"ru": f"№{number}", "en": f"#{number}"}.get(language, str(number))


def _card(rng: random.Random, language: str) -> str:
    digits = f"{rng.randint(0, 9999):04d}"
    return {"ru": f"*{digits}", "en": f"ending {digits}"}.get(language, f"المنتهية بـ {digits}")


def _tid(value: int) -> str:
    # A Bluesky record key: 13 characters of base32-sortable.
    chars = []
    for _ in range(13):
        chars.append(_BASE32_SORTABLE[value & 31])
        value >>= 5
    return "".join(reversed(chars))
