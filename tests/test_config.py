"""The config file: defaults, validation, one-line errors and the token rule."""

from __future__ import annotations

import dataclasses
import os
import sys
import tomllib
from collections.abc import Callable
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

ENV = {"USER": "anna"}
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")

Writer = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write a config file (mode 0644 unless told) and return its path."""

    def _write(text: str, mode: int = 0o644) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        os.chmod(path, mode)
        return path

    return _write


def error_of(path: Path, env: dict[str, str] | None = None) -> str:
    """The ConfigError message for ``path``, checked to be one line naming the file."""
    with pytest.raises(ConfigError) as caught:
        load_config(path, ENV if env is None else env)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message
    assert message.startswith(f"config {path}: ")
    return message.removeprefix(f"config {path}: ")


ONE_VK = '[[accounts]]\nname = "a"\nplatform = "vk"\ngroup_id = 1\n'
ONE_X = '[[accounts]]\nname = "b"\nplatform = "x"\nuser_id = "9"\n'


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


# --- the token rule -------------------------------------------------------------


@posix_only
def test_token_in_a_readable_file_is_refused(write: Writer) -> None:
    path = write(ONE_VK + 'token = "s3cr3t"\n', mode=0o644)
    message = error_of(path)
    assert message == (
        "contains a token but is readable by others (mode 0644); chmod 600 it, or use token_env"
    )
    assert "s3cr3t" not in message


@posix_only
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o611])
def test_any_group_or_other_access_is_refused(write: Writer, mode: int) -> None:
    path = write(ONE_VK + 'token = "s3cr3t"\n', mode=mode)
    assert f"(mode {mode:04o})" in error_of(path)


@posix_only
def test_token_anywhere_counts_even_under_an_unknown_key(write: Writer) -> None:
    path = write('[oops]\ntoken = "s3cr3t"\n', mode=0o644)
    assert "readable by others" in error_of(path)


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_token_in_a_private_file_is_accepted(write: Writer, mode: int) -> None:
    path = write(ONE_VK + 'token = "s3cr3t"\n', mode=mode)
    account = load_config(path, ENV).accounts[0]
    assert account.token({}) == "s3cr3t"


@posix_only
def test_readable_file_without_token_is_fine(write: Writer) -> None:
    assert load_config(write(ONE_VK, mode=0o644), ENV).accounts[0].name == "a"


@posix_only
def test_token_is_never_shown(write: Writer) -> None:
    path = write(ONE_VK + 'token = "s3cr3t"\n', mode=0o600)
    config = load_config(path, ENV)
    assert "s3cr3t" not in repr(config)
    assert "s3cr3t" not in str(config.accounts[0])


@posix_only
def test_bad_token_value_is_not_echoed(write: Writer) -> None:
    path = write(ONE_VK + "token = 12345678\n", mode=0o600)
    message = error_of(path)
    assert message == "'accounts[0].token' must be a non-empty string"


def test_token_env_wins_over_the_file_token() -> None:
    account = AccountConfig(name="a", platform=Platform.VK, token_env="T", file_token="file")
    assert account.token({"T": "env"}) == "env"
    assert account.token({"T": ""}) == "file"
    assert account.token({}) == "file"
    assert AccountConfig(name="a", platform=Platform.VK, token_env="T").token({}) is None


# --- [demo], [keymap], lists, top level ----------------------------------------------


def test_demo_table(write: Writer) -> None:
    config = load_config(write("[demo]\nrate_per_minute = 30\nseed = 1\n"), ENV)
    assert config.demo == DemoConfig(rate_per_minute=30.0, seed=1)
    assert isinstance(config.demo.rate_per_minute, float)


@pytest.mark.parametrize(
    ("value", "shown"),
    [('"fast"', '"fast"'), ("0", "0"), ("-1.5", "-1.5"), ("true", "true"), ("inf", "Infinity")],
)
def test_bad_rate(write: Writer, value: str, shown: str) -> None:
    message = error_of(write(f"[demo]\nrate_per_minute = {value}\n"))
    assert message == f"'demo.rate_per_minute' must be a positive number, got {shown}"


def test_bad_demo_seed(write: Writer) -> None:
    assert (
        error_of(write('[demo]\nseed = "x"\n')) == "'demo.seed' must be a whole number, got \"x\""
    )


def test_unknown_demo_key(write: Writer) -> None:
    message = error_of(write("[demo]\nrate_per_min = 3\n"))
    assert message == "unknown key 'demo.rate_per_min' (did you mean 'rate_per_minute'?)"


def test_demo_must_be_a_table(write: Writer) -> None:
    assert error_of(write("demo = 3\n")) == "'demo' must be a table ([demo]), got 3"


def test_keymap(write: Writer) -> None:
    path = write('[keymap]\n"feed.reply" = "r"\n"feed.done_next" = "d, x"\nfeed.skip = "ctrl+n"\n')
    keymap = load_config(path, ENV).keymap
    assert dict(keymap) == {"feed.reply": "r", "feed.done_next": "d,x", "feed.skip": "ctrl+n"}


@pytest.mark.parametrize("value", ['""', '"d,"', '"ctrl+ x"', '"a b"', "3", '"\\u001b"'])
def test_bad_keymap_values(write: Writer, value: str) -> None:
    message = error_of(write(f'[keymap]\n"feed.reply" = {value}\n'))
    assert message.startswith("'keymap.\"feed.reply\"' must be comma-separated key names")


def test_keymap_error_with_a_newline_in_the_id_stays_one_line(write: Writer) -> None:
    message = error_of(write('[keymap]\n"a\\nb" = ""\n'))
    assert message.startswith("'keymap.\"a\\nb\"' must be")


def test_unknown_top_level_key_suggests(write: Writer) -> None:
    assert error_of(write('usr = "x"\n')) == "unknown key 'usr' (did you mean 'user'?)"
    assert error_of(write("[keymaps]\n")) == "unknown key 'keymaps' (did you mean 'keymap'?)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('user = ""', "'user' must be a non-empty string, got \"\""),
        ("user = 1", "'user' must be a non-empty string, got 1"),
        ("users = []", "'users' must be a non-empty list of strings, got an array"),
        ('users = "anna"', "'users' must be a non-empty list of strings, got \"anna\""),
        ('departments = ["Cards", 3]', "'departments[1]' must be a non-empty string, got 3"),
        ('departments = ["Cards", "Cards"]', "'departments[1]' repeats \"Cards\""),
    ],
)
def test_bad_top_level_values(write: Writer, text: str, expected: str) -> None:
    assert error_of(write(text + "\n")) == expected


# --- unreadable files ----------------------------------------------------------------


def test_toml_syntax_error_is_one_line_with_position(write: Writer) -> None:
    message = error_of(write('user = "anna"\n[demo\nseed = 1\n'))
    assert message.startswith("invalid TOML: ")
    assert "line 2" in message and "column" in message


def test_invalid_utf8(write: Writer) -> None:
    path = write("")
    path.write_bytes(b'user = "\xff"\n')
    assert error_of(path) == "not valid UTF-8 (byte 8)"


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    assert error_of(tmp_path).startswith("cannot read (")


def test_long_values_are_shortened(write: Writer) -> None:
    message = error_of(write(f'[demo]\nseed = "{"x" * 500}"\n'))
    assert len(message) < 120
    assert message.endswith("…")


def test_utf8_bom_is_tolerated(write: Writer) -> None:
    path = write("")
    path.write_bytes(b'\xef\xbb\xbfuser = "boris"\n')
    assert load_config(path, ENV).user == "boris"


def test_nested_unknown_table_in_an_account(write: Writer) -> None:
    path = write(ONE_VK + "[accounts.meta]\nx = 1\n")
    assert error_of(path) == "unknown key 'accounts[0].meta'"


def test_keymap_as_nested_tables(write: Writer) -> None:
    path = write('[keymap.feed]\nreply = "r"\n')
    assert dict(load_config(path, ENV).keymap) == {"feed.reply": "r"}


# --- [sla] ----------------------------------------------------------------------


def test_sla_targets_and_business_hours(write: Writer) -> None:
    from datetime import time, timedelta

    from smm_tui.runtime import sla_from

    text = (
        '[sla]\nminutes = 15\nwarn_minutes = 5\nbusiness_hours = "09:00-18:00"\n'
        'business_days = ["mon", "Tue", "wednesday"]\ntimezone = "Europe/Moscow"\n'
        '[[accounts]]\nname = "fast"\nplatform = "x"\nuser_id = "1"\nsla_minutes = 5\n'
    )
    config = load_config(write(text), ENV)
    assert config.sla.business_hours == ("09:00", "18:00")
    assert config.sla.business_days == (0, 1, 2)
    settings = sla_from(config)
    assert settings.default.target == timedelta(minutes=15)
    assert settings.default.warn_before == timedelta(minutes=5)
    assert settings.default.hours is not None and settings.default.hours.end == time(18)
    assert settings.for_account("fast").target == timedelta(minutes=5)
    assert settings.for_account("fast").hours == settings.default.hours


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ("minutes = 0", "'sla.minutes' must be a positive number of minutes (at most a week)"),
        ("warn_minutes = 20", "'sla.warn_minutes' must be a number from 0 to below 10, got 20"),
        ('business_hours = "18:00-09:00"', "'sla.business_hours' must be a range such as"),
        ('business_days = ["someday"]', "'sla.business_days[0]' must be a day such as mon"),
        ('timezone = "Mars/Olympus"', "'sla.timezone' must be a time zone name such as"),
        ("minuts = 5", "unknown key 'sla.minuts' (did you mean 'minutes'?)"),
        ('applies_to = "complaint"', "'sla.applies_to' must be a list of intents from: question,"),
        ('applies_to = ["complaint", "rant"]', "'sla.applies_to[1]' must be one of: question,"),
    ],
)
def test_bad_sla_values_are_named(write: Writer, table: str, error: str) -> None:
    assert error_of(write(f"[sla]\n{table}\n")).startswith(error)


def test_sla_applies_to_names_the_intents_that_need_a_response(write: Writer) -> None:
    from smm_tui.core.models import Intent
    from smm_tui.runtime import sla_from

    assert sla_from(load_config(write(""), ENV)).applies_to == {
        Intent.COMPLAINT,
        Intent.QUESTION,
        Intent.PRAISE,
        Intent.OTHER,
    }
    config = load_config(write('[sla]\napplies_to = ["complaint", "question"]\n'), ENV)
    assert sla_from(config).applies_to == {Intent.COMPLAINT, Intent.QUESTION}


def test_views_come_from_the_config_and_a_bad_one_is_named(write: Writer) -> None:
    from smm_tui.core.views import build_views

    config = load_config(write('[views]\nHot = "priority:>=70"\nEverything = "*"\n'), ENV)
    views = build_views(config.views)
    assert [v.name for v in views] == ["Hot", "Everything"]
    assert error_of(write('[views]\nHot = "priorty:>=70"\n')).startswith(
        "'views.Hot': unknown field 'priorty' at 0 (did you mean 'priority'?)"
    )


def test_rules_are_checked_when_the_config_loads(write: Writer) -> None:
    good = (
        'users = ["anna", "boris"]\n[[rules]]\nname = "fraud"\nwhen = \'"мошен"\'\n'
        'tag = ["fraud", "urgent"]\nassign = "boris"\ndepartment = "Fraud"\nraise_priority = 20\n'
    )
    (rule,) = load_config(write(good), ENV).rules
    assert (rule.tags, rule.assign, rule.department, rule.raise_priority) == (
        ("fraud", "urgent"),
        "boris",
        "Fraud",
        20,
    )
    bad_query = '[[rules]]\nname = "x"\nwhen = "sentimnt:neg"\n'
    assert error_of(write(bad_query)).startswith("'rules[0].when': unknown field 'sentimnt'")
    bad_user = '[[rules]]\nname = "x"\nwhen = "is:open"\nassign = "zoe"\n'
    assert error_of(write(bad_user)).startswith("'rules[0].assign' must be one of users")


def test_business_hours_end_at_24_00_at_the_latest(write: Writer) -> None:
    assert error_of(write('[sla]\nbusiness_hours = "09:00-24:30"\n')).startswith(
        "'sla.business_hours' must be a range such as"
    )
    config = load_config(write('[sla]\nbusiness_hours = "09:00-24:00"\n'), ENV)
    assert config.sla.business_hours == ("09:00", "24:00")
