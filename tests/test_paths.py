"""Where the data directory and config file are: flag > environment > default."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from smm_tui import paths


def test_defaults_are_per_user_app_dirs() -> None:
    assert paths.default_data_dir().name == "smm-tui"
    config = paths.default_config_path()
    assert config.name == "config.toml"
    assert config.parent.name == "smm-tui"


@pytest.mark.skipif(sys.platform != "linux", reason="XDG variables are a Linux convention")
def test_defaults_follow_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # platformdirs reads XDG_* at call time, so nothing was frozen at import.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    assert paths.default_data_dir() == tmp_path / "data" / "smm-tui"
    assert paths.default_config_path() == tmp_path / "conf" / "smm-tui" / "config.toml"


def test_data_dir_flag_beats_env(tmp_path: Path) -> None:
    env = {"SMM_TUI_DATA": str(tmp_path / "env")}
    assert paths.resolve_data_dir(str(tmp_path / "flag"), env) == tmp_path / "flag"


def test_data_dir_env_beats_default(tmp_path: Path) -> None:
    env = {"SMM_TUI_DATA": str(tmp_path / "env")}
    assert paths.resolve_data_dir(None, env) == tmp_path / "env"


def test_data_dir_default_when_nothing_given() -> None:
    assert paths.resolve_data_dir(None, {}) == paths.default_data_dir()


def test_empty_flag_and_env_count_as_unset() -> None:
    assert paths.resolve_data_dir("", {"SMM_TUI_DATA": ""}) == paths.default_data_dir()
    assert paths.resolve_config_path("", {"SMM_TUI_CONFIG": ""}) == paths.default_config_path()


def test_config_precedence(tmp_path: Path) -> None:
    env = {"SMM_TUI_CONFIG": str(tmp_path / "env.toml")}
    assert paths.resolve_config_path(str(tmp_path / "flag.toml"), env) == tmp_path / "flag.toml"
    assert paths.resolve_config_path(None, env) == tmp_path / "env.toml"
    assert paths.resolve_config_path(None, {}) == paths.default_config_path()


def test_variables_do_not_cross(tmp_path: Path) -> None:
    env = {"SMM_TUI_CONFIG": str(tmp_path / "c.toml")}
    assert paths.resolve_data_dir(None, env) == paths.default_data_dir()
    env = {"SMM_TUI_DATA": str(tmp_path / "d")}
    assert paths.resolve_config_path(None, env) == paths.default_config_path()


def test_tilde_uses_home_from_the_given_env(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "SMM_TUI_DATA": "~/inbox"}
    assert paths.resolve_data_dir(None, env) == tmp_path / "inbox"
    assert paths.resolve_config_path("~/c.toml", env) == tmp_path / "c.toml"
    assert paths.expand_user("~", env) == tmp_path


@pytest.mark.skipif(sys.platform == "win32", reason="home comes from USERPROFILE there")
def test_tilde_without_home_in_env_uses_the_os(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/someone")
    assert paths.resolve_data_dir("~/x", {}) == Path("/home/someone/x")


def test_environment_is_read_only_through_the_mapping(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SMM_TUI_DATA", str(tmp_path / "ignored"))
    monkeypatch.setenv("SMM_TUI_CONFIG", str(tmp_path / "ignored.toml"))
    assert paths.resolve_data_dir(None, {}) == paths.default_data_dir()
    assert paths.resolve_config_path(None, {}) == paths.default_config_path()


def test_a_config_named_by_flag_or_variable_is_named(tmp_path: Path) -> None:
    named = {"SMM_TUI_CONFIG": str(tmp_path / "env.toml")}
    assert paths.config_path_named(str(tmp_path / "flag.toml"), {})
    assert paths.config_path_named(None, named)
    assert not paths.config_path_named(None, {})
    assert not paths.config_path_named("", {"SMM_TUI_CONFIG": ""}), "empty counts as unset"


def test_the_demo_keeps_its_own_data_dir() -> None:
    assert paths.demo_data_dir() == paths.default_data_dir() / "demo"
