"""The adapter registry: one entry per network, its facts from the one table, the README agreeing.

A network is wired by its :data:`~smm_tui.core.platforms.PLATFORMS` entry, its
:data:`~smm_tui.adapters.registry.ENTRIES` line, its adapter module and its
fake; these tests fail, naming what is missing, when one of them is.
"""

from __future__ import annotations

import asyncio
import importlib
import re
from pathlib import Path
from types import MappingProxyType

import httpx
import pytest

from smm_tui.adapters import registry
from smm_tui.adapters.client import HttpAdapter
from smm_tui.adapters.connection import Connection, Simulation
from smm_tui.adapters.demo import DemoAdapter
from smm_tui.config import AccountConfig, Config, DemoConfig
from smm_tui.core.models import Platform, utcnow
from smm_tui.core.platforms import PLATFORMS, PlatformSpec, networks, spec
from smm_tui.runtime import AdapterUnavailable, build_adapter
from tests.adapters.conftest import NETWORKS
from tests.fakes.base import FakeNetwork

README = Path(__file__).resolve().parents[2] / "README.md"
TABLE_HEAD = "| platform | account keys | token_env holds | what works |"


def readme_rows() -> dict[str, list[str]]:
    """The README's network table: each row's cells by platform, the backticks taken off."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(TABLE_HEAD) + 2
    rows: dict[str, list[str]] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def keys_cell(platform: Platform) -> str:
    """The account-keys cell the registry's facts call for."""
    facts = spec(platform)
    parts = [f"`{key.name}`" for key in facts.config_keys]
    if facts.needs_base_url:
        parts.insert(0, f"`base_url` ({spec(platform).server})")
    return ", ".join(parts) or "—"


def test_every_network_has_an_entry_and_nothing_else_does() -> None:
    assert set(registry.ENTRIES) == set(PLATFORMS)


def test_the_readme_table_lists_exactly_the_registrys_networks() -> None:
    rows = readme_rows()
    expected = [facts.platform.value for facts in (*networks(), spec(Platform.DEMO))]
    assert list(rows) == expected


@pytest.mark.parametrize("platform", list(PLATFORMS), ids=lambda p: p.value)
def test_the_readme_row_matches_the_registry(platform: Platform) -> None:
    keys, token_holds, what_works = readme_rows()[platform.value]
    assert keys == keys_cell(platform)
    assert token_holds == spec(platform).token_holds
    assert what_works


def by_name(facts: PlatformSpec) -> str:
    return facts.platform.value


@pytest.mark.parametrize("facts", networks(), ids=by_name)
def test_every_network_has_a_fake_that_the_contract_suites_run(facts: PlatformSpec) -> None:
    platform = facts.platform
    module = importlib.import_module(f"tests.fakes.{platform.value}")
    fake = module.FAKE
    assert issubclass(fake, FakeNetwork) and fake.platform is platform
    assert platform.value in NETWORKS


def account(platform: Platform, **extra: object) -> AccountConfig:
    return AccountConfig(
        f"bank-{platform.value}",
        platform,
        base_url="http://127.0.0.1:9",
        token_env="BANK_TOKEN",
        extra=MappingProxyType(extra),
    )


KEYS: dict[Platform, dict[str, object]] = {
    Platform.VK: {"group_id": 42},
    Platform.BLUESKY: {"handle": "acme.bsky.social"},
    Platform.X: {"user_id": "1400"},
}


@pytest.mark.parametrize("facts", networks(), ids=by_name)
def test_each_adapter_takes_its_class_facts_from_the_table(facts: PlatformSpec) -> None:
    platform = facts.platform
    adapter = registry.build(
        account(platform, **KEYS.get(platform, {})), Connection("tok", token_env="BANK_TOKEN")
    )
    assert isinstance(adapter, HttpAdapter)
    assert type(adapter).platform is platform
    assert type(adapter).reply_limit == facts.reply_limit
    assert type(adapter).idempotent_replies is facts.capabilities.idempotency_keys
    assert adapter.account == f"bank-{platform.value}"
    asyncio.run(adapter.aclose())


@pytest.mark.parametrize("facts", networks(), ids=by_name)
async def test_an_adapter_closes_only_a_client_it_made(facts: PlatformSpec) -> None:
    settings = account(facts.platform, **KEYS.get(facts.platform, {}))
    async with httpx.AsyncClient() as client:
        await registry.build(settings, Connection("tok", client=client)).aclose()
        assert not client.is_closed
    own = registry.build(settings, Connection("tok"))
    assert isinstance(own, HttpAdapter)
    await own.aclose()
    assert own._client.is_closed


def test_a_network_that_needs_base_url_is_left_out_without_one() -> None:
    mastodon = AccountConfig("bank-masto", Platform.MASTODON, token_env="T")
    with pytest.raises(AdapterUnavailable) as caught:
        build_adapter(mastodon, Config("me"), env={"T": "tok"}, clock=utcnow, index=0)
    assert str(caught.value) == (
        "mastodon account 'bank-masto' needs base_url (its instance, e.g. "
        "https://mastodon.social); it is left out"
    )


def test_the_connection_carries_the_account_and_run_settings() -> None:
    vk = AccountConfig(
        "bank-vk",
        Platform.VK,
        token_env="T",
        extra=MappingProxyType({"group_id": 7}),
        backfill=3,
    )
    adapter = build_adapter(vk, Config("me"), env={"T": "tok-1"}, clock=utcnow, index=0)
    assert "https://api.vk.com" in repr(adapter) and "group_id=7" in repr(adapter)
    assert "tok-1" not in repr(adapter)
    asyncio.run(adapter.aclose())


def test_the_demo_entry_builds_its_simulation() -> None:
    demo = AccountConfig("practice", Platform.DEMO, extra=MappingProxyType({"simulate": "x"}))
    config = Config("me", demo=DemoConfig(rate_per_minute=3.0, seed=11))

    def built(working_day: bool) -> DemoAdapter:
        made = build_adapter(demo, config, env={}, clock=utcnow, index=2, working_day=working_day)
        assert isinstance(made, DemoAdapter) and made.platform is Platform.X
        return made

    assert built(working_day=False).history_mentions() == ()
    assert built(working_day=True).history_mentions()


def test_the_demo_seed_comes_from_the_account_else_the_simulation() -> None:
    def first_text(extra: dict[str, object], seed: int) -> str:
        settings = AccountConfig("practice", Platform.DEMO, extra=MappingProxyType(extra))
        made = registry.build(settings, Connection(simulation=Simulation(seed, 600.0, True)))
        assert isinstance(made, DemoAdapter)
        return made.history_mentions()[0].text

    assert first_text({}, 5) == first_text({"seed": 5}, 99)
    assert first_text({}, 5) != first_text({}, 6)


def test_no_adapter_module_repeats_a_fact_of_the_table() -> None:
    adapters = Path(registry.__file__).parent
    literal = re.compile(r"^    (platform|reply_limit|idempotent_replies) = ", re.MULTILINE)
    repeated = [
        path.name
        for path in sorted(adapters.glob("*.py"))
        if not path.name.startswith("demo") and literal.search(path.read_text(encoding="utf-8"))
    ]
    assert repeated == []
