"""Every network, and its facts in one table: names, length rule, capabilities and config keys.

The config's per-platform keys, the adapter registry, the reply counter, the
polling intervals, the feed's labels, the demo's simulated networks and the
README's network table all read from (or are checked against) :data:`PLATFORMS`.
Adding a network means a :class:`Platform` member and its entry here, one adapter
module and its line in ``smm_tui/adapters/registry.py``, and a fake for the tests.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "PLATFORMS",
    "Capabilities",
    "ConfigKey",
    "ContestReach",
    "Counting",
    "KeyKind",
    "Platform",
    "PlatformSpec",
    "networks",
    "spec",
]


class Platform(enum.StrEnum):
    """A network the app can read and answer on."""

    VK = "vk"
    TELEGRAM = "telegram"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    X = "x"
    DEMO = "demo"


class Counting(enum.Enum):
    """How a network measures the length of a post against its limit."""

    CHARACTERS = "characters"
    GRAPHEMES = "graphemes"
    X_WEIGHTED = "twitter-text weighted length"


class ContestReach(enum.Enum):
    """How much of a post's comment thread a contest can collect."""

    FULL = "every comment"
    #: The network's API shows only some comments (the last 7 days on X, for example).
    PARTIAL = "only some comments"
    NONE = "no comments"


class KeyKind(enum.Enum):
    """What a platform's own config key holds, and so how it is checked."""

    POSITIVE_INT = "a positive whole number"
    WHOLE = "a whole number"
    NON_EMPTY = "a non-empty string"
    NETWORK = "a network name"
    ENV_NAME = "the name of an environment variable (letters, digits, _)"
    CHAT = 'a chat such as "@name" or its numeric id'


@dataclass(frozen=True, slots=True)
class ConfigKey:
    """One key of a platform's own in an ``[[accounts]]`` table."""

    name: str
    kind: KeyKind
    required: bool
    #: What the key means, for errors and the README's table.
    means: str


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What the network's API lets the app do; the UI offers only what is there."""

    #: A mention's conversation can be fetched (a thread view shows more than the mention).
    threads: bool
    #: Older mentions can be read back after a restart (backfill and catch-up).
    history: bool
    #: How much of a post's comments a contest can gather.
    contests: ContestReach
    #: The network itself holds a post until a publish time.
    native_scheduling: bool
    #: The network drops a repeated post sent with the same idempotency key.
    idempotency_keys: bool
    #: The network reports how many people saw a post.
    views: bool
    #: One sentence on a limit the user should know, or "" when there is none.
    caveat: str = ""
    #: The API tells whether someone belongs to the brand's community (contests).
    membership: bool = True
    #: The API gives an account's creation date (a contest's minimum account age).
    account_dates: bool = True


@dataclass(frozen=True, slots=True)
class PlatformSpec:
    """One network: how it is named, counted, polled and configured."""

    platform: Platform
    #: The full name shown in dialogs ("Telegram").
    name: str
    #: The two-letter label of the feed's narrow column ("TG").
    label: str
    counting: Counting
    #: The longest reply, in the unit of :attr:`counting`.
    reply_limit: int
    #: Seconds between polls; long-polling networks wait on the server instead.
    poll_interval: float
    #: The adapter holds a request open until news arrives (VK, Telegram).
    long_poll: bool
    #: The account must name its server (a Mastodon instance).
    needs_base_url: bool
    #: The demo account stands in for every network and has no token.
    needs_token: bool
    config_keys: tuple[ConfigKey, ...]
    #: What the account's ``token_env`` variable holds, for the README and errors.
    token_holds: str
    capabilities: Capabilities
    #: Other spellings a query accepts for the network (``platform:tg``).
    aliases: tuple[str, ...] = ()
    #: What ``base_url`` names, for the error when a network that needs one has none.
    server: str = "its server"

    def key(self, name: str) -> ConfigKey | None:
        """The platform's own config key called ``name``, if it has one."""
        return next((key for key in self.config_keys if key.name == name), None)


_X_SEARCH_WINDOW = "X's recent search reaches back 7 days, so older comments are not seen"

PLATFORMS: Mapping[Platform, PlatformSpec] = MappingProxyType(
    {
        Platform.VK: PlatformSpec(
            platform=Platform.VK,
            name="VK",
            label="VK",
            counting=Counting.CHARACTERS,
            # Provisional: VK documents no wall-comment limit. The one sourced figure is the
            # community table SevereCloud/vk-limits (chat messages, about 4096 bytes); a real
            # rejection (error 100 on a long comment) will tell the true one.
            reply_limit=4096,
            poll_interval=1.0,
            long_poll=True,
            needs_base_url=False,
            needs_token=True,
            config_keys=(
                ConfigKey("group_id", KeyKind.POSITIVE_INT, True, "the community's numeric id"),
                ConfigKey(
                    "user_token_env",
                    KeyKind.ENV_NAME,
                    False,
                    "the variable holding an admin's user token, for post counters and views",
                ),
            ),
            token_holds="a community access token (manage, wall)",
            capabilities=Capabilities(
                threads=True,
                history=True,
                contests=ContestReach.FULL,
                native_scheduling=True,
                idempotency_keys=False,
                views=True,
                account_dates=False,  # users.get has no creation date
            ),
        ),
        Platform.TELEGRAM: PlatformSpec(
            platform=Platform.TELEGRAM,
            name="Telegram",
            label="TG",
            counting=Counting.CHARACTERS,
            reply_limit=4096,
            poll_interval=1.0,
            long_poll=True,
            needs_base_url=False,
            needs_token=True,
            config_keys=(ConfigKey("channel", KeyKind.CHAT, False, "the channel posts go to"),),
            token_holds="the bot token from @BotFather",
            capabilities=Capabilities(
                threads=False,
                history=False,
                contests=ContestReach.PARTIAL,
                native_scheduling=False,
                idempotency_keys=False,
                views=False,
                caveat=(
                    "the Bot API cannot read history: a contest lists only the comments "
                    "the bot saw arrive"
                ),
                account_dates=False,  # the Bot API gives no creation date
            ),
            aliases=("tg",),
        ),
        Platform.MASTODON: PlatformSpec(
            platform=Platform.MASTODON,
            name="Mastodon",
            label="MA",
            counting=Counting.CHARACTERS,
            # mastodon.social's configuration.statuses.max_characters; instances may differ.
            reply_limit=500,
            poll_interval=30.0,
            long_poll=False,
            needs_base_url=True,
            needs_token=True,
            config_keys=(),
            token_holds="a user token with `read` and `write:statuses`",
            capabilities=Capabilities(
                threads=True,
                history=True,
                contests=ContestReach.FULL,
                native_scheduling=True,
                idempotency_keys=True,
                views=False,
            ),
            aliases=("masto",),
            server="its instance, e.g. https://mastodon.social",
        ),
        Platform.BLUESKY: PlatformSpec(
            platform=Platform.BLUESKY,
            name="Bluesky",
            label="BS",
            counting=Counting.GRAPHEMES,
            reply_limit=300,
            poll_interval=30.0,
            long_poll=False,
            needs_base_url=False,
            needs_token=True,
            config_keys=(ConfigKey("handle", KeyKind.NON_EMPTY, True, "the account's handle"),),
            token_holds="an app password",
            capabilities=Capabilities(
                threads=True,
                history=True,
                contests=ContestReach.FULL,
                native_scheduling=False,
                idempotency_keys=False,
                views=False,
            ),
            aliases=("bsky",),
        ),
        Platform.X: PlatformSpec(
            platform=Platform.X,
            name="X",
            label="X",
            counting=Counting.X_WEIGHTED,
            reply_limit=280,
            # The mention timeline allows 180 requests per 15 minutes on paid tiers, 1 on free.
            poll_interval=60.0,
            long_poll=False,
            needs_base_url=False,
            needs_token=True,
            config_keys=(
                ConfigKey("user_id", KeyKind.NON_EMPTY, True, "the account's numeric user id"),
            ),
            token_holds="an OAuth 2.0 user-context bearer token",
            capabilities=Capabilities(
                threads=True,
                history=True,
                contests=ContestReach.PARTIAL,
                native_scheduling=False,
                idempotency_keys=False,
                views=True,
                caveat=_X_SEARCH_WINDOW,
                membership=False,  # following is no membership, and the API has no such check
            ),
            aliases=("tw", "twitter"),
        ),
        Platform.DEMO: PlatformSpec(
            platform=Platform.DEMO,
            name="Demo",
            label="DE",
            counting=Counting.CHARACTERS,
            reply_limit=1000,
            poll_interval=2.0,
            long_poll=False,
            needs_base_url=False,
            needs_token=False,
            config_keys=(
                ConfigKey("simulate", KeyKind.NETWORK, False, "the network it imitates"),
                ConfigKey("seed", KeyKind.WHOLE, False, "the seed of its simulated day"),
            ),
            token_holds="—",
            capabilities=Capabilities(
                threads=True,
                history=True,
                contests=ContestReach.FULL,
                native_scheduling=False,
                idempotency_keys=False,
                views=False,
            ),
        ),
    }
)


def spec(platform: Platform) -> PlatformSpec:
    """The facts of ``platform``."""
    return PLATFORMS[platform]


def networks() -> tuple[PlatformSpec, ...]:
    """Every real network (the demo left out), in the registry's order."""
    return tuple(entry for entry in PLATFORMS.values() if entry.platform is not Platform.DEMO)
