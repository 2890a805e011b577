"""Reading the config file: bytes, TOML, the token rule, then validation.

A literal ``token = "..."`` is accepted only when the file is not accessible
to group or others (mode 0600 or stricter), and it is never shown in a repr or
an error message; ``token_env`` names a variable to read it from instead.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from smm_tui.config.model import Config, ConfigError, default_config

_GROUP_OTHER_BITS = 0o077


def load_config(path: Path, env: Mapping[str, str], *, required: bool = False) -> Config:
    """Read and validate the config at ``path``.

    A missing file gives :func:`default_config` unless ``required`` (then a
    "not found" :class:`ConfigError`). Any other problem — unreadable file,
    TOML syntax, unknown key, bad value, a ``token`` in a file others can
    read — is a :class:`ConfigError`.
    """
    loaded = _read_toml(path, required=required)
    if loaded is None:
        return default_config(env)
    document, mode = loaded
    if _contains_token(document):
        _check_private(path, mode)
    # msgspec, the query parser and zoneinfo cost ~20 ms of import; only a file needs them.
    from smm_tui.config.build import build_config
    from smm_tui.config.errors import Invalid

    try:
        config = build_config(document, env)
    except Invalid as exc:
        raise ConfigError(path, str(exc)) from None
    return dataclasses.replace(config, source=path)


def _read_toml(path: Path, *, required: bool) -> tuple[dict[str, Any], int] | None:
    """The parsed document and the file's permission bits, or ``None`` if absent."""
    try:
        with path.open("rb") as handle:
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
            raw = handle.read()
    except FileNotFoundError:
        if required:
            raise ConfigError(path, "not found") from None
        return None
    except OSError as exc:
        raise ConfigError(path, f"cannot read ({exc.strerror or exc})") from None
    return _parse_toml(path, raw), mode


def _parse_toml(path: Path, raw: bytes) -> dict[str, Any]:
    """Decode UTF-8 and parse TOML; tomllib's message already carries line and column."""
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")  # tolerate a BOM (Notepad)
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"not valid UTF-8 (byte {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from None


def _contains_token(value: object) -> bool:
    """Whether a ``token`` key appears anywhere in the document."""
    if isinstance(value, dict):
        return "token" in value or any(_contains_token(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_token(v) for v in value)
    return False


def _check_private(path: Path, mode: int) -> None:
    """Refuse a file holding a token if group or others have any access to it."""
    if os.name == "nt":  # POSIX modes mean nothing there; rely on the profile ACLs.
        return
    if mode & _GROUP_OTHER_BITS:
        raise ConfigError(
            path,
            f"contains a token but is readable by others (mode {mode:04o}); "
            "chmod 600 it, or use token_env",
        )
