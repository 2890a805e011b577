"""Fixtures of the store tests: an empty data dir, a store on it, a template store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smm_tui.store.store import Store
from tests.store.crashing import build_store, crash_child


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    with Store.open(data_dir) as opened:
        yield opened


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with 300 mentions (a third open, the rest in ten daily archives) and a counter."""
    data_dir = tmp_path_factory.mktemp("template") / "data"
    build_store(data_dir, crash_child.template_mentions(300))
    return data_dir
