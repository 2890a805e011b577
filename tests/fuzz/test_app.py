"""The real app on worst-case mentions: what reaches the terminal is its own, never the data's.

One test drives the app headless (Pilot) and prints each screen as the driver
would; the other runs ``python -m smm_tui`` in a pseudo-terminal and reads
the bytes it writes.
"""

from __future__ import annotations

import fcntl
import io
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.app import App
from textual.content import Content
from textual.widgets import OptionList, Static

from smm_tui.config import Config
from smm_tui.core.models import Author, Intent, Mention, Platform
from smm_tui.core.workspace import Workspace
from smm_tui.screens.customer import CustomerScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.store.store import Store
from tests.conftest import T0, FakeClock
from tests.fuzz.checks import assert_rendered_safe
from tests.ui.harness import running, wait_for

BIG = "[@click=app.quit]x[/]\x1b]0;big\x07\u202e👩🏽\u200d💻\u0301" * 4_000


@dataclass(frozen=True)
class Worst:
    """One worst-case mention; ``mark`` is plain text shown at the start of its row."""

    mark: str
    text: str
    handle: str
    name: str
    url: str = ""


WORST = (
    Worst(
        "MARK0",
        "[@click=app.quit]click me[/] [link='https://evil.example']bank[/link]",
        "@admin\u202egnp.exe",
        "[b]Bank[/b]",
    ),
    Worst(
        "MARK1",
        "title\x1b]0;pwned\x07 clear\x1b[2J csi\x9b6n\x1b[21t",
        "@ba\u200bnk",
        "\x1b]2;name\x1b\\",
    ),
    Worst(
        "MARK2",
        "hyper\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ clip\x1b]52;c;cHduZWQ=\x07",
        "@x\x9d0;t\x9c",
        "N\u2066\u2069",
    ),
    Worst(
        "MARK3",
        "dcs\x1bPq#0;2;0;0;0\x1b\\ apc\x1b_Gf=100;AAAA\x1b\\ reset\x1bc sgr\x1b[31;5;47;9mred",
        "@\ufeffbank",
        "\x85\x07",
    ),
    Worst(
        "MARK4",
        "Z\u0336\u0321a\u0335l\u0337g\u0338o\ttab 👨\u200d👩\u200d👧\u200d👦 🏳️\u200d🌈"
        " \u202aLRE\u202c",
        "@m\u0301",
        "Анна 🌿",
    ),
    Worst(
        "MARK5", "lone \ud83d half, \udfff low, [bold]not bold[/bold] [/] [", "@s\ud800", "\ud83d"
    ),
    Worst(
        "MARK6",
        "url in the detail view",
        "@u",
        "U",
        "https://bank.example/\x1b]8;;http://evil\x1b\\[@click=app.quit]",
    ),
)
#: With the 100 KB text, every repaint of the feed costs a tenth of a second: the Pilot test
#: goes without it, the pseudo-terminal test (one look at each screen) has it.
WITH_BIG = (*WORST, Worst("MARK9", BIG, "@big", "Big"))
#: Sequences in the data above; none may reach the terminal.
DATA_SEQUENCES = (
    "\x1b]0;",
    "\x1b]2;",
    "\x1b]8;",
    "\x1b]52;",
    "\x1b[2J",
    "\x1b[21t",
    "\x1bP",
    "\x1b_",
    "\x1bc",
    "\x1b[31;5;47;9m",
    "\x9b",
    "\x9d",
)
#: The data as it must show instead: literal markup and control pictures.
SHOWN = ("[@click=app.quit]click me[/]", "␛]0;pwned␇", "␛[2J", "⟨C1 9B⟩6n", "⟨RLO⟩", "⟨ZWSP⟩")


def seed(data_dir: Path, worst: tuple[Worst, ...] = WORST) -> None:
    mentions = [
        Mention(
            platform=Platform.VK,
            account="bank-vk",
            external_id=f"w{n}",
            author=Author(id=f"a{n}", handle=worst.handle, display_name=worst.name),
            text=f"{worst.mark} {worst.text}",
            created_at=T0 - timedelta(minutes=n),
            url=worst.url,
            # Labelled, so that none is read as spam and closed out of the queue on arrival:
            # these tests are about how each one is drawn.
            intent=Intent.QUESTION,
        )
        for n, worst in enumerate(worst)
    ]
    with Store.open(data_dir) as store:
        workspace = Workspace(store, actor="alice", sources={}, clock=FakeClock())
        store.commit(workspace.ingest.changes_for(mentions))


# --- the bytes a terminal receives ---------------------------------------------------------------

_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC
    r"|\x1b[^\[\]PX^_]"  # any other escape
)
#: What Textual itself writes: SGR, cursor position, private modes and their queries,
#: the kitty keyboard protocol, and OSC 22 (the mouse pointer's shape).
_OWN = re.compile(
    r"\x1b\[[0-9;]*m"
    r"|\x1b\[\d+;\d+H"
    r"|\x1b\[\?[\d;]+[hl]"
    r"|\x1b\[\?\d+\$p"
    r"|\x1b\[[<>=]\d*u"
    r"|\x1b\]22;[a-z-]+\x07"
)


def assert_terminal_bytes_safe(output: str) -> None:
    """Only the app's own sequences reach the terminal; the data shows as literal text."""
    foreign = [seq for seq in _SEQUENCE.findall(output) if not _OWN.fullmatch(seq)]
    assert not foreign, f"sequences the app does not write itself: {foreign[:10]}"
    text = _SEQUENCE.sub("", output)
    controls = sorted({f"U+{ord(c):04X}" for c in text if c < " " and c not in "\r\n"})
    controls += sorted({f"U+{ord(c):04X}" for c in text if "\x7f" <= c <= "\x9f"})
    assert not controls, f"control characters outside sequences: {controls}"
    for sequence in DATA_SEQUENCES:
        assert sequence not in output, f"{sequence!r} from the data reached the terminal"


def test_terminal_checks_catch_foreign_sequences() -> None:
    """The byte checks below are not vacuous: the app's own output passes, the data's does not."""
    assert_terminal_bytes_safe(
        "\x1b[?1049h\x1b[1;1H\x1b[1;38;2;1;2;3mok\x1b[0m\x1b]22;default\x07\r\n"
    )
    for leaky in (
        "\x1b]0;t\x07",
        "\x1b]8;;http://e\x1b\\",
        "\x1bPq\x1b\\",
        "\x9b2J",
        "\x1b[6n",
        "\x07",
        "\x1bc",
    ):
        with pytest.raises(AssertionError):
            assert_terminal_bytes_safe(f"ok{leaky}ok")


def screen_output(app: App[Any]) -> str:
    """The current screen as the terminal driver would write it, in full."""
    width, height = app.size
    out = io.StringIO()
    console = Console(
        width=width,
        height=height,
        file=out,
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return out.getvalue()


#: The only actions on screen: Textual's scrollbars (textual/scrollbar.py).
_SCROLLBAR_ACTIONS = {
    ("@mouse.down", "grab"),
    ("@mouse.down", "scroll_up"),
    ("@mouse.down", "scroll_down"),
}


def assert_screen_safe(app: App[Any]) -> None:
    """No link or action on any cell of the screen, and safe bytes for the whole of it."""
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            style = segment.style
            if style is not None:
                assert not style.link, f"link on {segment.text!r}"
                actions = {(k, v) for k, v in style.meta.items() if k.startswith("@")}
                assert actions <= _SCROLLBAR_ACTIONS, f"action on {segment.text!r}: {actions}"
    assert_terminal_bytes_safe(screen_output(app))


def static_content(app: App[Any], selector: str) -> Content:
    visual = app.screen.query_one(selector, Static).render()
    assert isinstance(visual, Content)
    return visual


async def test_the_app_shows_worst_case_mentions_literally(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    seed(data_dir)
    clock = FakeClock()
    async with running(
        data_dir, clock, config=Config(user="alice"), size=(120, 40), poll=False
    ) as run:
        pilot, app = run.pilot, run.app
        await wait_for(pilot, lambda: len(run.feed.ids) == len(WORST), "the feed")
        assert_screen_safe(app)
        shown = screen_output(app)
        for part in SHOWN:
            assert part in shown, part

        opened: set[str] = set()
        await pilot.press("g")
        for _ in WORST:
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, MentionScreen), "the detail view")
            assert isinstance(app.screen, MentionScreen)
            mention = run.feed.mention(app.screen.mention_id)
            assert mention is not None
            opened.add(mention.id)
            mark = mention.text[:5]
            await wait_for(
                pilot,
                lambda: mark in static_content(app, "#detail-mention").plain,  # noqa: B023
                "the mention in full",
            )
            for selector in ("#detail-mention", "#detail-why", "#detail-thread"):
                assert_rendered_safe(static_content(app, selector))
            assert_screen_safe(app)

            await pilot.press("C")
            await wait_for(pilot, lambda: isinstance(app.screen, CustomerScreen), "the customer")
            assert_rendered_safe(static_content(app, "#customer-summary"))
            for row in app.screen.query_one("#customer-list", OptionList).options:
                assert isinstance(row.prompt, Content)
                assert_rendered_safe(row.prompt)
            assert_screen_safe(app)
            await pilot.press("escape", "escape")
            await wait_for(pilot, lambda: isinstance(app.screen, FeedScreen), "the feed again")
            await pilot.press("j")

        assert len(opened) == len(WORST)
        assert app.is_running and app.return_code is None


# --- a pseudo-terminal ---------------------------------------------------------------------------

WAIT_SECONDS = 30.0


class Terminal:
    """``python -m smm_tui`` in a pseudo-terminal: keys in, every byte it writes kept."""

    def __init__(self, args: Iterable[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.master, slave = os.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "smm_tui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.output = b""

    def text(self) -> str:
        return self.output.decode("utf-8", errors="replace")

    def _read(self, until: float) -> bool:
        """Take what is written before ``until``; False at end of output."""
        ready, _, _ = select.select([self.master], [], [], max(0.0, until - time.monotonic()))
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the other side is closed
            return False
        self.output += chunk
        return bool(chunk)

    def wait_for(self, condition: Callable[[str], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition(self.text()):
            if time.monotonic() > deadline or not self._read(deadline):
                raise AssertionError(f"timed out waiting for {what}: {self.text()[-2000:]!r}")

    def press(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self) -> int:
        """Read to the end of output; the exit status."""
        deadline = time.monotonic() + WAIT_SECONDS
        while self._read(deadline):
            if time.monotonic() > deadline:
                break
        return self.process.wait(timeout=WAIT_SECONDS)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)


def test_no_sequence_from_the_data_reaches_a_real_terminal(tmp_path: Path) -> None:
    data_dir, config = tmp_path / "data", tmp_path / "config.toml"
    seed(data_dir, WITH_BIG)
    config.write_text('user = "alice"\n', encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SMM_TUI", "TEXTUAL", "XDG_"))
        and key not in ("NO_COLOR", "COLUMNS", "LINES")
    }
    env.update(
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        PYTHONIOENCODING="utf-8",
        TZ="UTC",
        HOME=str(tmp_path),
    )
    terminal = Terminal(["--data-dir", str(data_dir), "--config", str(config)], env, size=(120, 40))
    try:
        terminal.wait_for(lambda out: all(w.mark in out for w in WITH_BIG), "the feed")
        terminal.press("\r")
        terminal.wait_for(lambda out: "Retry failed" in out, "the detail view")
        terminal.press("C")
        terminal.wait_for(lambda out: " on VK · " in out, "the customer view")
        terminal.press("q")
        terminal.press("q")
        terminal.press("q")
        assert terminal.finish() == 0, terminal.text()[-2000:]
    finally:
        terminal.close()
    output = terminal.output.decode("utf-8")  # strict: the app writes only UTF-8
    assert_terminal_bytes_safe(output)
    for part in SHOWN:
        assert part in output, part
