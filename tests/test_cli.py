"""The command line: export/import round trips, one-line errors, exit codes, data dirs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smm_tui import paths
from smm_tui.cli import main
from smm_tui.commands import app
from smm_tui.core.repository import Collection
from smm_tui.store.store import Store
from tests.cli_kit import EVERY, env_for, exported, seed, seed_networks
from tests.conftest import FakeClock


def test_export_then_import_round_trips(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = tmp_path / "a", tmp_path / "b"
    seed(source, clock)
    out = tmp_path / "mentions.jsonl"
    env = env_for(tmp_path)
    assert main(["export", "--data-dir", str(source), "--output", str(out)], env) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and json.loads(lines[0])["status"] == "new"
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert main(["import", str(out), "--data-dir", str(target)], env) == 0
    assert main(["import", str(out), "--data-dir", str(target)], env) == 0
    assert "0 new mentions" in capsys.readouterr().err
    with Store.open(target) as store:
        assert store.count(Collection.MENTIONS) == 6


def test_csv_export_guards_formulas(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(tmp_path / "a", clock)
    assert (
        main(["export", "--format", "csv", "--data-dir", str(tmp_path / "a")], env_for(tmp_path))
        == 0
    )
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("id,platform,account")
    assert ",'=SUM(A1)" in out


def test_bad_import_lines_are_named_and_good_ones_kept(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(tmp_path / "a", clock, count=2)
    out = tmp_path / "m.jsonl"
    main(["export", "--data-dir", str(tmp_path / "a"), "--output", str(out)], env_for(tmp_path))
    good = out.read_text(encoding="utf-8").splitlines()
    out.write_text("\n".join([good[0], "{not json", good[1], '{"platform": "vk"}']) + "\n")
    code = main(["import", str(out), "--data-dir", str(tmp_path / "b")], env_for(tmp_path))
    err = capsys.readouterr().err
    assert code == 1
    assert f"{out}: line 2: not valid JSON" in err
    assert f"{out}: line 4:" in err
    assert "imported 2 new mentions" in err
    with Store.open(tmp_path / "b") as store:
        assert store.count(Collection.MENTIONS) == 2


def test_config_error_is_one_line_exit_2_no_traceback(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('user = "a"\n[[accounts]]\nname = "x"\nplatform = "vk"\ntokn_env = "T"\n')
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "smm_tui",
            "export",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "d"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "accounts[0].tokn_env" in result.stderr and "did you mean 'token_env'" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_keymap_id_stops_before_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"feed.rply" = "r"\n')
    code = main(
        ["demo", "--config", str(config), "--data-dir", str(tmp_path / "d")], env_for(tmp_path)
    )
    assert code == 2
    assert "unknown key 'keymap.feed.rply' (did you mean 'feed.reply'?)" in capsys.readouterr().err


def test_corrupt_store_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d"
    data.mkdir(mode=0o700)
    (data / "meta.json").write_text("{broken")
    code = main(["export", "--data-dir", str(data)], env_for(tmp_path))
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "meta.json" in err
    assert list(data.glob("meta.json.corrupt-*"))


def test_export_query_selects_exactly_what_it_says(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(tmp_path / "a", clock, count=6)
    env = env_for(tmp_path)
    code = main(
        ["export", "--data-dir", str(tmp_path / "a"), "--query", '"number 3" OR "number 4"'], env
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert sorted(json.loads(line)["text"][:15] for line in out) == [
        "Mention number ",
        "Mention number ",
    ]
    record = json.loads(out[0])
    for field in ("sentiment", "intent", "priority", "assignee", "tags", "sla_due_at"):
        assert field in record


def test_report_as_csv(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(tmp_path / "a", clock, count=3)
    code = main(
        ["report", "--format", "csv", "--days", "3650", "--data-dir", str(tmp_path / "a")],
        env_for(tmp_path),
    )
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0].startswith("grouping,group,mentions,answered")
    assert any(line.startswith("network,vk,4,0") for line in lines)


# -- which data dir a command read; --demo; a config named on purpose ---------------------------


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Default data and config dirs of the test's own (the demo's is ``smm-tui/demo`` in it)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert paths.default_data_dir() == tmp_path / "share" / "smm-tui"
    return tmp_path / "share" / "smm-tui"


@pytest.mark.parametrize("command", ["export", "report"])
def test_a_missing_data_dir_is_said_and_not_created(
    command: str, tmp_path: Path, homes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nothing = f"nothing to {command}"
    data = tmp_path / "typo"
    assert main([command, "--data-dir", str(data)], env_for(tmp_path)) == 1
    assert capsys.readouterr().err == f"smm-tui: no data dir at {data} ({nothing})\n"
    assert main([command], env_for(tmp_path)) == 1
    assert capsys.readouterr().err == (
        f"smm-tui: no data dir at {homes} ({nothing}; the demo keeps its own: add --demo)\n"
    )
    assert not data.exists() and not homes.exists()


@pytest.mark.parametrize("command", ["export", "report"])
def test_an_empty_data_dir_is_named_on_stderr(
    command: str, tmp_path: Path, homes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    homes.mkdir(parents=True, mode=0o700)
    assert main([command], env_for(tmp_path)) == 0
    captured = capsys.readouterr()
    assert captured.err == f"smm-tui: no mentions in {homes} (the demo keeps its own: add --demo)\n"
    data = tmp_path / "d"
    data.mkdir(mode=0o700)
    assert main([command, "--data-dir", str(data)], env_for(tmp_path)) == 0
    assert capsys.readouterr().err == f"smm-tui: no mentions in {data}\n"


def test_demo_reads_the_demo_data_dir(
    tmp_path: Path, homes: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_networks(paths.demo_data_dir(), clock)
    assert main(["export", "--demo"], env_for(tmp_path)) == 0
    assert sorted(exported(capsys)) == EVERY
    args = ["report", "--demo", "--format", "csv", "--days", "3650"]
    assert main(args, env_for(tmp_path)) == 0
    captured = capsys.readouterr()
    assert "network,vk,3" in captured.out and captured.err == ""
    assert not any(homes.glob("*.json")), "the real data dir is left alone"


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--demo", "--data-dir", "d"],
        ["--data-dir", "d", "report", "--demo"],
        ["doctor", "--data-dir", "d", "--demo"],
    ],
)
def test_demo_and_a_data_dir_together_are_a_usage_error(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args, env_for(tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--demo and --data-dir" in err
    assert not (Path.cwd() / "d").exists()


def test_a_config_named_on_purpose_must_exist(
    tmp_path: Path,
    homes: Path,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app, "run_app", lambda *_: 0)
    seed(homes, clock)
    missing = tmp_path / "missing.toml"
    env = {"HOME": str(tmp_path), "USER": "alice"}
    for argv, environ in [
        (["export", "--config", str(missing)], env),
        (["--config", str(missing), "report"], env),
        (["export"], {**env, "SMM_TUI_CONFIG": str(missing)}),
        (["demo", "--config", str(missing)], env),
    ]:
        assert main(argv, environ) == 2, argv
        assert capsys.readouterr().err == f"smm-tui: config {missing}: not found\n"
    assert not paths.default_config_path().exists()
    assert main(["export"], env) == 0, "only the default config may be missing"
