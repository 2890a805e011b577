"""The command line's arguments: values that start with '-', options on either side."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from smm_tui import __version__
from smm_tui.cli import main
from smm_tui.commands import app
from smm_tui.config import Config
from smm_tui.core.repository import Collection
from smm_tui.store.store import Store
from tests.cli_kit import EVERY, NOT_VK, env_for, exported, seed_networks
from tests.conftest import FakeClock


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (["--query", "-platform:vk"], NOT_VK),
        (["-q", "-platform:vk"], NOT_VK),
        (["--query=-platform:vk"], NOT_VK),
        (["--query=-x"], EVERY),
        (["-q", "-tag:spam"], [("mastodon", ()), ("vk", ()), ("vk", ())]),
    ],
)
def test_export_query_may_start_with_a_negation(
    query: list[str],
    expected: list[tuple[str, tuple[str, ...]]],
    tmp_path: Path,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_networks(tmp_path / "a", clock)
    code = main(["export", *query, "--data-dir", str(tmp_path / "a")], env_for(tmp_path))
    assert code == 0, capsys.readouterr().err
    assert sorted(exported(capsys)) == expected


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize(("query", "at"), [("platfrom:vk", 0), ("-platfrom:vk", 1)])
def test_a_bad_query_exits_2_saying_where(
    command: str, query: str, at: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([command, "--query", query], env_for(tmp_path))
    err = capsys.readouterr().err
    assert code == 2
    assert err == f"smm-tui: --query: unknown field 'platfrom' at {at} (did you mean 'platform'?)\n"


def test_report_takes_a_query_too(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_networks(tmp_path / "a", clock)
    args = ["report", "--format", "csv", "--days", "3650", "--data-dir", str(tmp_path / "a")]
    code = main([*args, "-q", "-platform:vk"], env_for(tmp_path))
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    networks = [line.split(",")[:3] for line in lines if line.startswith("network,")]
    assert networks == [["network", "mastodon", "2"]]


def test_reply_text_may_start_with_a_dash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[[accounts]]\nname = "bank-vk"\nplatform = "demo"\nsimulate = "vk"\n')
    common = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    env = env_for(tmp_path)
    assert main(["poll", "--once", *common], env) == 0
    with Store.open(tmp_path / "d") as store:
        mention = next(iter(store.records(Collection.MENTIONS)))
    code = main(["reply", mention["id"], "--text", "-1 for the wait", *common], env)
    assert code == 0, capsys.readouterr().err
    with Store.open(tmp_path / "d") as store:
        assert [r["text"] for r in store.records(Collection.REPLIES)] == ["-1 for the wait"]


def test_a_negative_demo_rate_is_read_and_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--rate", "-5"], env_for(tmp_path)) == 2
    assert capsys.readouterr().err == (
        "smm-tui: --rate must be a positive number of mentions per minute\n"
    )


@pytest.mark.parametrize(
    ("where", "count"),
    [
        (lambda data: ["--data-dir", data, "export"], 5),
        (lambda data: ["export", "--data-dir", data], 5),
        (lambda data: ["--user", "bob", "export", "--data-dir", data, "--format", "jsonl"], 5),
        # Given after the command, an option wins over the same one given before it.
        (lambda data: ["--data-dir", "/nonexistent/nowhere", "export", "--data-dir", data], 5),
        (lambda data: ["--data-dir", data, "--user", "bob", "export", "-q", "platform:vk"], 3),
    ],
)
def test_common_options_work_before_and_after_the_command(
    where: Callable[[str], list[str]],
    count: int,
    tmp_path: Path,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed_networks(tmp_path / "a", clock)
    assert main(where(str(tmp_path / "a")), env_for(tmp_path)) == 0
    assert len(exported(capsys)) == count


def test_a_log_file_given_before_the_command_is_kept_after_it(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir(mode=0o700)
    log = tmp_path / "smm.log"
    args = ["--log-file", str(log), "export", "--log-level", "debug", "-o", str(tmp_path / "o")]
    assert main([*args, "--data-dir", str(tmp_path / "a")], env_for(tmp_path)) == 0
    assert log.exists() and oct(log.stat().st_mode & 0o777) == "0o600"


def test_no_command_opens_the_app_with_the_options_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[str, Path]] = []

    def run_app(config: Config, data_dir: Path, env: Mapping[str, str]) -> int:
        opened.append((config.user, data_dir))
        return 0

    monkeypatch.setattr(app, "run_app", run_app)
    assert main(["--user", "bob", "--data-dir", str(tmp_path / "d")], env_for(tmp_path)) == 0
    assert main(["run", "--user", "carol"], env_for(tmp_path)) == 0
    assert opened[0] == ("bob", tmp_path / "d")
    assert opened[1][0] == "carol"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--bogus"], "smm-tui export: No such option '--bogus'"),
        (["--bogus", "export"], "smm-tui: No such option '--bogus'"),
        (["export", "--format", "xml"], "smm-tui export: Invalid value for '--format'"),
        (["export", "--query"], "smm-tui: Option '--query' requires an argument."),
        (["reply", "abc123"], "smm-tui reply: Missing option '--text'."),
        (["frobnicate"], "smm-tui: No such command 'frobnicate'."),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args, env_for(tmp_path)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(message) and captured.err.count("\n") == 1


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["export", "--help"], ["reply", "-h"]])
def test_help_exits_0(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args, env_for(tmp_path)) == 0
    assert capsys.readouterr().out.startswith("Usage: smm-tui")


def test_version_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"], env_for(tmp_path)) == 0
    assert capsys.readouterr().out == f"smm-tui {__version__}\n"


def test_shell_completion_prints_a_script(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**env_for(tmp_path), "_SMM_TUI_COMPLETE": "bash_source"}
    assert main([], env) == 0
    assert "_SMM_TUI_COMPLETE=bash_complete" in capsys.readouterr().out
