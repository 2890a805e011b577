"""The built-in demo workspace: one simulated account per real network."""

from __future__ import annotations

from types import MappingProxyType

from smm_tui.config.model import AccountConfig, Config
from smm_tui.core.models import Platform
from smm_tui.core.platforms import networks

#: Who works the demo inbox besides its user (they answered its fortnight of history).
DEMO_TEAMMATES = ("anna", "omar")

#: The demo accounts' names where they differ from ``bank-<network>``.
_SHORT_NAMES = {Platform.TELEGRAM: "bank-tg", Platform.BLUESKY: "bank-bsky"}


def demo_config(user: str) -> Config:
    """The built-in demo workspace: one simulated account per real network."""
    accounts = tuple(
        AccountConfig(
            name=_SHORT_NAMES.get(entry.platform, f"bank-{entry.platform.value}"),
            platform=Platform.DEMO,
            extra=MappingProxyType({"simulate": entry.platform.value}),
        )
        for entry in networks()
    )
    # The demo's team: the teammates who answered its fortnight can be assigned too.
    team = tuple(dict.fromkeys((user, *DEMO_TEAMMATES)))
    return Config(user=user, accounts=accounts, users=team)
