"""The app ends when its terminal ends, keeping the draft and the last action.

Each test runs the real ``smm-tui demo`` on a real pseudo-terminal, types into
it, then closes the terminal under it (or signals it) and checks that every
process is gone, the draft and the last action are on disk, and the poller
lock is free. ``make`` is the awkward parent: as the session leader it takes
the hang-up and passes nothing on to the app.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest

from bench.pty_terminal import Terminal
from smm_tui.core.repository import Collection
from smm_tui.store.lease import PollerLease
from smm_tui.store.store import Store

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux pseudo-terminals")

USER = "tester"
DRAFT = "HUPDRAFT42"
#: What the issue allows on a loaded machine (2 s is the aim).
GONE_WITHIN = 10.0
PAINT_WITHIN = 60.0


def _env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }


def _app_command(data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "smm_tui", "demo", "--data-dir", str(data_dir), "--user", USER]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (read from ``/proc/*/stat``)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _wait_until(condition: Callable[[], object], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def _end(pids: list[int]) -> None:
    """End what a test started, by its own id, if it is still there, and reap our children."""
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    for pid in pids:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)  # only our own child can be reaped; the others are not ours


class Session:
    """A program on a pseudo-terminal, and every process of the test's that it started."""

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        self.pids = [terminal.pid]

    def app_pid(self) -> int:
        """The app's pid: the terminal's own process, or its one child (under sh or make)."""
        children = _children(self.terminal.pid)
        if not children:
            return self.terminal.pid
        (child,) = children
        self.pids.append(child)
        return child


@contextlib.contextmanager
def _terminal(argv: list[str], home: Path) -> Iterator[Session]:
    terminal = Terminal(argv, _env(home))
    terminal.spawn()
    session = Session(terminal)
    try:
        yield session
    finally:
        _end([*session.pids, *_descendants(terminal.pid)])
        if terminal.fd >= 0:
            os.close(terminal.fd)


def _descendants(pid: int) -> list[int]:
    found = []
    for child in _children(pid):
        found += [child, *_descendants(child)]
    return found


def _write_draft(terminal: Terminal) -> None:
    """Assign the top mention to me, open the composer on it and type a draft."""
    terminal.wait_for(re.compile(rb"Queue"), PAINT_WITHIN)
    terminal.wait_for(re.compile(rb"\xe2\x97\x8f"), PAINT_WITHIN)  # ● a new mention's row
    terminal.send(b"a")
    terminal.wait_for(re.compile(rb"nobody \(unassign\)"), PAINT_WITHIN)  # the picker
    terminal.send(b"\r")
    terminal.wait_for(re.compile(rb"Mine 1"), PAINT_WITHIN)
    terminal.send(b"r")
    terminal.wait_for(re.compile(rb"keeps the draft"), PAINT_WITHIN)
    terminal.send(DRAFT.encode())
    terminal.wait_for(re.compile(DRAFT.encode()), PAINT_WITHIN)


def _reap(pid: int, timeout: float) -> int | None:
    """Wait for a child of this process to end; its exit code, or None on time-out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    return None


def _assert_kept(data_dir: Path) -> None:
    """The draft and the assignment are on disk, and nobody holds the poller lock."""
    store = Store.open(data_dir)
    try:
        drafts = list(store.records(Collection.DRAFTS))
        assert [draft["text"] for draft in drafts] == [DRAFT]
        mention = store.get(Collection.MENTIONS, str(drafts[0]["id"]))
        assert mention is not None and mention["assignee"] == USER
    finally:
        store.close()
    _assert_lock_free(data_dir)


def _assert_lock_free(data_dir: Path) -> None:
    lease = PollerLease(data_dir, "test:1")
    assert lease.try_acquire(), "the poller lock is still held"
    lease.release()


def _close_and_expect_gone(terminal: Terminal, app_pid: int) -> None:
    os.close(terminal.fd)
    terminal.fd = -1
    gone = _wait_until(lambda: not _alive(app_pid), GONE_WITHIN)
    assert gone, "the app outlived its terminal"


def test_closing_the_terminal_ends_the_app_when_it_leads_the_session(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    with _terminal(_app_command(data_dir), tmp_path) as session:
        terminal = session.terminal
        _write_draft(terminal)
        _close_and_expect_gone(terminal, terminal.pid)
        assert _reap(terminal.pid, GONE_WITHIN) is not None
    _assert_kept(data_dir)


def test_closing_the_terminal_ends_the_app_under_make(tmp_path: Path) -> None:
    """``make`` takes the SIGHUP and passes nothing on: the app must see the hang-up itself."""
    make = shutil.which("make")
    assert make is not None, "make is one of the two things a fresh machine has"
    data_dir = tmp_path / "demo"
    recipe = shlex.join(_app_command(data_dir))
    (tmp_path / "Makefile").write_text(f"run:\n\t{recipe}\n", encoding="utf-8")
    with _terminal([make, "-s", "-C", str(tmp_path), "run"], tmp_path) as session:
        terminal = session.terminal
        _write_draft(terminal)
        app_pid = session.app_pid()
        assert app_pid != terminal.pid, "make runs the app as its child"
        _close_and_expect_gone(terminal, app_pid)
        assert _reap(terminal.pid, GONE_WITHIN) is not None, "make outlived the app"
    _assert_kept(data_dir)


def test_closing_the_terminal_ends_the_app_under_a_shell(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    # A second command keeps the shell from exec-ing the app: the shell leads.
    script = shlex.join(_app_command(data_dir)) + "; true"
    with _terminal(["/bin/sh", "-c", script], tmp_path) as session:
        terminal = session.terminal
        _write_draft(terminal)
        app_pid = session.app_pid()
        assert app_pid != terminal.pid, "the shell runs the app as its child"
        _close_and_expect_gone(terminal, app_pid)
        _reap(terminal.pid, GONE_WITHIN)
    _assert_kept(data_dir)


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_a_signal_ends_the_app_and_gives_the_terminal_back(
    tmp_path: Path, sig: signal.Signals
) -> None:
    data_dir = tmp_path / "demo"
    with _terminal(_app_command(data_dir), tmp_path) as session:
        terminal = session.terminal
        _write_draft(terminal)
        os.kill(terminal.pid, sig)
        status = terminal.close(timeout=GONE_WITHIN)
        assert status == 0
        # The terminal was alive: it is handed back out of the alternate screen.
        assert terminal.output.rfind(b"\x1b[?1049l") > terminal.output.rfind(b"\x1b[?1049h")
    _assert_kept(data_dir)


def _readable(stream: IO[bytes]) -> bool:
    return bool(select.select([stream], [], [], 0)[0])


def test_a_signal_during_start_up_never_leaves_the_terminal_raw(tmp_path: Path) -> None:
    """SIGTERM as the app sets the terminal up: it leaves, and hands the terminal back."""
    with _terminal(_app_command(tmp_path / "demo"), tmp_path) as session:
        terminal = session.terminal
        terminal.wait_for(re.compile(rb"\x1b\[\?1049h"), PAINT_WITHIN)  # the alternate screen
        os.kill(terminal.pid, signal.SIGTERM)
        assert terminal.close(timeout=GONE_WITHIN) == 0
        assert terminal.output.rfind(b"\x1b[?1049l") > terminal.output.rfind(b"\x1b[?1049h")


def _poll_config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(
        '[[accounts]]\nname = "demo-vk"\nplatform = "demo"\nsimulate = "vk"\n', encoding="utf-8"
    )
    return config


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_poll_stops_on_a_signal_and_frees_the_lock(tmp_path: Path, sig: signal.Signals) -> None:
    data_dir = tmp_path / "data"
    argv = [sys.executable, "-m", "smm_tui", "poll", "--config", str(_poll_config(tmp_path))]
    process = subprocess.Popen(
        [*argv, "--data-dir", str(data_dir)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        stdout = process.stdout
        assert stdout is not None
        # The first state change says the poller is running.
        assert _wait_until(lambda: _readable(stdout), PAINT_WITHIN), "poll said nothing"
        assert b"demo-vk" in stdout.readline()
        process.send_signal(sig)
        out, err = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode in (0, -sig), err.decode()
    assert b"Traceback" not in err, err.decode()
    assert b"stopped" in out
    _assert_lock_free(data_dir)
