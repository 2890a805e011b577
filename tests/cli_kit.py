"""What the command-line tests share: seeded stores, a clean environment, exported lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smm_tui.core.models import Platform
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock, make_mention


def seed(data_dir: Path, clock: FakeClock, count: int = 5) -> None:
    """Store ``count`` plain mentions and one hostile one in ``data_dir``."""
    with Store.open(data_dir) as store:
        workspace = Workspace(store, actor="alice", sources={}, clock=clock)
        hostile = make_mention(99, text="=SUM(A1) [@click=app.quit]x[/] \x1b[2J")
        store.commit(
            workspace.ingest.changes_for([make_mention(i) for i in range(count)] + [hostile])
        )


def env_for(tmp_path: Path) -> dict[str, str]:
    """An environment with its home, user and (empty) config file under ``tmp_path``."""
    # A config named by SMM_TUI_CONFIG must exist; an empty one gives the defaults.
    config = tmp_path / "empty.toml"
    config.touch()
    return {"HOME": str(tmp_path), "USER": "alice", "SMM_TUI_CONFIG": str(config)}


def seed_networks(data_dir: Path, clock: FakeClock) -> None:
    """Three VK mentions and two Mastodon ones; one of each network tagged spam."""
    vk = [make_mention(i, tags=("spam",) if i == 0 else ()) for i in range(3)]
    masto = [
        make_mention(
            10 + i, platform=Platform.MASTODON, account="bank-masto", tags=("spam",) if i else ()
        )
        for i in range(2)
    ]
    with Store.open(data_dir) as store:
        workspace = Workspace(store, actor="alice", sources={}, clock=clock)
        store.commit(workspace.ingest.changes_for(vk + masto))


def exported(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(platform, tags) of each JSON line written to stdout."""
    lines = capsys.readouterr().out.splitlines()
    return [(r["platform"], tuple(r["tags"])) for r in map(json.loads, lines)]


NOT_VK = [("mastodon", ()), ("mastodon", ("spam",))]
EVERY = [*NOT_VK, ("vk", ()), ("vk", ()), ("vk", ("spam",))]
