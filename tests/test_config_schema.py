"""The config's account types agree with the platform table, and the example file loads."""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import msgspec
import pytest
from msgspec import Meta

import smm_tui.config
from smm_tui.config import EXAMPLE_FILENAME, ConfigError, example_config, load_config
from smm_tui.config.schema import ACCOUNT_TABLES, Document
from smm_tui.core.models import Intent, Platform
from smm_tui.core.platforms import PLATFORMS, KeyKind, PlatformSpec, networks
from smm_tui.core.sla import DEFAULT_APPLIES_TO

ENV = {"USER": "anna"}
README = Path(__file__).resolve().parent.parent / "README.md"
PACKAGED = f"smm_tui/config/{EXAMPLE_FILENAME}"

#: A good value and a bad one for each kind of platform key, as TOML.
SAMPLES: dict[KeyKind, tuple[str, str]] = {
    KeyKind.POSITIVE_INT: ("7", "0"),
    KeyKind.WHOLE: ("-3", '"3"'),
    KeyKind.NON_EMPTY: ('"bank.example"', '" "'),
    KeyKind.NETWORK: ('"x"', '"demo"'),
    KeyKind.ENV_NAME: ('"BANK_VK_USER_TOKEN"', '"vk1.a.token value"'),
    KeyKind.CHAT: ('"@bank_news"', '"bank news"'),
}


def account_text(entry: PlatformSpec, **override: str | None) -> str:
    """A valid ``[[accounts]]`` block for ``entry`` (every key it takes); None drops a key."""
    lines: dict[str, str | None] = {"name": '"a"', "platform": f'"{entry.platform.value}"'}
    if entry.needs_token:
        lines |= {"base_url": '"https://api.example.com"', "token_env": '"T"'}
    lines |= {key.name: SAMPLES[key.kind][0] for key in entry.config_keys}
    lines |= override
    return "[[accounts]]\n" + "".join(f"{k} = {v}\n" for k, v in lines.items() if v is not None)


def error_of(tmp_path: Path, text: str) -> str:
    """The one-line detail of the ConfigError ``text`` gives."""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, ENV)
    return caught.value.detail


@pytest.mark.parametrize("entry", PLATFORMS.values(), ids=lambda e: e.platform.value)
def test_every_platform_key_is_typed_as_the_table_says(tmp_path: Path, entry: PlatformSpec) -> None:
    path = tmp_path / "config.toml"
    path.write_text(account_text(entry), encoding="utf-8")
    (account,) = load_config(path, ENV).accounts
    assert account.platform is entry.platform
    assert set(account.extra) == {key.name for key in entry.config_keys}
    for key in entry.config_keys:
        bad = SAMPLES[key.kind][1]
        wanted = f"'accounts[0].{key.name}' must be "
        assert error_of(tmp_path, account_text(entry, **{key.name: bad})).startswith(wanted)
        dropped = account_text(entry, **{key.name: None})
        if key.required:
            assert error_of(tmp_path, dropped) == f"missing key 'accounts[0].{key.name}'"
        else:
            path.write_text(dropped, encoding="utf-8")
            assert key.name not in load_config(path, ENV).accounts[0].extra


def test_a_key_of_one_network_is_refused_on_another_and_its_owners_named(tmp_path: Path) -> None:
    for entry in PLATFORMS.values():
        others = [key for other in PLATFORMS.values() for key in other.config_keys]
        for key in others:
            if entry.key(key.name) is not None:
                continue
            owners = [e.platform.value for e in PLATFORMS.values() if e.key(key.name)]
            text = account_text(entry, **{key.name: SAMPLES[key.kind][0]})
            assert error_of(tmp_path, text) == (
                f"unknown key 'accounts[0].{key.name}' for platform \"{entry.platform.value}\" "
                f"(only {', '.join(owners)} accounts take '{key.name}')"
            )


def test_a_server_is_required_exactly_where_the_table_says(tmp_path: Path) -> None:
    for entry in PLATFORMS.values():
        if not entry.needs_token:
            continue
        text = account_text(entry, base_url=None)
        if entry.needs_base_url:
            assert error_of(tmp_path, text) == "missing key 'accounts[0].base_url'"
        else:
            path = tmp_path / "config.toml"
            path.write_text(text, encoding="utf-8")
            assert load_config(path, ENV).accounts[0].base_url is None


def test_an_account_without_a_token_takes_no_token_keys(tmp_path: Path) -> None:
    (demo,) = [entry for entry in PLATFORMS.values() if not entry.needs_token]
    for key in ("token_env", "base_url"):
        message = error_of(tmp_path, account_text(demo, **{key: '"T"'}))
        assert message.startswith(f"unknown key 'accounts[0].{key}' for platform \"demo\"")


def test_one_account_struct_per_platform_tagged_by_its_value() -> None:
    assert set(ACCOUNT_TABLES) == set(Platform)
    for platform, struct in ACCOUNT_TABLES.items():
        assert struct.__struct_config__.tag == platform.value
        assert struct.__struct_config__.forbid_unknown_fields


def undescribed(struct: type[msgspec.Struct], seen: set[type]) -> list[str]:
    """Fields of ``struct`` and the structs inside it that an error could not word."""
    seen.add(struct)
    missing = []
    for field in msgspec.structs.fields(struct):
        if not all(_described(place) for place in _places(field.type)):
            missing.append(f"{struct.__name__}.{field.name}")
        for child in _structs(field.type) - seen:
            missing += undescribed(child, seen)
    return missing


def _places(declared: Any) -> list[Any]:
    """``declared`` and, for a list, each place inside it an error can point at."""
    bare = declared
    while get_origin(bare) is Annotated or (get_args(bare) and get_origin(bare) is not list):
        bare = get_args(bare)[0]
    return [declared, *_places(get_args(bare)[0])] if get_origin(bare) is list else [declared]


def _described(declared: Any) -> bool:
    """A struct (a table), or a type with ``Meta(description=...)`` on it or on an option."""
    if isinstance(declared, type):
        return issubclass(declared, msgspec.Struct)
    if get_origin(declared) is Annotated:
        metas = get_args(declared)[1:]
        return any(isinstance(m, Meta) and m.description for m in metas) or _described(
            get_args(declared)[0]
        )
    return get_origin(declared) is not list and any(_described(a) for a in get_args(declared))


def _structs(declared: Any) -> set[type[msgspec.Struct]]:
    if isinstance(declared, type) and issubclass(declared, msgspec.Struct):
        return {declared}
    return {struct for arg in get_args(declared) for struct in _structs(arg)}


def test_every_field_says_what_it_must_be() -> None:
    seen: set[type] = set()
    assert undescribed(Document, seen) == []
    assert set(ACCOUNT_TABLES.values()) <= seen


# --- the example file -------------------------------------------------------------


def test_the_packaged_example_loads_through_the_real_loader() -> None:
    with resources.as_file(resources.files(smm_tui.config) / EXAMPLE_FILENAME) as path:
        os.chmod(path, 0o644)  # a readable example is fine: it holds no token
        config = load_config(path, ENV)
    assert {account.platform for account in config.accounts} == set(Platform)
    assert config.source == path
    assert example_config() == path.read_text(encoding="utf-8")


def test_the_old_constant_still_reads_the_example() -> None:
    assert example_config() == smm_tui.config.EXAMPLE_CONFIG
    with pytest.raises(AttributeError):
        _ = smm_tui.config.NO_SUCH_NAME


def test_the_readme_points_to_the_example_file_and_quotes_it_exactly() -> None:
    text = README.read_text(encoding="utf-8")
    config_section = text.split("\n## Config\n", 1)[1].split("\n## ", 1)[0]
    assert f"]({PACKAGED})" in config_section
    assert (README.parent / PACKAGED).read_text(encoding="utf-8") == example_config()
    quotes = re.findall(r"```toml\n(.*?)```", config_section, re.DOTALL)
    assert quotes, "the section quotes the example"
    assert all(quote in example_config() for quote in quotes)


def test_the_example_spells_every_platform_in_its_platform_comment() -> None:
    listed = re.search(r"^# platform: (.+)$", example_config(), re.MULTILINE)
    assert listed is not None
    assert listed.group(1).split(" | ") == [p.value for p in PLATFORMS]


def test_the_example_and_the_demo_name_every_network_in_the_registry() -> None:
    every = " | ".join(platform.value for platform in PLATFORMS)
    assert f"# platform: {every}\n" in example_config()
    simulated = [account.extra["simulate"] for account in smm_tui.config.demo_config("a").accounts]
    assert simulated == [entry.platform.value for entry in networks()]


def test_the_configs_default_response_targets_are_the_services_defaults() -> None:
    # Two copies by necessity: the config may not import the classifier the SLA module pulls in.
    assert frozenset(map(Intent, smm_tui.config.model.DEFAULT_APPLIES_TO)) == DEFAULT_APPLIES_TO
