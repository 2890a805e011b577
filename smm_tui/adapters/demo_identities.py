"""Who the demo's accounts and commenters are, in the style of the network they imitate.

:class:`Network` writes ids, handles and permalinks the way the simulated network
does (one :data:`_STYLES` entry per network); :class:`Cast` is everyone who
comments on an account. Every value is drawn from a :class:`Seed`, so the same
seed, account and network always give the same people.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from smm_tui.adapters import demo_people as people
from smm_tui.adapters.bluesky_records import tid
from smm_tui.core.models import Author, Platform

__all__ = ["Cast", "Network", "Seed"]

_DID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
#: How many regulars comment in each language.
_POOL_SIZES = {"ru": 30, "en": 21, "ar": 9}


@dataclass(frozen=True, slots=True)
class Seed:
    """Where one account's simulated values come from: a generator per named value."""

    key: str

    @classmethod
    def of(cls, seed: int, account: str, platform: Platform) -> Seed:
        """The seed of ``account``'s stream on the simulated ``platform``."""
        return cls(f"{seed}\x1f{account}\x1f{platform.value}")

    def rng(self, *parts: object) -> random.Random:
        """A generator for the value named by ``parts``, the same on every call."""
        # Seeded from text so each value is reproducible on its own (demo content, not a draw).
        return random.Random("\x1f".join((self.key, *map(str, parts))))


class Network:
    """Ids, handles and URLs in the style of the simulated network."""

    def __init__(self, platform: Platform, account: str, rng: random.Random) -> None:
        self.platform = platform
        self.account = account
        self.screen = _screen_name(account)
        self.group = rng.randint(10_000_000, 229_999_999)
        self.x_base = rng.randint(1_780_000_000_000_000_000, 1_790_000_000_000_000_000)
        self.mastodon_base = rng.randint(112_000_000_000_000_000, 113_000_000_000_000_000)
        self.tid_base = rng.randint(1_700_000_000_000_000, 1_750_000_000_000_000) << 10
        self._style = _STYLES[platform]

    def brand(self, rng: random.Random) -> Author:
        """The account itself, as the network names it."""
        name = _brand_name(self.account)
        followers = rng.randint(40_000, 900_000)
        user_id, handle = self._style.brand(self, rng)
        return Author(user_id, handle, name, followers)

    def user_id(self, rng: random.Random) -> str:
        """A user id of the network's shape."""
        return self._style.user_id(rng)

    def handle(self, screen: str, user_id: str, rng: random.Random) -> str:
        """A handle for ``screen`` as the network writes it."""
        return self._style.handle(screen, user_id, rng)

    @staticmethod
    def mention(handle: str) -> str:
        """How a user writes a mention of ``handle`` in a comment."""
        return handle if handle.startswith("@") else "@" + handle

    def addressed(self, text: str, handle: str) -> str:
        """``text`` as a reply to ``handle``: some networks put the handle in front."""
        if self._style.handle_in_front:
            return f"{self.mention(handle)} {text}"
        return text

    def url(self, post_id: str, post_number: int, number: int | None, handle: str) -> str:
        """The permalink of a post (``number`` None) or of comment ``number`` on it.

        ``post_number`` is the post's number on the network, ``handle`` the writer's.
        """
        return self._style.url(self, _Permalink(post_id, post_number, number, handle))


@dataclass(frozen=True, slots=True)
class _Permalink:
    post_id: str
    post_number: int
    number: int | None
    handle: str

    @property
    def item_number(self) -> int:
        return self.number or self.post_number


@dataclass(frozen=True, slots=True)
class _Style:
    """How one network writes ids, handles and permalinks."""

    user_id: Callable[[random.Random], str]
    #: (screen name, user id, rng) to the handle.
    handle: Callable[[str, str, random.Random], str]
    #: The brand account's (user id, handle).
    brand: Callable[[Network, random.Random], tuple[str, str]]
    url: Callable[[Network, _Permalink], str]
    #: Every reply starts with the addressee's handle.
    handle_in_front: bool = False


def _vk_handle(screen: str, user_id: str, rng: random.Random) -> str:
    # Most VK users never pick a screen name and keep the numeric one.
    return f"id{user_id}" if user_id and rng.random() < 0.55 else screen


def _vk_url(net: Network, link: _Permalink) -> str:
    reply = "" if link.number is None else f"?reply={link.number}"
    return f"https://vk.com/wall-{net.group}_{link.post_number}{reply}"


def _telegram_handle(screen: str, _user_id: str, rng: random.Random) -> str:
    # Telegram usernames have at least five characters.
    return screen if len(screen) >= 5 else f"{screen}_{rng.randint(100, 999)}"


def _telegram_url(net: Network, link: _Permalink) -> str:
    comment = "" if link.number is None else f"?comment={link.number}"
    return f"https://t.me/{net.screen}/{link.post_number}{comment}"


def _x_url(net: Network, link: _Permalink) -> str:
    status = net.x_base + link.item_number * 1_048_576
    return f"https://x.com/{link.handle.lstrip('@')}/status/{status}"


def _mastodon_brand(net: Network, rng: random.Random) -> tuple[str, str]:
    return net.user_id(rng), f"{net.screen}@{people.MASTODON_INSTANCES[0]}"


def _mastodon_url(net: Network, link: _Permalink) -> str:
    user, _, instance = link.handle.partition("@")
    status = net.mastodon_base + link.item_number * 65_536
    return f"https://{instance or 'mastodon.social'}/@{user}/{status}"


def _bluesky_url(net: Network, link: _Permalink) -> str:
    rkey = tid(net.tid_base + link.item_number * 7_919)
    return f"https://bsky.app/profile/{link.handle}/post/{rkey}"


def _demo_url(net: Network, link: _Permalink) -> str:
    tail = link.post_id if link.number is None else str(link.number)
    return f"https://demo.example/{net.screen}/{tail}"


def _screen_brand(prefix: str) -> Callable[[Network, random.Random], tuple[str, str]]:
    """A brand that is a community (VK, Telegram): a negative group id and the screen name."""
    return lambda net, _rng: (f"{prefix}{net.group}", net.screen)


def _handle_brand(net: Network, rng: random.Random) -> tuple[str, str]:
    """A brand that is an ordinary user of the network."""
    return net.user_id(rng), net.handle(net.screen, "", rng)


_STYLES: Mapping[Platform, _Style] = MappingProxyType(
    {
        Platform.VK: _Style(
            user_id=lambda rng: str(rng.randint(1_000_000, 899_999_999)),
            handle=_vk_handle,
            brand=_screen_brand("-"),
            url=_vk_url,
        ),
        Platform.TELEGRAM: _Style(
            user_id=lambda rng: str(rng.randint(100_000_000, 7_999_999_999)),
            handle=_telegram_handle,
            brand=_screen_brand("-100"),
            url=_telegram_url,
        ),
        Platform.MASTODON: _Style(
            user_id=lambda rng: str(rng.randint(10**17, 113 * 10**15)),
            handle=lambda screen, _id, rng: f"{screen}@{rng.choice(people.MASTODON_INSTANCES)}",
            brand=_mastodon_brand,
            url=_mastodon_url,
            handle_in_front=True,
        ),
        Platform.BLUESKY: _Style(
            user_id=lambda rng: "did:plc:" + "".join(rng.choices(_DID_ALPHABET, k=24)),
            handle=lambda screen, _id, _rng: screen.replace("_", "-") + ".bsky.social",
            brand=_handle_brand,
            url=_bluesky_url,
        ),
        Platform.X: _Style(
            user_id=lambda rng: str(rng.randint(10**9, 1_900_000_000_000_000_000)),
            handle=lambda screen, _id, _rng: "@" + screen[:15],
            brand=_handle_brand,
            url=_x_url,
            handle_in_front=True,
        ),
        Platform.DEMO: _Style(
            user_id=lambda rng: f"demo-{rng.randrange(10**9)}",
            handle=lambda screen, _id, _rng: screen,
            brand=lambda net, _rng: (net.account, net.account),
            url=_demo_url,
        ),
    }
)


class Cast:
    """Everyone who comments on one account: regulars per language, newcomers and spam bots."""

    def __init__(self, network: Network, seed: Seed) -> None:
        self._network = network
        #: The regulars of each language, the most active first.
        self.regulars = self._build_regulars(seed)
        self._zipf = {lang: _zipf_cum_weights(len(pool)) for lang, pool in self.regulars.items()}
        self.bots = self._build_bots(seed)

    def regular(self, rng: random.Random, language: str, avoid: Author | None = None) -> Author:
        """One of the regulars, the most active most often; ``avoid`` rarely comes up."""
        pool = self.regulars[language]
        author = rng.choices(pool, cum_weights=self._zipf[language])[0]
        if author == avoid:
            author = rng.choice(pool)
        return author

    def person(self, rng: random.Random, language: str, suffix: str = "") -> Author:
        """Someone new who writes in ``language``; ``suffix`` ends the screen name."""
        gender = rng.choice("mf")
        first, first_latin = rng.choice(people.FIRST_NAMES[language][gender])
        last, last_latin = rng.choice(people.LAST_NAMES[language])
        if language == "ru" and gender == "f":
            last, last_latin = last + "а", last_latin + "a"
        short = rng.random() < 0.2 and language != "ar"
        display = f"{first} {last[0]}." if short else f"{first} {last}"
        screen = _screen_from(first_latin, last_latin, rng) + suffix
        user_id = self._network.user_id(rng)
        handle = self._network.handle(screen, user_id, rng)
        followers = min(int(rng.lognormvariate(5.0, 1.6)), 2_000_000)
        return Author(user_id, handle, display, followers)

    def _build_regulars(self, seed: Seed) -> dict[str, tuple[Author, ...]]:
        taken: set[str] = set()
        pools: dict[str, tuple[Author, ...]] = {}
        for language, size in _POOL_SIZES.items():
            authors = []
            for index in range(size):
                author = self.person(seed.rng("author", language, index), language)
                if author.handle in taken:
                    rng = seed.rng("author", language, index)
                    author = self.person(rng, language, suffix=str(index))
                taken.add(author.handle)
                authors.append(author)
            pools[language] = tuple(authors)
        return pools

    def _build_bots(self, seed: Seed) -> tuple[Author, ...]:
        bots = []
        for index, (display, screen) in enumerate(people.SPAM_BOTS):
            rng = seed.rng("bot", index)
            user_id = self._network.user_id(rng)
            handle = self._network.handle(screen, user_id, rng)
            bots.append(Author(user_id, handle, display, rng.randint(0, 300)))
        return tuple(bots)


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
