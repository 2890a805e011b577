"""The built-in demo workspace: one simulated account per real network."""

from __future__ import annotations

from types import MappingProxyType

from smm_tui.config.model import AccountConfig, Config
from smm_tui.core.models import Platform

#: Who works the demo inbox besides its user (they answered its fortnight of history).
DEMO_TEAMMATES = ("anna", "omar")

_DEMO_ACCOUNT_NAMES = {
    Platform.VK: "bank-vk",
    Platform.TELEGRAM: "bank-tg",
    Platform.MASTODON: "bank-mastodon",
    Platform.BLUESKY: "bank-bsky",
    Platform.X: "bank-x",
}


def demo_config(user: str) -> Config:
    """The built-in demo workspace: one simulated account per real network."""
    accounts = tuple(
        AccountConfig(
            name=name,
            platform=Platform.DEMO,
            extra=MappingProxyType({"simulate": simulated.value}),
        )
        for simulated, name in _DEMO_ACCOUNT_NAMES.items()
    )
    # The demo's team: the teammates who answered its fortnight can be assigned too.
    team = tuple(dict.fromkeys((user, *DEMO_TEAMMATES)))
    return Config(user=user, accounts=accounts, users=team)
