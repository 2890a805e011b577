"""What is imported at run time: the command line without the UI, the core without I/O.

import-linter checks the imports written in the code; these check what a fresh
interpreter really has in ``sys.modules`` after the import or the command, so a
lazy import that creeps to the top of a module, or a dependency that drags the UI
in, fails here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from smm_tui.keymap import check_keymap

UI = ("textual",)
#: What ``import smm_tui.cli`` leaves out: the commands load the store and adapters later
#: (httpx imports rich for its own command line, so rich goes with it).
NOT_FOR_THE_COMMAND_LINE = ("textual", "rich", "httpx", "tinydb", "smm_tui.runtime")
NOT_IN_THE_CORE = ("textual", "rich", "httpx", "tinydb")

DEMO_ACCOUNT = '[[accounts]]\nname = "bank-vk"\nplatform = "demo"\nsimulate = "vk"\n'


def loaded_after(
    code: str, watched: tuple[str, ...], env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; which of ``watched`` it loaded, and its ``result``.

    ``code`` may set ``result``; the answer goes through a file, since commands print.
    """
    folder = tempfile.mkdtemp(prefix="hygiene-")
    answer = Path(folder) / "answer.json"
    script = (
        "import json, sys\nresult = None\n"
        f"{code}\n"
        f"loaded = [name for name in {list(watched)!r} if name in sys.modules]\n"
        f"open({str(answer)!r}, 'w').write(json.dumps({{'loaded': loaded, 'result': result}}))\n"
    )
    try:
        ran = subprocess.run(
            [sys.executable, "-c", script],
            env=env if env is not None else dict(os.environ),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert ran.returncode == 0, ran.stderr
        answer_data: dict[str, Any] = json.loads(answer.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(folder)
    return answer_data


def test_the_command_line_imports_neither_the_ui_nor_the_store() -> None:
    after = loaded_after("import smm_tui.cli", NOT_FOR_THE_COMMAND_LINE)
    assert after["loaded"] == []


@pytest.mark.parametrize("argv", [["--help"], ["export", "--help"], ["--version"]])
def test_help_loads_no_command(argv: list[str]) -> None:
    code = f"from smm_tui.cli import main\nresult = main({argv!r}, {{}})"
    after = loaded_after(code, NOT_FOR_THE_COMMAND_LINE)
    assert after == {"loaded": [], "result": 0}


def test_the_core_imports_no_ui_http_or_storage_engine() -> None:
    code = (
        "import importlib, pkgutil, smm_tui.core as core\n"
        "names = [m.name for m in pkgutil.walk_packages(core.__path__, 'smm_tui.core.')]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "result = len(names)"
    )
    after = loaded_after(code, NOT_IN_THE_CORE)
    assert after["loaded"] == []
    assert after["result"] > 20, "every core module was imported"


@pytest.fixture
def workplace(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A data dir and the environment of a user with one demo account (no token, no network)."""
    config = tmp_path / "config.toml"
    config.write_text(DEMO_ACCOUNT, encoding="utf-8")
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    (tmp_path / "empty.jsonl").write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "HOME": str(tmp_path),
        "USER": "alice",
        "SMM_TUI_CONFIG": str(config),
        "SMM_TUI_DATA": str(data_dir),
    }
    return tmp_path, env


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["poll", "--once"], 0),
        (["reply", "no-such-mention", "--text", "hi"], 1),
        (["doctor"], 0),
        (["export"], 0),
        (["import", "empty.jsonl"], 0),
        (["report"], 0),
    ],
)
def test_a_headless_command_runs_without_the_ui(
    argv: list[str], status: int, workplace: tuple[Path, dict[str, str]]
) -> None:
    folder, env = workplace
    argv = [str(folder / arg) if arg.endswith(".jsonl") else arg for arg in argv]
    code = f"from smm_tui.cli import main\nresult = main({argv!r})"
    after = loaded_after(code, UI, env)
    assert after == {"loaded": [], "result": status}


def test_doctor_skips_the_keymap_check_only_where_it_finds_nothing() -> None:
    # doctor leaves the UI unloaded when the config has no [keymap]: this is why that is safe.
    assert check_keymap({}) is None
