"""Shared fixtures: a real store in a temporary data dir, a fake clock, mention factories."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smm_tui.core.models import Author, Mention, Platform
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

# Times show in local time; pin the zone so screens and snapshots are stable.
os.environ["TZ"] = "UTC"
time.tzset()


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_mention(n: int, **overrides: object) -> Mention:
    """A plausible mention number ``n``."""
    fields: dict[str, object] = {
        "platform": Platform.VK,
        "account": "bank-vk",
        "external_id": f"c{n}",
        "author": Author(id=f"u{n % 7}", handle=f"user{n % 7}", display_name=f"User {n % 7}"),
        "text": f"Mention number {n}: my card is blocked",
        "created_at": T0 + timedelta(minutes=n),
        "root_external_id": "post-1",
        "parent_external_id": "post-1",
    }
    fields.update(overrides)
    return Mention(**fields)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data") as opened:
        yield opened


@pytest.fixture
def workspace(store: Store, clock: FakeClock) -> Workspace:
    return Workspace(store, actor="alice", sources={}, clock=clock)


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A temporary folder in memory when the machine has a tmpfs, else ``tmp_path``.

    For tests whose data dirs see many commits and that check no durability: on a
    disk, the store's fsyncs cost several times what such a test checks.
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="smm-test-") as name:
        yield Path(name)


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a config file (mode 0644 unless told) and return its path."""

    def _write(text: str, mode: int = 0o644) -> Path:
        path = tmp_path / "config.toml"
        path.write_text(text, encoding="utf-8")
        os.chmod(path, mode)
        return path

    return _write
