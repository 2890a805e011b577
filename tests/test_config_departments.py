"""departments (names or [[departments]] with a handoff), [tickets], [[saved_replies]] and
the saved_replies.toml beside the config."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from smm_tui.config import ConfigError, example_config, load_config
from smm_tui.config.departments import HANDOFF_KEYS
from smm_tui.config.model import DEFAULT_DEPARTMENTS, DepartmentConfig
from smm_tui.config.saved_replies import (
    SavedRepliesFile,
    merged,
    saved_replies_path,
)
from smm_tui.config.schema import HANDOFFS
from smm_tui.core.saved_replies import SavedReply
from tests.config_kit import ENV, Writer, error_of

TG = '[[accounts]]\nname = "bank-tg"\nplatform = "telegram"\ntoken_env = "T"\n'
WEBHOOK = (
    '[[departments]]\nname = "Payments"\nhandoff = "webhook"\n'
    'url = "https://hooks.bank.example/t"\nsecret_env = "HOOK_SECRET"\n'
)
EMAIL = (
    '[[departments]]\nname = "Cards"\nhandoff = "email"\nsmtp_host = "smtp.bank.example"\n'
    'from = "smm@bank.example"\nto = "cards@bank.example"\n'
)
TELEGRAM = '[[departments]]\nname = "Fraud"\nhandoff = "telegram"\naccount = "bank-tg"\n'


# --- departments -------------------------------------------------------------------


def test_tables_give_names_and_handoffs(write: Writer) -> None:
    text = (
        TG
        + WEBHOOK
        + EMAIL
        + TELEGRAM
        + "chat_id = -1001234\n"
        + '[[departments]]\nname = "General"\n'
    )
    config = load_config(write(text), ENV)
    assert config.departments == ("Payments", "Cards", "Fraud", "General")
    webhook, email, telegram, general = config.handoffs
    assert webhook == DepartmentConfig(
        "Payments", "webhook", url="https://hooks.bank.example/t", secret_env="HOOK_SECRET"
    )
    assert (email.smtp_host, email.smtp_port, email.starttls) == ("smtp.bank.example", 587, True)
    assert (email.sender, email.to) == ("smm@bank.example", ("cards@bank.example",))
    assert (telegram.account, telegram.chat_id) == ("bank-tg", "-1001234")
    assert general.handoff == "none"
    assert config.handoff("Payments") is webhook and config.handoff("General") is None


def test_every_email_key(write: Writer) -> None:
    text = EMAIL.replace('to = "cards@bank.example"', 'to = ["a@bank.example", "b@bank.example"]')
    text += 'smtp_port = 2525\nstarttls = true\nusername = "smm"\npassword_env = "SMTP_PASSWORD"\n'
    (email,) = load_config(write(text), ENV).handoffs
    assert email.to == ("a@bank.example", "b@bank.example")
    assert (email.smtp_port, email.starttls) == (2525, True)
    assert (email.username, email.password_env) == ("smm", "SMTP_PASSWORD")


def test_a_login_without_starttls_is_refused(write: Writer) -> None:
    text = EMAIL + 'starttls = false\nusername = "smm"\npassword_env = "SMTP_PASSWORD"\n'
    with pytest.raises(ConfigError, match=r"starttls' must be true when username is set"):
        load_config(write(text), ENV)
    (email,) = load_config(write(EMAIL + "starttls = false\n"), ENV).handoffs
    assert email.starttls is False, "without a login, a plain relay is allowed"


def test_plain_names_as_before_and_both_in_one_array(write: Writer) -> None:
    assert load_config(write('departments = ["Cards", "Fraud"]\n'), ENV).departments == (
        "Cards",
        "Fraud",
    )
    assert load_config(write("user = 'anna'\n"), ENV).departments == DEFAULT_DEPARTMENTS
    mixed = 'departments = ["Cards", {name = "Payments", handoff = "webhook", url = "https://h"}]\n'
    config = load_config(write(mixed), ENV)
    assert config.departments == ("Cards", "Payments")
    assert [d.name for d in config.handoffs] == ["Payments"]
    assert config.handoff("Cards") is None


def test_a_rule_may_route_to_a_department_named_by_a_table(write: Writer) -> None:
    rule = '[[rules]]\nname = "r"\nwhen = "intent:complaint"\ndepartment = "Payments"\n'
    assert load_config(write(WEBHOOK + rule), ENV).rules[0].department == "Payments"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[departments]]\nname = "P"\nhandoff = "webhook"\n',
            "missing key 'departments[0].url' (handoff \"webhook\" needs it)",
        ),
        (
            '[[departments]]\nname = "P"\nhandoff = "webhook"\nurl = "ftp://files.example"\n',
            "'departments[0].url' must be an http(s) URL, got \"ftp://files.example\"",
        ),
        (
            WEBHOOK + 'smtp_host = "smtp.example"\n',
            "unknown key 'departments[0].smtp_host' for handoff \"webhook\" "
            "(only email departments take 'smtp_host')",
        ),
        (
            '[[departments]]\nname = "P"\nurl = "https://h"\n',
            "unknown key 'departments[0].url' for handoff \"none\" "
            "(only webhook departments take 'url')",
        ),
        (
            EMAIL.replace('to = "cards@bank.example"\n', ""),
            "missing key 'departments[0].to' (handoff \"email\" needs it)",
        ),
        (
            EMAIL + 'username = "smm"\n',
            "missing key 'departments[0].password_env' (username is set)",
        ),
        (
            EMAIL.replace("from =", "frm ="),
            "unknown key 'departments[0].frm' (did you mean 'from'?)",
        ),
        (
            EMAIL.replace('"smm@bank.example"', '"smm@bank.example\\nBcc: all@x.example"'),
            "'departments[0].from' must be an email address, "
            'got "smm@bank.example\\nBcc: all@x.example"',
        ),
        (
            EMAIL.replace('"cards@bank.example"', "[]"),
            "'departments[0].to' must be an email address or a non-empty list of them, "
            "got an array",
        ),
        (
            EMAIL + "smtp_port = 0\n",
            "'departments[0].smtp_port' must be a port number from 1 to 65535, got 0",
        ),
        (
            '[[departments]]\nname = "P"\nhandoff = "pigeon"\n',
            "'departments[0].handoff' must be one of webhook, email, telegram, none, "
            'got "pigeon"',
        ),
        (
            TG + TELEGRAM,
            "missing key 'departments[0].chat_id' (handoff \"telegram\" needs it)",
        ),
        (
            TG + TELEGRAM.replace("bank-tg", "bank-vk") + "chat_id = 1\n",
            "'departments[0].account' must be the name of a telegram account in [[accounts]] "
            '(bank-tg), got "bank-vk"',
        ),
        (
            '[[accounts]]\nname = "bank-vk"\nplatform = "vk"\ngroup_id = 1\n'
            + TELEGRAM.replace("bank-tg", "bank-vk")
            + "chat_id = 1\n",
            "'departments[0].account' must be the name of a telegram account in [[accounts]] "
            '(none is configured), got "bank-vk"',
        ),
        (
            TG + TELEGRAM + 'chat_id = "the fraud team"\n',
            "'departments[0].chat_id' must be a chat such as \"@name\" or its numeric id, "
            'got "the fraud team"',
        ),
        (
            '[[departments]]\nname = "Fraud"\n[[departments]]\nname = "Fraud"\n',
            "'departments[1].name' repeats \"Fraud\"",
        ),
        (
            'departments = ["Cards", {name = "Cards"}]',
            "'departments[1].name' repeats \"Cards\"",
        ),
        ('[[departments]]\nhandoff = "none"\n', "missing key 'departments[0].name'"),
        ('departments = ["Cards", 3]', "'departments[1]' must be a non-empty string, got 3"),
    ],
)
def test_each_bad_department_is_one_line_naming_its_key(
    write: Writer, text: str, expected: str
) -> None:
    assert error_of(write(text + "\n")) == expected


@pytest.mark.parametrize("key", ["secret_env", "password_env"])
def test_a_secret_pasted_for_its_variable_is_not_echoed(write: Writer, key: str) -> None:
    text = WEBHOOK if key == "secret_env" else EMAIL + 'username = "smm"\n'
    text = text.replace('secret_env = "HOOK_SECRET"\n', "")
    message = error_of(write(text + f'{key} = "hunter2 s3cret"\n'))
    assert message.startswith(f"'departments[0].{key}' must be the name of an environment")
    assert "hunter2" not in message


def test_every_handoff_has_its_keys_and_every_key_is_a_field() -> None:
    assert set(HANDOFF_KEYS) == set(HANDOFFS)
    fields = {"url", "secret_env", "smtp_host", "smtp_port", "starttls", "from", "to"}
    fields |= {"username", "password_env", "account", "chat_id"}
    assert {key for keys in HANDOFF_KEYS.values() for part in keys for key in part} == fields


# --- [tickets] ---------------------------------------------------------------------


def test_tickets_confirm_within(write: Writer) -> None:
    assert load_config(write("user = 'a'\n"), ENV).tickets.confirm_within == timedelta(days=3)
    config = load_config(write('[tickets]\nconfirm_within = "2d12h"\n'), ENV)
    assert config.tickets.confirm_within == timedelta(days=2, hours=12)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"0d"', "'tickets.confirm_within' must be a duration from 1m to 365d, got \"0d\""),
        ('"366d"', "'tickets.confirm_within' must be a duration from 1m to 365d, got \"366d\""),
        (
            '"soon"',
            '\'tickets.confirm_within\' must be a duration such as "6h" or "90m", got "soon"',
        ),
        ("3", '\'tickets.confirm_within\' must be a duration such as "6h" or "90m", got 3'),
    ],
)
def test_bad_confirm_within(write: Writer, value: str, expected: str) -> None:
    assert error_of(write(f"[tickets]\nconfirm_within = {value}\n")) == expected


def test_unknown_tickets_key(write: Writer) -> None:
    message = error_of(write('[tickets]\nconfirm_in = "3d"\n'))
    assert message == "unknown key 'tickets.confirm_in' (did you mean 'confirm_within'?)"


# --- [[saved_replies]] ---------------------------------------------------------------

REPLIES = """
[[saved_replies]]
name = "double-debit-fixed"
language = "ru"
tags = ["complaint", "follow-up"]
body = "{first_name}, мы вернули двойное списание."

[[saved_replies]]
name = "odd"
tags = "complaint"
body = "Hi {nickname}"
"""


def test_saved_replies_load_and_an_unknown_field_is_not_refused_at_load(write: Writer) -> None:
    config = load_config(write(REPLIES), ENV)
    assert config.saved_replies == (
        SavedReply(
            "double-debit-fixed",
            "{first_name}, мы вернули двойное списание.",
            "ru",
            ("complaint", "follow-up"),
        ),
        SavedReply("odd", "Hi {nickname}", "", ("complaint",)),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'name = "a"\nbody = " \\n "',
            "'saved_replies[0].body' must be a non-empty string, got \" \\n \"",
        ),
        ('name = "a"', "missing key 'saved_replies[0].body'"),
        (
            'name = "a"\nbody = "b"\nlanguage = "Russian"',
            "'saved_replies[0].language' must be a language code such as "
            '"ru" or "en-GB", got "Russian"',
        ),
        (
            'name = "a"\nbody = "b"\ntags = [1]',
            "'saved_replies[0].tags[0]' must be a tag or a list of tags, got 1",
        ),
        ('name = "a"\nbdy = "b"', "unknown key 'saved_replies[0].bdy' (did you mean 'body'?)"),
        (
            'name = "a\\nb"\nbody = "b"',
            "'saved_replies[0].name' must be a name on one line, got \"a\\nb\"",
        ),
    ],
)
def test_each_bad_saved_reply_is_one_line(write: Writer, text: str, expected: str) -> None:
    assert error_of(write(f"[[saved_replies]]\n{text}\n")) == expected


def test_saved_reply_names_are_unique(write: Writer) -> None:
    text = '[[saved_replies]]\nname = "a"\nbody = "1"\n[[saved_replies]]\nname = "a"\nbody = "2"\n'
    assert error_of(write(text)) == (
        "duplicate saved reply name \"a\" in 'saved_replies[1].name' "
        "(already used by saved_replies[0])"
    )


# --- the example -------------------------------------------------------------------


def test_the_examples_department_tables_load_once_uncommented(write: Writer) -> None:
    example = example_config()
    block = re.search(r"^# \[\[departments\]\]\n.*?(?=^\n)", example, re.MULTILINE | re.DOTALL)
    assert block is not None
    tables = re.sub(r"^# ?", "", block.group(0), flags=re.MULTILINE)
    text = re.sub(r"^departments = .*\n", tables, example, count=1, flags=re.MULTILINE)
    config = load_config(write(text), ENV)
    assert [(d.name, d.handoff) for d in config.handoffs] == [
        ("Payments", "webhook"),
        ("Cards", "email"),
        ("Fraud", "telegram"),
        ("General", "none"),
    ]
    assert load_config(write(example), ENV).saved_replies[0].name == "double-debit-fixed"


# --- saved_replies.toml --------------------------------------------------------------


def test_the_side_file_is_beside_the_config(tmp_path: Path) -> None:
    assert saved_replies_path(tmp_path / "config.toml") == tmp_path / "saved_replies.toml"


def test_the_side_file_reads_and_notices_changes(tmp_path: Path) -> None:
    path = tmp_path / "saved_replies.toml"
    side = SavedRepliesFile(path)
    assert side.changed()  # never read yet
    assert side.read() == () and not side.changed()  # missing is empty, and stays unchanged
    path.write_text(REPLIES, encoding="utf-8")
    assert side.changed()
    assert [r.name for r in side.read()] == ["double-debit-fixed", "odd"]
    assert not side.changed()
    stamp = path.stat().st_mtime_ns
    path.write_text(REPLIES.replace("odd", "ODD"), encoding="utf-8")  # same size
    os.utime(path, ns=(stamp + 1_000_000, stamp + 1_000_000))
    assert side.changed()
    assert [r.name for r in side.read()] == ["double-debit-fixed", "ODD"]
    path.unlink()
    assert side.changed() and side.read() == ()


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ('[[saved_replies]]\nname = "a"\n', "missing key 'saved_replies[0].body'"),
        (
            '[[accounts]]\nname = "a"\n',
            "unknown key 'accounts' (this file holds only [[saved_replies]])",
        ),
        ("[[saved_replies]\n", "invalid TOML: "),
    ],
)
def test_a_bad_side_file_names_itself_and_the_key_once(
    tmp_path: Path, text: str, detail: str
) -> None:
    path = tmp_path / "saved_replies.toml"
    path.write_text(text, encoding="utf-8")
    side = SavedRepliesFile(path)
    with pytest.raises(ConfigError) as caught:
        side.read()
    message = str(caught.value)
    assert message.startswith(f"config {path}: {detail}") and "\n" not in message
    assert not side.changed()  # said once; said again only when the file changes


def test_the_files_replies_win_a_name_clash_in_place() -> None:
    config = (SavedReply("a", "config a"), SavedReply("b", "config b"))
    side = (SavedReply("b", "file b"), SavedReply("c", "file c"))
    assert merged(config, side) == (
        SavedReply("a", "config a"),
        SavedReply("b", "file b"),
        SavedReply("c", "file c"),
    )
    assert merged(config, ()) == config
