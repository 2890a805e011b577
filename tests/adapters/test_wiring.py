"""The real wiring: config accounts become adapters that feed the store."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

from smm_tui.adapters.mastodon import MastodonAdapter
from smm_tui.config import EXAMPLE_CONFIG, load_config
from smm_tui.core.repository import Collection
from smm_tui.core.workspace import poll_account
from smm_tui.runtime import build_sources, open_workspace
from tests.adapters.httpserver import TestServer, json_reply
from tests.adapters.mastodon_kit import mentions_fixture

CANARY = "tok-CANARY-7f3a"


def write_config(tmp_path: Path, server_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[[accounts]]\n"
        'name = "bank-mastodon"\n'
        'platform = "mastodon"\n'
        f'base_url = "{server_url}"\n'
        'token_env = "BANK_MASTODON_TOKEN"\n'
        "\n[[accounts]]\n"
        'name = "no-token"\n'
        'platform = "mastodon"\n'
        f'base_url = "{server_url}"\n'
        'token_env = "MISSING_TOKEN"\n'
    )
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    return path


def test_configured_account_polls_into_the_store(tmp_path: Path, http_server: TestServer) -> None:
    http_server.route("GET", "/api/v1/notifications", json_reply(mentions_fixture()))
    env = {"BANK_MASTODON_TOKEN": CANARY}
    config = load_config(write_config(tmp_path, http_server.url), env)

    sources, warnings = build_sources(config, env=env)
    assert isinstance(sources["bank-mastodon"], MastodonAdapter)
    assert warnings == [
        "mastodon account 'no-token' has no token: set MISSING_TOKEN; it is left out"
    ]

    async def poll() -> int:
        with open_workspace(tmp_path / "data", config, env=env) as (workspace, _):
            outcome = await poll_account(workspace, workspace.sources["bank-mastodon"])
            assert outcome.error is None
            await workspace.sources["bank-mastodon"].aclose()
            return workspace.repo.count(Collection.MENTIONS)

    stored = asyncio.run(poll())
    assert stored == len(mentions_fixture()) > 0
    (request,) = http_server.requests_to("GET", "/api/v1/notifications")
    assert request.headers["authorization"] == f"Bearer {CANARY}"
    for path in (tmp_path / "data").rglob("*.json"):
        assert CANARY not in path.read_text(encoding="utf-8")


def test_the_example_config_builds_every_network(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE_CONFIG)
    env = {
        "SMM_VK_TOKEN": "vk",
        "SMM_TELEGRAM_TOKEN": "1:tg",
        "SMM_MASTODON_TOKEN": "m",
        "SMM_BLUESKY_APP_PASSWORD": "b",
        "SMM_X_BEARER_TOKEN": "x",
    }
    sources, warnings = build_sources(load_config(path, env), env=env)
    assert warnings == []
    assert {name: type(source).__name__ for name, source in sources.items()} == {
        "bank-vk": "VKAdapter",
        "bank-tg": "TelegramAdapter",
        "bank-mastodon": "MastodonAdapter",
        "bank-bsky": "BlueskyAdapter",
        "bank-x": "XAdapter",
        "practice": "DemoAdapter",
    }
    for source in sources.values():
        asyncio.run(source.aclose())
