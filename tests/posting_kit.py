"""What the publishing command tests share: the fake networks, a config naming them, the store.

A :class:`Desk` is one team's smm-tui: a config with one ``brand-<network>``
account per fake server (all five by default), a data dir, and the environment
that holds the token. Commands run in this process (:meth:`Desk.run`, fast) or
as real ``smm-tui`` processes (:meth:`Desk.spawn`, :meth:`Desk.run_process`).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from smm_tui.cli import main
from smm_tui.config import AccountConfig
from smm_tui.core.posts import Delivery, FollowerReading, Post
from smm_tui.core.repository import Collection
from smm_tui.store.store import Store
from tests.adapters.httpserver import TestServer
from tests.fakes.base import FakeNetwork

NETWORKS = ("vk", "telegram", "mastodon", "bluesky", "x")
ROOT = Path(__file__).resolve().parents[1]
#: The longest a test waits for a condition or a process (seconds).
PATIENCE = 20.0


@contextlib.contextmanager
def fake_networks(networks: tuple[str, ...] = NETWORKS) -> Iterator[dict[str, FakeNetwork]]:
    """A started fake server per network, by account name (``brand-vk``...); stopped after."""
    servers: list[TestServer] = []
    try:
        fakes: dict[str, FakeNetwork] = {}
        for network in networks:
            server = TestServer().start()
            servers.append(server)
            module = importlib.import_module(f"tests.fakes.{network}")
            fakes[f"brand-{network}"] = module.FAKE(server)
        yield fakes
    finally:
        for server in servers:
            server.stop()


def account_block(account: AccountConfig) -> str:
    """The account as a config.toml ``[[accounts]]`` block."""
    fields = {
        "name": account.name,
        "platform": account.platform.value,
        "base_url": account.base_url,
        "token_env": account.token_env,
        **account.extra,
    }
    lines = [f"{key} = {json.dumps(value)}" for key, value in fields.items() if value is not None]
    return "[[accounts]]\n" + "\n".join(lines) + "\n"


@dataclass
class Desk:
    """One team's smm-tui on the fakes: its config file, data dir and environment."""

    tmp: Path
    fakes: dict[str, FakeNetwork]
    timezone: str = "UTC"
    #: More of the config file (tables after ``[sla]``).
    extra: str = ""
    config: Path = field(init=False)
    data_dir: Path = field(init=False)
    env: dict[str, str] = field(init=False)
    processes: list[subprocess.Popen[str]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.config = self.tmp / "config.toml"
        blocks = "".join(account_block(f.account(name)) for name, f in self.fakes.items())
        self.config.write_text(
            f'user = "anna"\n{blocks}[sla]\ntimezone = "{self.timezone}"\n{self.extra}',
            encoding="utf-8",
        )
        self.data_dir = self.tmp / "data"
        self.env = {"HOME": str(self.tmp), "USER": "anna"}
        for fake in self.fakes.values():
            self.env.update(fake.env())

    @property
    def accounts(self) -> list[str]:
        """Every account's name, in the config's order."""
        return list(self.fakes)

    def argv(self, *args: str) -> list[str]:
        """``args`` with this desk's config and data dir."""
        return [*args, "--config", str(self.config), "--data-dir", str(self.data_dir)]

    def run(self, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
        """Run ``smm-tui args`` in this process: (exit status, stdout, stderr)."""
        code = main(self.argv(*args), self.env)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        """Start ``smm-tui args`` as a process of its own (its output piped)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SMM_TUI_")}
        process = subprocess.Popen(
            [sys.executable, "-m", "smm_tui", *self.argv(*args)],
            env={**env, **self.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.processes.append(process)
        return process

    def run_process(self, *args: str) -> tuple[int, str, str]:
        """Run ``smm-tui args`` as a process of its own, to its end."""
        process = self.spawn(*args)
        out, err = process.communicate(timeout=PATIENCE)
        return process.returncode, out, err

    def close(self) -> None:
        """End every process this desk started that is still running (a test that failed)."""
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.communicate()

    # -- what the store holds --------------------------------------------------------

    def deliveries(self) -> list[Delivery]:
        """Every stored delivery (none if the data dir was never made)."""
        return [Delivery.from_record(r) for r in self._records(Collection.DELIVERIES)]

    def deliveries_of(self, account: str) -> list[Delivery]:
        """The stored deliveries to one account."""
        return [d for d in self.deliveries() if d.account == account]

    def posts(self) -> list[Post]:
        """Every stored post."""
        return [Post.from_record(r) for r in self._records(Collection.POSTS)]

    def readings(self) -> list[FollowerReading]:
        """Every stored follower reading."""
        return [FollowerReading.from_record(r) for r in self._records(Collection.FOLLOWERS)]

    def _records(self, collection: Collection) -> list[dict[str, object]]:
        if not self.data_dir.exists():
            return []
        with Store.open(self.data_dir) as store:
            return [dict(r) for r in store.records(collection)]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = PATIENCE) -> None:
    """Return once ``condition()`` holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


def jsonl(text: str) -> list[dict[str, object]]:
    """The records of JSON Lines output."""
    return [json.loads(line) for line in text.splitlines()]
