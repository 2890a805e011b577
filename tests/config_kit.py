"""What the config-file tests share: the environment, one-line errors, two small accounts."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from smm_tui.config import ConfigError, load_config

ENV = {"USER": "anna"}
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")

#: The ``write`` fixture of ``tests/conftest.py``: ``write(text, mode=0o644)`` -> the file's path.
Writer = Callable[..., Path]


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
