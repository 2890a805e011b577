"""The config file: the token rule, [demo], [keymap], [sla], top-level values, unreadable files."""

from __future__ import annotations

from pathlib import Path

import pytest

from smm_tui.config import (
    AccountConfig,
    DemoConfig,
    load_config,
)
from smm_tui.core.models import Platform
from tests.config_kit import ENV, ONE_VK, Writer, error_of, posix_only

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
