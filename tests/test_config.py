"""The config file: defaults, the example and the demo, accounts."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from smm_tui.config import (
    DEFAULT_DEPARTMENTS,
    AccountConfig,
    Config,
    ConfigError,
    DemoConfig,
    demo_config,
    example_config,
    load_config,
)
from smm_tui.core.models import Platform
from tests.config_kit import ENV, ONE_VK, ONE_X, Writer, error_of

# --- defaults ------------------------------------------------------------------


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml", ENV)
    assert config == Config(user="anna", users=("anna",))
    assert config.accounts == ()
    assert config.demo == DemoConfig(rate_per_minute=3.0, seed=7)
    assert dict(config.keymap) == {}
    assert config.departments == DEFAULT_DEPARTMENTS
    assert config.departments == ("Cards", "Mobile app", "Delivery", "Payments", "Fraud", "General")
    assert config.source is None


def test_user_falls_back_to_manager(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml", {}).user == "manager"
    assert load_config(tmp_path / "absent.toml", {"USER": ""}).user == "manager"


def test_missing_file_when_required(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match="not found") as caught:
        load_config(path, ENV, required=True)
    assert str(caught.value) == f"config {path}: not found"


def test_empty_file_gives_defaults_with_source(write: Writer) -> None:
    path = write("")
    config = load_config(path, ENV)
    assert config.user == "anna"
    assert config.users == ("anna",)
    assert config.source == path


def test_top_level_values(write: Writer) -> None:
    path = write('user = "boris"\nusers = ["boris", "chen"]\ndepartments = ["Cards"]\n')
    config = load_config(path, ENV)
    assert config.user == "boris"
    assert config.users == ("boris", "chen")
    assert config.departments == ("Cards",)


def test_users_default_to_the_configured_user(write: Writer) -> None:
    assert load_config(write('user = "boris"\n'), ENV).users == ("boris",)


# --- the example and the demo ----------------------------------------------------


def test_example_config_loads(write: Writer) -> None:
    config = load_config(write(example_config()), ENV)
    platforms = {a.platform for a in config.accounts}
    assert platforms == set(Platform)
    assert config.user == "anna"
    assert config.keymap["feed.done_next"] == "d,x"
    vk = config.account("bank-vk")
    assert vk is not None
    assert vk.extra == {"group_id": 123456}
    assert vk.token({"SMM_VK_TOKEN": "t0k"}) == "t0k"
    practice = config.account("practice")
    assert practice is not None
    assert practice.extra == {"simulate": "telegram", "seed": 42}


def test_example_config_has_no_live_token_key() -> None:
    # So a copy of the example works at any file mode.
    document = tomllib.loads(example_config())
    assert all("token" not in account for account in document["accounts"])


def test_demo_config() -> None:
    config = demo_config("anna")
    assert config.user == "anna"
    assert config.users == ("anna", "omar"), "the demo's team, the user first and once"
    assert demo_config("alice").users == ("alice", "anna", "omar")
    assert [a.name for a in config.accounts] == [
        "bank-vk",
        "bank-tg",
        "bank-mastodon",
        "bank-bsky",
        "bank-x",
    ]
    assert all(a.platform is Platform.DEMO for a in config.accounts)
    simulated = [a.extra["simulate"] for a in config.accounts]
    assert simulated == ["vk", "telegram", "mastodon", "bluesky", "x"]
    assert config.demo == DemoConfig()
    assert config.source is None


# --- accounts --------------------------------------------------------------------


def test_accounts_and_platform_extras(write: Writer) -> None:
    path = write(
        '[[accounts]]\nname = "v"\nplatform = "vk"\ngroup_id = 42\n'
        '[[accounts]]\nname = "x"\nplatform = "x"\nuser_id = "99"\n'
        'base_url = "https://api.example.com"\ntoken_env = "X_TOKEN"\n'
        '[[accounts]]\nname = "b"\nplatform = "bluesky"\nhandle = "bank.bsky.social"\n'
        '[[accounts]]\nname = "d"\nplatform = "demo"\nsimulate = "x"\nseed = 3\n'
    )
    v, x, b, d = load_config(path, ENV).accounts
    assert (v.platform, dict(v.extra)) == (Platform.VK, {"group_id": 42})
    assert x == AccountConfig(
        name="x",
        platform=Platform.X,
        base_url="https://api.example.com",
        token_env="X_TOKEN",
        extra={"user_id": "99"},
    )
    assert dict(b.extra) == {"handle": "bank.bsky.social"}
    assert dict(d.extra) == {"simulate": "x", "seed": 3}


def test_config_objects_are_frozen(write: Writer) -> None:
    config = load_config(write(ONE_VK), ENV)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.user = "eve"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.accounts[0].extra["group_id"] = 1  # type: ignore[index]


def test_unknown_account_key_suggests(write: Writer) -> None:
    path = write(
        ONE_VK + ONE_X + '[[accounts]]\nname = "c"\nplatform = "mastodon"\ntokn_env = "T"\n'
    )
    assert error_of(path) == "unknown key 'accounts[2].tokn_env' (did you mean 'token_env'?)"


def test_misspelt_platform_key_is_reported_as_unknown_not_missing(write: Writer) -> None:
    path = write('[[accounts]]\nname = "a"\nplatfrom = "vk"\n')
    assert error_of(path) == "unknown key 'accounts[0].platfrom' (did you mean 'platform'?)"


def test_extra_key_of_another_platform(write: Writer) -> None:
    path = write('[[accounts]]\nname = "a"\nplatform = "telegram"\ngroup_id = 5\n')
    message = error_of(path)
    assert message.startswith("unknown key 'accounts[0].group_id'")
    assert "only vk accounts take 'group_id'" in message


def test_seed_is_shared_by_nobody_but_demo(write: Writer) -> None:
    path = write('[[accounts]]\nname = "a"\nplatform = "x"\nseed = 5\n')
    assert "only demo accounts take 'seed'" in error_of(path)


def test_unknown_key_without_a_close_match(write: Writer) -> None:
    path = write(ONE_VK + "zzzzzz = 1\n")
    assert error_of(path) == "unknown key 'accounts[0].zzzzzz'"


def test_missing_account_name(write: Writer) -> None:
    assert error_of(write('[[accounts]]\nplatform = "vk"\n')) == "missing key 'accounts[0].name'"


def test_missing_platform(write: Writer) -> None:
    assert error_of(write('[[accounts]]\nname = "a"\n')) == "missing key 'accounts[0].platform'"


def test_bad_platform(write: Writer) -> None:
    message = error_of(write('[[accounts]]\nname = "a"\nplatform = "twitter"\n'))
    assert message == (
        "'accounts[0].platform' must be one of vk, telegram, mastodon, bluesky, x, demo, "
        'got "twitter"'
    )


def test_duplicate_account_name_is_named(write: Writer) -> None:
    path = write(ONE_VK + ONE_X + ONE_VK)
    message = error_of(path)
    assert message == (
        "duplicate account name \"a\" in 'accounts[2].name' (already used by accounts[0])"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('name = ""', "'accounts[0].name' must be a non-empty string, got \"\""),
        ('name = "a b"', "'accounts[0].name' must be a name without spaces, got \"a b\""),
        ("name = 5", "'accounts[0].name' must be a non-empty string, got 5"),
        (
            'base_url = "ftp://example.com"',
            "'accounts[0].base_url' must be an http(s) URL, got \"ftp://example.com\"",
        ),
        (
            'base_url = "https://"',
            "'accounts[0].base_url' must be an http(s) URL, got \"https://\"",
        ),
        (
            'base_url = "ftp://bank:Secr3t@proxy.example"',
            "'accounts[0].base_url' must be an http(s) URL, got \"ftp://…@proxy.example\"",
        ),
        ('base_url = "example.com"', "must be an http(s) URL"),
        ('base_url = "http://host:99999"', "must be an http(s) URL"),
        ('token_env = "MY-TOKEN"', "'accounts[0].token_env' must be the name of an environment"),
        ('token_env = "1ABC"', "must be the name of an environment variable"),
        ("group_id = 0", "'accounts[0].group_id' must be a positive whole number, got 0"),
        ('group_id = "12"', "'accounts[0].group_id' must be a positive whole number, got \"12\""),
        ("group_id = true", "'accounts[0].group_id' must be a positive whole number, got true"),
    ],
)
def test_bad_account_values(write: Writer, line: str, expected: str) -> None:
    base = {"name": 'name = "a"', "platform": 'platform = "vk"', "group_id": "group_id = 1"}
    key = line.split(" ")[0]
    lines = [v for k, v in base.items() if k != key] + [line]
    assert expected in error_of(write("[[accounts]]\n" + "\n".join(lines) + "\n"))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('platform = "x"\nuser_id = ""', "'accounts[0].user_id' must be a non-empty string"),
        (
            'platform = "bluesky"\nhandle = 7',
            "'accounts[0].handle' must be a non-empty string, got 7",
        ),
        (
            'platform = "demo"\nsimulate = "demo"',
            "'accounts[0].simulate' must be one of vk, telegram, mastodon, bluesky, x, "
            'got "demo"',
        ),
        ('platform = "demo"\nseed = 1.5', "'accounts[0].seed' must be a whole number, got 1.5"),
    ],
)
def test_bad_platform_extras(write: Writer, body: str, expected: str) -> None:
    assert expected in error_of(write(f'[[accounts]]\nname = "a"\n{body}\n'))


def test_backfill_defaults_to_200_and_may_be_zero(write: Writer) -> None:
    text = ONE_VK + ONE_X + "backfill = 0\n"
    first, second = load_config(write(text), ENV).accounts
    assert (first.backfill, second.backfill) == (200, 0)
    demo = '[[accounts]]\nname = "d"\nplatform = "demo"\nbackfill = 50\n'
    (account,) = load_config(write(demo), ENV).accounts
    assert account.backfill == 50


@pytest.mark.parametrize(
    ("value", "shown"), [("-1", "-1"), ("2.5", "2.5"), ('"200"', '"200"'), ("true", "true")]
)
def test_a_bad_backfill_is_named(write: Writer, value: str, shown: str) -> None:
    mastodon = '[[accounts]]\nname = "c"\nplatform = "mastodon"\nbase_url = "https://m.example"\n'
    text = ONE_VK + ONE_X + mastodon + f"backfill = {value}\n"
    assert (
        error_of(write(text)) == f"'accounts[2].backfill' must be a whole number >= 0, got {shown}"
    )


def test_token_env_pasted_token_is_not_echoed(write: Writer) -> None:
    path = write(ONE_VK + 'token_env = "vk1.a.s3cr3t-value"\n')
    message = error_of(path)
    assert "s3cr3t" not in message
    assert "not the token itself" in message


def test_accounts_must_be_an_array_of_tables(write: Writer) -> None:
    message = error_of(write('[accounts]\nname = "a"\n'))
    assert message == "'accounts' must be an array of tables ([[accounts]]), got a table"
