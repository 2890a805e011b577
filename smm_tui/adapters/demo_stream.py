"""What the demo account's commenters write, and when: one account's simulated stream.

Item k of the stream (its author, text and place in a thread) is a pure function
of the :class:`~smm_tui.adapters.demo_identities.Seed` and k; only *when* items
arrive (:class:`~smm_tui.adapters.demo_timeline.Timeline`) depends on ``start``
and ``rate_per_minute``. What a comment says is filled in by
:mod:`smm_tui.adapters.demo_texts`. An outage's burst
(:mod:`smm_tui.adapters.demo_outage`), when there is one, takes live items of its own:
the items after it are the next numbers' (their content shifts, deterministically).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from smm_tui.adapters import demo_corpus as corpus
from smm_tui.adapters import demo_hostile
from smm_tui.adapters.demo_corpus import Kind
from smm_tui.adapters.demo_identities import Cast, Network, Seed
from smm_tui.adapters.demo_outage import OutageComment
from smm_tui.adapters.demo_texts import TextMaker
from smm_tui.adapters.demo_timeline import HISTORY_SPAN, Timeline
from smm_tui.core.models import Author, Mention, Sentiment

__all__ = [
    "BACKLOG_WINDOW",
    "CONTEST_POST_ID",
    "FIRST_COMMENT",
    "WORKING_DAY_BACKLOG",
    "WORKING_DAY_BACKLOG_WINDOW",
    "WORKING_DAY_HISTORY",
    "Item",
    "Post",
    "Stream",
    "comment_id",
    "comment_number",
]

CONTEST_POST_ID = "post-contest"
#: How far back a plain stream's backlog reaches.
BACKLOG_WINDOW = timedelta(hours=3)
#: The working day's shape: comments handled over the last fortnight, and a short queue.
WORKING_DAY_HISTORY = 100
WORKING_DAY_BACKLOG = 5
WORKING_DAY_BACKLOG_WINDOW = timedelta(minutes=12)
# Comments under a fresh giveaway post are mostly entries.
_GIVEAWAY_KIND_WEIGHTS = (0.12, 0.12, 0.08, 0.04, 0.55, 0.09)
# Follow-ups answer one of the last few comments, so finding replies stays a short scan.
_FOLLOWUP_WINDOW = 25
_FOLLOWUP_TRIES = 3
_OWN_FOLLOWUP_SHARE = 0.4
# Most giveaway entrants come only for the giveaway; the rest are regulars, who re-enter.
_REGULAR_ENTRANT_SHARE = 0.25
_HOSTILE_SHARE = 0.02
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
#: External ids look like those of a page that already had a thousand comments.
FIRST_COMMENT = 1000
_COMMENT_ID = re.compile(r"c(\d+)")


@dataclass(frozen=True, slots=True)
class Post:
    """One of the account's posts."""

    external_id: str
    #: The post's number on the network, for its permalink.
    number: int
    language: str
    text: str
    #: Seconds before the stream's start that it was posted.
    age_s: float


@dataclass(frozen=True, slots=True)
class Item:
    """One comment of the stream, before it is placed in time."""

    kind: Kind
    language: str
    text: str
    author: Author
    #: The author before any hostile disguise: follow-ups and URLs use this one.
    pool_author: Author
    parent: str
    root: str


def comment_id(number: int) -> str:
    """The external id of stream item ``number``."""
    return f"c{FIRST_COMMENT + number}"


def comment_number(external_id: str) -> int | None:
    """The stream item an external id names, or None when it names no comment."""
    match = _COMMENT_ID.fullmatch(external_id)
    if match is None:
        return None
    number = int(match.group(1)) - FIRST_COMMENT
    return number if number >= 1 else None


class Stream:
    """One account's comments: who writes what (:meth:`item`) and when (:attr:`timeline`)."""

    def __init__(
        self,
        seed: Seed,
        network: Network,
        timeline: Timeline,
        outage: Sequence[OutageComment] = (),
    ) -> None:
        """``outage``: the burst the ``timeline`` was laid out with, oldest first."""
        self._seed = seed
        self._outage = tuple(outage)
        self._network = network
        #: When each item is written.
        self.timeline = timeline
        self._history = timeline.history
        self._items: dict[int, Item] = {}
        #: The account itself, as the network names it.
        self.brand = network.brand(seed.rng("brand"))
        self._cast = Cast(network, seed)
        self._texts = TextMaker(network, self._cast)
        #: The current posts: regular ones oldest first, then the contest post.
        self.posts = self._build_posts()
        self._old_posts = self._build_old_posts() if self._history else {}

    def post(self, post_id: str) -> Post | None:
        """The current or older post called ``post_id``."""
        return self.posts.get(post_id) or self._old_posts.get(post_id)

    # -- the account's posts --------------------------------------------------

    def _build_posts(self) -> dict[str, Post]:
        rng = self._seed.rng("posts")
        count = rng.randint(3, 5)
        first_number = rng.randint(1200, 4800)
        regular = rng.sample(corpus.BRAND_POSTS, count - 1)
        posts: dict[str, Post] = {}
        for index, (language, text) in enumerate(regular):
            age_h = 3.5 + 26 * (count - 2 - index) + rng.uniform(0, 6)
            post_id = f"post-{index + 1}"
            posts[post_id] = Post(post_id, first_number + index, language, text, age_h * 3600)
        language, text = rng.choices(corpus.CONTEST_POSTS, weights=(0.65, 0.35))[0]
        age_s = rng.uniform(3.5, 20) * 3600
        posts[CONTEST_POST_ID] = Post(
            CONTEST_POST_ID, first_number + count - 1, language, text, age_s
        )
        return posts

    def _build_old_posts(self) -> dict[str, Post]:
        """Posts of the fortnight before the current ones, which history comments answer."""
        rng = self._seed.rng("old-posts")
        first = min(post.number for post in self.posts.values())
        days = int(HISTORY_SPAN / timedelta(days=1))
        texts = rng.choices(corpus.BRAND_POSTS, k=days // 2)
        posts: dict[str, Post] = {}
        for index, (language, text) in enumerate(texts):
            age_h = 24 * (days + 1 - 2 * index) + rng.uniform(0, 8)
            post_id = f"post-old-{index + 1}"
            number = first - len(texts) + index
            posts[post_id] = Post(post_id, number, language, text, age_h * 3600)
        return posts

    # -- the comments ---------------------------------------------------------

    def item(self, number: int) -> Item:
        """Stream item ``number`` (from 1), the same whenever it is asked for."""
        item = self._items.get(number)
        if item is None:
            item = self._items[number] = self._generate(number)
        return item

    def replies_below(self, external_id: str, thread: set[str], now: datetime) -> list[int]:
        """The items that answer ``external_id`` or, in turn, its replies, by ``now``.

        ``thread`` holds the ids the thread has so far; the replies found join it.
        """
        # Follow-ups sit within _FOLLOWUP_WINDOW of their parent, so the scan ends early;
        # a post's direct comments can be anywhere, so for a post it runs to the present.
        start = comment_number(external_id) or 0
        is_post = self.post(external_id) is not None
        numbers: list[int] = []
        number, horizon = start + 1, start + _FOLLOWUP_WINDOW
        while (is_post or number <= horizon) and self.timeline.time_of(number) <= now:
            if self.item(number).parent in thread:
                numbers.append(number)
                thread.add(comment_id(number))
                horizon = number + _FOLLOWUP_WINDOW
            number += 1
        return numbers

    def _generate(self, number: int) -> Item:
        in_outage = self.timeline.outage_item(number)
        if in_outage is not None:
            return self._outage_item(number, self._outage[in_outage])
        rng = self._seed.rng("item", number)
        language = rng.choices(corpus.LANGUAGES, weights=_LANGUAGE_WEIGHTS)[0]
        kind = rng.choices(_KIND_CHOICES, weights=self._kind_weights(number))[0]
        hostile = rng.random() < _HOSTILE_SHARE
        item = self._followup(number, rng) if kind is None else None
        if item is None:
            item = self._top_level(number, rng, language, kind or Kind.QUESTION)
        if hostile:
            item = _disguise(item, rng)
        return item

    def _outage_item(self, number: int, comment: OutageComment) -> Item:
        """A comment of the outage's burst: mostly from people who never wrote before."""
        rng = self._seed.rng("outage-item", number)
        language = comment.language
        if rng.random() < _REGULAR_ENTRANT_SHARE:
            author = self._cast.regular(rng, language)
        else:
            author = self._cast.person(rng, language)
        kind = Kind.COMPLAINT if comment.about_outage else Kind.QUESTION
        root = self._pick_post(rng)
        text = self._network.addressed(comment.text, self.brand.handle)
        return Item(kind, language, text, author, author, root, root)

    def _kind_weights(self, number: int) -> Sequence[float]:
        """What a comment is likely to be: history follows the posts of its time."""
        if number > self._history:
            return _KIND_WEIGHTS
        if self.timeline.offset_s(number) > -self.posts[CONTEST_POST_ID].age_s:
            return _GIVEAWAY_KIND_WEIGHTS
        # Before the giveaway was posted, nobody could enter it.
        return (*_KIND_WEIGHTS[:4], 0.0, _KIND_WEIGHTS[5])

    def _top_level(self, number: int, rng: random.Random, language: str, kind: Kind) -> Item:
        if kind is Kind.CONTEST:
            root = CONTEST_POST_ID
            template = rng.choice(corpus.CONTEST_ENTRIES[language])
            author = self._pick_entrant(number, rng, language)
        else:
            root = self._pick_post(rng) if number > self._history else self._old_post(number, rng)
            template = self._texts.template(rng, language, kind)
            spam = kind is Kind.SPAM
            author = rng.choice(self._cast.bots) if spam else self._cast.regular(rng, language)
        text = self._network.addressed(self._texts.fill(template, rng, language), self.brand.handle)
        return Item(kind, language, text, author, author, root, root)

    def _followup(self, number: int, rng: random.Random) -> Item | None:
        parent_number = self._pick_parent(number, rng)
        if parent_number is None:
            return None
        parent = self.item(parent_number)
        language = parent.language
        own = parent.kind is not Kind.PRAISE and rng.random() < _OWN_FOLLOWUP_SHARE
        if own:
            author = parent.pool_author
            kind, template = rng.choice(corpus.FOLLOWUPS_OWN[language])
        else:
            author = self._cast.regular(rng, language, avoid=parent.pool_author)
            kind, template = rng.choice(corpus.FOLLOWUPS_OTHER[language])
        text = self._texts.fill(template, rng, language)
        if not own:
            text = self._network.addressed(text, parent.pool_author.handle)
        parent_id = comment_id(parent_number)
        return Item(kind, language, text, author, author, parent_id, parent.root)

    def _pick_parent(self, number: int, rng: random.Random) -> int | None:
        if number <= 1:
            return None
        low = max(1, number - _FOLLOWUP_WINDOW)
        for _ in range(_FOLLOWUP_TRIES):
            candidate = rng.randint(low, number - 1)
            if self.item(candidate).kind in _ANSWERABLE:
                return candidate
        return None

    def _pick_post(self, rng: random.Random) -> str:
        regular = [post_id for post_id in self.posts if post_id != CONTEST_POST_ID]
        # Newer posts draw more comments.
        return rng.choices(regular, weights=range(1, len(regular) + 1))[0]

    def _old_post(self, number: int, rng: random.Random) -> str:
        """A post that was already up when history comment ``number`` was written."""
        written = self.timeline.offset_s(number)
        posts = sorted({**self._old_posts, **self.posts}.values(), key=lambda p: -p.age_s)
        earlier = [p.external_id for p in posts if -p.age_s < written]
        earlier = [key for key in earlier if key != CONTEST_POST_ID] or [posts[0].external_id]
        # The latest posts draw the comments.
        return rng.choices(earlier[-3:], weights=range(1, len(earlier[-3:]) + 1))[0]

    def _pick_entrant(self, number: int, rng: random.Random, language: str) -> Author:
        if rng.random() < _REGULAR_ENTRANT_SHARE:
            return self._cast.regular(rng, language)
        return self._cast.person(self._seed.rng("entrant", number), language)

    # -- as mentions ----------------------------------------------------------

    def mention(self, number: int) -> Mention:
        """Stream item ``number`` as the network would deliver it."""
        item = self.item(number)
        post = self.post(item.root) or self.posts[CONTEST_POST_ID]
        return Mention(
            platform=self._network.platform,
            account=self._network.account,
            external_id=comment_id(number),
            author=item.author,
            text=item.text,
            created_at=self.timeline.time_of(number),
            url=self.url(post, FIRST_COMMENT + number, item.pool_author.handle),
            parent_external_id=item.parent,
            root_external_id=item.root,
            language=item.language,
            sentiment=_SENTIMENT[item.kind],
        )

    def post_mention(self, post: Post) -> Mention:
        """The brand's ``post`` as the network shows it, at the head of its threads."""
        return Mention(
            platform=self._network.platform,
            account=self._network.account,
            external_id=post.external_id,
            author=self.brand,
            text=post.text,
            created_at=self.timeline.before_start(post.age_s),
            url=self.url(post, None, self.brand.handle),
            language=post.language,
        )

    def url(self, post: Post, number: int | None, handle: str) -> str:
        """The permalink of ``post`` (``number`` None) or of comment ``number`` under it."""
        return self._network.url(post.external_id, post.number, number, handle)


def _disguise(item: Item, rng: random.Random) -> Item:
    """``item`` with a hostile string in its text, its author's name or handle."""
    variant = rng.randrange(4)
    if variant == 0 and item.root != CONTEST_POST_ID:
        text = rng.choice(demo_hostile.HOSTILE_TEXTS)
        return replace(item, kind=Kind.SPAM, text=text)
    if variant in (0, 1):
        return replace(item, text=f"{item.text} {rng.choice(demo_hostile.HOSTILE_FRAGMENTS)}")
    author = item.author
    if variant == 2:
        name = rng.choice(demo_hostile.HOSTILE_NAMES).format(name=author.display_name)
        return replace(item, author=replace(author, display_name=name))
    handle = author.handle + demo_hostile.HOSTILE_HANDLE_TAIL
    return replace(item, author=replace(author, handle=handle))
