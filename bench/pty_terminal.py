"""A pseudo-terminal for benchmarks: run a full-screen program in it, read what it paints, time it.

The benchmark plays the terminal. It answers one query: asked whether it supports
synchronized output (``CSI ? 2026 $ p``), it says yes, so Textual brackets every
frame it paints with ``CSI ? 2026 h`` … ``CSI ? 2026 l``. A frame's end is then a
byte sequence, not a guess from silence.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: DECRQM: "do you support synchronized output?" and DECRPM: "yes, currently off".
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"
SYNC_START = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"
_TAIL = len(SYNC_END) - 1


class TerminalError(RuntimeError):
    """The program did not paint what was expected in time, or left early."""


@dataclass(frozen=True)
class Burst:
    """Output that arrived together: no quiet gap in it, and no frame left open."""

    start: float  #: arrival of its first bytes (``time.perf_counter``)
    end: float  #: arrival of its last bytes
    size: int  #: bytes written to the terminal
    frames: int  #: synchronized-output frames completed in it
    first_frame: float | None  #: arrival of the end of its first frame (None: no frames)


class Terminal:
    """One program running on a pseudo-terminal of ``cols`` by ``rows``."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        *,
        cols: int = 80,
        rows: int = 24,
        answer_sync: bool = True,
    ) -> None:
        self.argv = list(argv)
        self.env = dict(env)
        self.cols, self.rows = cols, rows
        self.answer_sync = answer_sync
        self.pid = 0
        self.fd = -1
        self.output = bytearray()
        self.sync_answered = False
        #: Frames opened minus frames closed: above 0 while a frame is being painted.
        self.open_frames = 0
        self.frames_done = 0
        self._offsets: list[int] = []  # where each chunk starts in ``output``
        self._times: list[float] = []  # when each chunk arrived
        self._exited = False
        self._status: int | None = None

    # -- life -----------------------------------------------------------------------------

    def spawn(self) -> float:
        """Start the program; returns the moment just before the fork."""
        started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become the program
            try:
                size = struct.pack("HHHH", self.rows, self.cols, 0, 0)
                fcntl.ioctl(1, termios.TIOCSWINSZ, size)
                os.execve(self.argv[0], self.argv, self.env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        return started

    def close(self, timeout: float = 15.0) -> int:
        """Wait for the program to end (reading what it still writes); kill it if it won't."""
        deadline = time.perf_counter() + timeout
        while not self._exited and time.perf_counter() < deadline:
            self.read(min(0.2, max(deadline - time.perf_counter(), 0.0)))
        status = self._reap(deadline)
        if status is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, sig)
                status = self._reap(time.perf_counter() + 3.0)
                if status is not None:
                    break
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        return -1 if status is None else status

    def _reap(self, deadline: float) -> int | None:
        if self._status is not None:
            return self._status
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._status = os.waitstatus_to_exitcode(status)
                return self._status
            if time.perf_counter() >= deadline:
                return None
            time.sleep(0.01)

    def proc_status(self, *fields: str) -> dict[str, float]:
        """Memory lines of ``/proc/<pid>/status`` (``VmHWM``, ``VmRSS``) in MB."""
        found: dict[str, float] = {}
        with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
            for line in status:
                name, _, rest = line.partition(":")
                if name in fields:
                    found[name] = int(rest.split()[0]) / 1024
        return found

    # -- input and output -----------------------------------------------------------------

    def send(self, data: bytes) -> float:
        """Type ``data``; returns the moment it was written."""
        written = time.perf_counter()
        os.write(self.fd, data)
        return written

    def read(self, timeout: float) -> float | None:
        """Read what is there (waiting up to ``timeout``); returns when it arrived, or None."""
        if self._exited:
            return None
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return None
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: the program closed the terminal
            data = b""
        arrived = time.perf_counter()
        if not data:
            self._exited = True
            return None
        starts, ends = self._count(SYNC_START, data), self._count(SYNC_END, data)
        asked = self._count(SYNC_QUERY, data)
        self._offsets.append(len(self.output))
        self._times.append(arrived)
        self.output += data
        self.open_frames = max(0, self.open_frames + starts - ends)
        self.frames_done += ends
        if self.answer_sync and not self.sync_answered and asked:
            self.sync_answered = True
            os.write(self.fd, SYNC_REPLY)
        return arrived

    def _count(self, sequence: bytes, data: bytes) -> int:
        """How often ``sequence`` occurs in ``data``, counting one that began in the last read."""
        return (bytes(self.output[-(len(sequence) - 1) :]) + data).count(sequence)

    @property
    def exited(self) -> bool:
        """Whether the program closed the terminal."""
        return self._exited

    def arrival(self, offset: int) -> float:
        """When the byte at ``offset`` of the output arrived."""
        return self._times[bisect.bisect_right(self._offsets, offset) - 1]

    def wait_for(self, pattern: re.Pattern[bytes], timeout: float, *, since: int = 0) -> float:
        """When ``pattern`` was on screen: the end of the frame that painted it.

        Searches everything written from offset ``since``; raises TerminalError on timeout.
        """
        deadline = time.perf_counter() + timeout
        match = pattern.search(self.output, since)
        while match is None:
            remaining = deadline - time.perf_counter()
            if remaining <= 0 or self._exited:
                raise TerminalError(self._missing(pattern))
            scanned = len(self.output)
            if self.read(remaining) is not None:
                match = pattern.search(self.output, max(since, scanned - 256))
        before = self.output[: match.start()]
        if before.count(SYNC_START) <= before.count(SYNC_END):  # not in a frame
            return self.arrival(match.end() - 1)
        # Finish the frame the match is in, if it is still being painted.
        closed = self.output.find(SYNC_END, match.end())
        while closed < 0 and not self._exited and time.perf_counter() < deadline:
            scanned = len(self.output)
            if self.read(deadline - time.perf_counter()) is not None:
                closed = self.output.find(SYNC_END, max(match.end(), scanned - _TAIL))
        if closed < 0:
            return self.arrival(len(self.output) - 1)
        return self.arrival(closed + len(SYNC_END) - 1)

    def _missing(self, pattern: re.Pattern[bytes]) -> str:
        shown = re.sub(
            rb"\x1b\[[0-9;?<>=]*[A-Za-z$]|\x1b[\]P][^\x07\x1b]*(\x07|\x1b\\)", b" ", self.output
        )
        text = " ".join(shown.decode("utf-8", "replace").split())[-400:]
        left = "the program exited" if self._exited else "timed out"
        return f"{left} before {pattern.pattern!r} was painted; the screen ended with: {text!r}"

    def burst(self, first_timeout: float, quiet: float, cap: float = 10.0) -> Burst | None:
        """The next output, until ``quiet`` seconds pass with no bytes and no frame open.

        None if nothing arrives within ``first_timeout``. The quiet wait is not part of
        the burst: its end is when its last bytes arrived.
        """
        frames_before = self.frames_done
        size_before = len(self.output)
        start = self.read(first_timeout)
        if start is None:
            return None
        end = start
        first_frame = start if self.frames_done > frames_before else None
        deadline = start + cap
        while time.perf_counter() < deadline:
            arrived = self.read(quiet)
            if arrived is not None:
                end = arrived
                if first_frame is None and self.frames_done > frames_before:
                    first_frame = arrived
            elif not self.open_frames or self._exited:
                break
        return Burst(
            start=start,
            end=end,
            size=len(self.output) - size_before,
            frames=self.frames_done - frames_before,
            first_frame=first_frame,
        )

    def bursts(self, seconds: float, quiet: float) -> list[Burst]:
        """Every burst that starts within the next ``seconds``."""
        deadline = time.perf_counter() + seconds
        found: list[Burst] = []
        while (remaining := deadline - time.perf_counter()) > 0:
            burst = self.burst(remaining, quiet)
            if burst is None:
                break
            found.append(burst)
        return found

    def settle(self, quiet: float, cap: float) -> None:
        """Read until ``quiet`` seconds pass with nothing written (at most ``cap`` seconds)."""
        deadline = time.perf_counter() + cap
        while time.perf_counter() < deadline:
            if self.read(quiet) is None and not self.open_frames:
                return
