"""Where things live: the data directory and the config file.

Precedence, highest first: the command-line flag, the environment variable
(``SMM_TUI_DATA`` / ``SMM_TUI_CONFIG``), the platform default from
:mod:`platformdirs` (``~/.local/share/smm-tui`` and
``~/.config/smm-tui/config.toml`` on Linux). An empty flag or variable counts as
unset.

Nothing here reads the environment on import or through ``os.environ``: callers
pass the environment in, so tests (and the CLI) decide what it holds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

APP_NAME = "smm-tui"
#: The environment variable that overrides the data directory.
ENV_DATA = "SMM_TUI_DATA"
#: The environment variable that overrides the config file path.
ENV_CONFIG = "SMM_TUI_CONFIG"
CONFIG_FILENAME = "config.toml"
#: The demo's data directory, inside the default one.
DEMO_DIR = "demo"


def default_data_dir() -> Path:
    """The per-user data directory (the store lives here)."""
    # appauthor=False: on Windows, avoid the doubled ``smm-tui\\smm-tui`` folder.
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def demo_data_dir() -> Path:
    """The demo workspace's data directory (``smm-tui demo``, ``--demo``): its own, never mixed."""
    return default_data_dir() / DEMO_DIR


def default_config_path() -> Path:
    """The per-user config file, ``config.toml`` in the user config directory."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / CONFIG_FILENAME


def resolve_data_dir(cli: str | None, env: Mapping[str, str]) -> Path:
    """The data directory: ``--data`` flag, else ``$SMM_TUI_DATA``, else the default."""
    return _resolve(cli, env, ENV_DATA) or default_data_dir()


def resolve_config_path(cli: str | None, env: Mapping[str, str]) -> Path:
    """The config file: ``--config`` flag, else ``$SMM_TUI_CONFIG``, else the default."""
    return _resolve(cli, env, ENV_CONFIG) or default_config_path()


def config_path_named(cli: str | None, env: Mapping[str, str]) -> bool:
    """Whether the config file was named (flag or variable): only the default may be missing."""
    return _resolve(cli, env, ENV_CONFIG) is not None


def expand_user(text: str, env: Mapping[str, str]) -> Path:
    """``text`` as a path with a leading ``~`` expanded.

    ``~`` and ``~/...`` use ``HOME`` from ``env`` when it is set there, so the
    result depends only on the arguments; otherwise (and for ``~user``) the
    operating system's notion of the home directory is used.
    """
    home = env.get("HOME")
    if home and (text == "~" or text.startswith(("~/", "~" + os.sep))):
        return Path(home) / text[2:]
    return Path(text).expanduser()


def _resolve(cli: str | None, env: Mapping[str, str], variable: str) -> Path | None:
    """The flag if given, else the variable if set and non-empty, else ``None``."""
    for candidate in (cli, env.get(variable)):
        if candidate:
            return expand_user(candidate, env)
    return None
