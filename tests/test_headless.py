"""The headless CLI against each network's local server: poll --once, reply, doctor, logs."""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from smm_tui.cli import main
from smm_tui.core.models import Mention
from smm_tui.core.repository import Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store.lease import PollerLease
from smm_tui.store.store import Store
from tests.adapters.httpserver import running_server
from tests.adapters.test_contract import NETWORKS
from tests.fakes.base import FakeNetwork, Fault
from tests.posting_kit import account_block


@pytest.fixture(params=NETWORKS)
def fake(request: pytest.FixtureRequest) -> Iterator[FakeNetwork]:
    module = importlib.import_module(f"tests.fakes.{request.param}")
    for server in running_server():
        yield module.FAKE(server)


class Cli:
    """Runs ``smm-tui`` in-process on one fake network's account."""

    def __init__(self, tmp_path: Path, fake: FakeNetwork, capsys: pytest.CaptureFixture[str]):
        self.fake = fake
        self.capsys = capsys
        self.config = tmp_path / "config.toml"
        self.config.write_text('user = "anna"\n' + account_block(fake.account()))
        self.data_dir = tmp_path / "data"
        self.env = {"HOME": str(tmp_path), "USER": "anna", **fake.env()}

    def __call__(self, *args: str) -> tuple[int, str, str]:
        common = ["--config", str(self.config), "--data-dir", str(self.data_dir)]
        code = main([*args, *common], self.env)
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def stored(self) -> list[Mention]:
        with Store.open(self.data_dir) as store:
            return [Mention.from_record(r) for r in store.records(Collection.MENTIONS)]


@pytest.fixture
def cli(tmp_path: Path, fake: FakeNetwork, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path, fake, capsys)


def test_poll_once_then_reply_publishes_once(cli: Cli, fake: FakeNetwork) -> None:
    fake.add_mention("card blocked, help")
    fake.add_mention("app crashes on login")

    code, out, err = cli("poll", "--once")
    assert code == 0, err
    assert out.startswith("ok   brand: fetched ")
    mention = next(m for m in cli.stored() if "card blocked" in m.text)

    code, out, err = cli("reply", mention.id[:8], "--text", "We have unblocked it")
    assert code == 0, err
    url = out.strip()
    assert len(fake.published) == 1
    assert fake.published[0].in_reply_to == mention.external_id

    again, out, _ = cli("reply", mention.id[:8], "--text", "We have unblocked it")
    assert again == 0 and out.strip() == url
    assert len(fake.published) == 1, "the same reply twice is published once"


def test_poll_once_fails_loudly_on_an_expired_token(cli: Cli, fake: FakeNetwork) -> None:
    fake.fail("mentions", Fault.AUTH, times=10)
    code, out, _ = cli("poll", "--once")
    assert code == 1
    assert out.startswith("FAIL brand")
    assert fake.token_env in out
    assert fake.token not in out


def test_doctor_checks_tokens_connectivity_and_store(cli: Cli, fake: FakeNetwork) -> None:
    cli.data_dir.mkdir(mode=0o700)
    code, out, err = cli("doctor")
    assert code == 0, out + err
    assert f"brand: {fake.platform.value} connected as" in out
    assert "store " in out and "outbox: every reply is sent" in out


def test_doctor_names_a_missing_token(cli: Cli, fake: FakeNetwork) -> None:
    cli.env.pop(fake.token_env)
    code, out, _ = cli("doctor")
    assert code == 1
    assert f"set {fake.token_env}" in out


def test_a_debug_log_never_holds_the_token(cli: Cli, fake: FakeNetwork, tmp_path: Path) -> None:
    log = tmp_path / "debug.log"
    fake.add_mention("hello")
    fake.fail("mentions", Fault.SERVER_ERROR)
    cli("poll", "--once", "--log-file", str(log), "--log-level", "debug")
    cli("poll", "--once", "--log-file", str(log), "--log-level", "debug")
    cli("doctor", "--log-file", str(log), "--log-level", "debug")
    text = log.read_text(encoding="utf-8")
    assert "HTTP Request" in text, "httpx's request lines are logged"
    assert fake.token not in text
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_a_reply_on_its_way_holds_back_another(cli: Cli, fake: FakeNetwork) -> None:
    if fake.platform.value != "vk":
        pytest.skip("the outbox is the same for every network")
    fake.add_mention("card blocked, help")
    assert cli("poll", "--once")[0] == 0
    mention = cli.stored()[0]
    with Store.open(cli.data_dir) as store:
        # The app recorded a reply and was closed before sending it.
        asyncio.run(Workspace(store, actor="anna", sources={}).outbox.queue(mention.id, "On it"))

    code, out, err = cli("reply", mention.id[:8], "--text", "Unblocked now")
    assert code == 1 and out == ""
    assert err.strip() == (
        "smm-tui: A reply to this mention is already being sent. "
        "Run this again once it is sent or has failed."
    )
    assert fake.published == []


def test_reply_to_an_unknown_mention_is_one_line(cli: Cli) -> None:
    code, out, err = cli("reply", "nosuchmention", "--text", "hi")
    assert code == 1 and out == ""
    assert err.strip() == "smm-tui: no mention with id 'nosuchmention'"


def test_poll_once_leaves_a_data_dir_to_the_process_polling_it(cli: Cli, fake: FakeNetwork) -> None:
    if fake.platform.value != "mastodon":
        pytest.skip("the lease is the same for every network")
    fake.add_mention("hello")
    cli.data_dir.mkdir(mode=0o700)
    teammate = PollerLease(cli.data_dir, "teammate-host:4242")
    assert teammate.try_acquire()
    code, out, _ = cli("poll", "--once")
    assert (code, out.strip()) == (
        0,
        "ok   teammate-host:4242 polls this data dir; nothing fetched",
    )
    assert fake.requests("mentions") == []
    teammate.release()
    code, out, _ = cli("poll", "--once")
    assert code == 0 and out.startswith("ok   brand: fetched ")


def test_poll_keeps_polling_and_reports_each_account(
    cli: Cli, fake: FakeNetwork, tmp_path: Path
) -> None:
    if fake.platform.value != "mastodon":
        pytest.skip("the loop is the same for every network")
    fake.add_mention("hello")
    args = ["poll", "--config", str(cli.config), "--data-dir", str(cli.data_dir)]
    daemon = subprocess.Popen(
        [sys.executable, "-c", "from smm_tui.cli import main; raise SystemExit(main())", *args],
        env={**os.environ, **cli.env},
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert daemon.stdout is not None
        first = daemon.stdout.readline()
        assert first.split() == ["ok", "brand:", "fetched", "1"], first
        assert daemon.poll() is None, "it keeps polling"
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


# -- doctor runs the app's own checks and creates nothing ----------------------------------------

DEMO_ACCOUNT = '[[accounts]]\nname = "bank-vk"\nplatform = "demo"\nsimulate = "vk"\n'


@pytest.mark.parametrize(
    ("keymap", "problem"),
    [
        ('"feed.rply" = "r"', "unknown key 'keymap.feed.rply' (did you mean 'feed.reply'?)"),
        ('"feed.reply" = "d"', "keymap: key 'd' is bound to both "),
    ],
    ids=["unknown-id", "clash"],
)
def test_doctor_fails_a_keymap_the_app_refuses(
    keymap: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"{DEMO_ACCOUNT}[keymap]\n{keymap}\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    env = {"HOME": str(tmp_path), "USER": "anna"}
    assert main(["demo", "--config", str(config), "--data-dir", str(data)], env) == 2
    refused = capsys.readouterr().err
    assert problem in refused
    code = main(["doctor", "--config", str(config), "--data-dir", str(data)], env)
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert f"FAIL {refused.removeprefix('smm-tui: ').strip()}" in lines


def test_doctor_leaves_a_missing_data_dir_uncreated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(DEMO_ACCOUNT, encoding="utf-8")
    data = tmp_path / "data"
    env = {"HOME": str(tmp_path), "USER": "anna"}
    code = main(["doctor", "--config", str(config), "--data-dir", str(data)], env)
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[1].startswith("ok   bank-vk: vk connected as ")
    assert out[-1] == f"warn store {data}: no data dir yet (the app, poll or import creates it)"
    assert not data.exists()


def test_doctor_demo_checks_the_demo_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    demo = tmp_path / "share" / "smm-tui" / "demo"
    demo.mkdir(parents=True, mode=0o700)
    code = main(["doctor", "--demo"], {"HOME": str(tmp_path), "USER": "anna"})
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok   config (none): 5 accounts" in out
    assert f"ok   store {demo}: readable, 0 mentions" in out
    assert not (tmp_path / "share" / "smm-tui" / "meta.json").exists()


def test_doctor_warns_when_no_account_is_configured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('user = "anna"\n', encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    code = main(["doctor", "--config", str(config), "--data-dir", str(data)], {"HOME": "/x"})
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[1] == (
        "warn config: no [[accounts]], so nothing is polled (poll and reply refuse to run)"
    )
