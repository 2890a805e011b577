"""App benchmark: the real ``smm-tui run`` in a pseudo-terminal, as a person meets it.

Run it as ``.venv/bin/python bench/bench_app.py [--quick] [--workspace DIR] [--json PATH]``.

On a copy of a workspace built by ``store_workspace.build_workspace`` (100,000 mentions),
with a config that has no accounts, each run starts ``smm-tui run`` on an 80x24
pseudo-terminal (TERM=xterm-256color) and measures:

* ``cold_start_ms``: from just before the fork until the frame that shows the feed's
  status line (``N shown``) has been written; ``driver_start_ms``: until Textual
  switched to the alternate screen (interpreter, imports, config, store opened);
* ``idle_bytes_per_s``: what the app writes with nobody typing;
* ``key_latency_ms_p50/p95`` and ``bytes_per_keypress``: ``j`` and ``k`` alternately,
  from the write of the key until the last byte of the repaint it caused;
  ``key_first_frame_ms_p95``: until the end of its first frame (the cursor has moved;
  the preview may follow in later frames);
* ``rss_peak_mb``: the app's peak resident memory (``VmHWM``) after the key presses;
* ``quit_ms``: from ``q`` until the process has exited (the store closed).

See bench/README.md for how a repaint's end is found. Exits 0 whatever it finds.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import benchlib
import store_workspace
from benchlib import fmt, label, percentile, print_rows, spread, summarise
from pty_terminal import Burst, Terminal, TerminalError

#: The feed's status line, "Queue · 24 new · 33 shown": painted once the feed has its rows.
FEED_SHOWN = re.compile(rb"\d+ shown")
ALT_SCREEN = re.compile(re.escape(b"\x1b[?1049h"))
CONFIG = 'user = "anna"\nusers = ["anna", "boris", "chen"]\n'
#: Environment variables that would change what the app paints or where it writes.
DROPPED_ENV = ("COLORTERM", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TEXTUAL")

#: Keys in the order the table prints them.
KEYS = (
    "cold_start_ms",
    "driver_start_ms",
    "key_latency_ms_p50",
    "key_latency_ms_p95",
    "key_first_frame_ms_p95",
    "bytes_per_keypress",
    "frames_per_keypress",
    "idle_bytes_per_s",
    "rss_peak_mb",
    "rss_mb",
    "quit_ms",
)


@dataclass
class Settings:
    """How one run is driven."""

    presses: int = 100
    idle_s: float = 2.5
    quiet_s: float = 0.1
    start_timeout_s: float = 60.0


@dataclass
class Pacer:
    """Keeps key presses clear of the app's own periodic repaints (a timer's redraw).

    While idle the app may repaint on a timer; a press whose repaint overlapped one
    would be charged its bytes and time. With the period known from the idle
    bursts, a press waits for the next timer repaint to pass when it is due soon.
    """

    period: float | None
    last: float
    waited_s: float = 0.0

    @classmethod
    def from_idle(cls, bursts: Sequence[Burst], need: float) -> Pacer:
        starts = [b.start for b in bursts]
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        period = statistics.median(gaps) if gaps else None
        regular = period is not None and all(abs(g - period) <= 0.15 * period for g in gaps)
        if period is None or not regular or period < need + 0.1:
            return cls(None, 0.0)
        return cls(period, starts[-1])

    def wait(self, terminal: Terminal, need: float) -> None:
        """Return when the next timer repaint is at least ``need`` seconds away."""
        if self.period is None:
            return
        began = time.perf_counter()
        for _ in range(4):
            now = time.perf_counter()
            ahead = max(1, math.ceil((now - self.last) / self.period))
            due = self.last + ahead * self.period
            if due - now >= need:
                break
            burst = terminal.burst(due - now + 0.4 * self.period, quiet=0.05)
            if burst is None or abs(burst.start - due) > 0.4 * self.period:
                self.last = due  # it did not come (or something else did): assume it passed
            else:
                self.last = burst.start
        self.waited_s += time.perf_counter() - began


@dataclass
class Presses:
    """Each key press: ms from the key to its repaint's last byte, bytes, frames."""

    latency_ms: list[float] = field(default_factory=list)
    first_frame_ms: list[float] = field(default_factory=list)
    size: list[int] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    unanswered: int = 0


def command() -> list[str]:
    """``smm-tui`` as installed next to this Python, else ``python -m smm_tui``."""
    script = Path(sys.executable).with_name("smm-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "smm_tui"]


def child_env(scratch: Path) -> dict[str, str]:
    """The app's environment: a plain terminal, its own XDG homes, and bytecode cached.

    Python caches compiled modules unless told not to; an environment that turns that off
    (PYTHONDONTWRITEBYTECODE, set on some CI machines) would have every start compile
    every module, which no user's second start does. The cache goes under the scratch
    folder, and the warm-up start fills it (its time is first_start_ms).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(DROPPED_ENV)}
    env = {k: v for k, v in env.items() if not k.startswith("SMM_TUI")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    env["TERM"] = "xterm-256color"
    for name in ("CONFIG", "DATA", "STATE", "CACHE"):  # never touch the real home
        env[f"XDG_{name}_HOME"] = str(scratch / "xdg" / name.lower())
    return env


def press_keys(terminal: Terminal, pacer: Pacer, settings: Settings) -> Presses:
    """``j`` and ``k`` in turn, so the cursor stays at the top of the list."""
    presses = Presses()
    for i in range(settings.presses):
        recent = presses.latency_ms[-10:]
        need = settings.quiet_s + 0.05 + (max(recent) / 1000 if recent else 0.25)
        pacer.wait(terminal, need)
        sent = terminal.send(b"jk"[i % 2 : i % 2 + 1])
        burst = terminal.burst(first_timeout=3.0, quiet=settings.quiet_s)
        if burst is None:
            presses.unanswered += 1
            continue
        presses.latency_ms.append((burst.end - sent) * 1000)
        first = burst.end if burst.first_frame is None else burst.first_frame
        presses.first_frame_ms.append((first - sent) * 1000)
        presses.size.append(burst.size)
        presses.frames.append(burst.frames)
    if presses.unanswered > settings.presses // 2:
        raise TerminalError(
            f"{presses.unanswered} of {settings.presses} key presses repainted nothing"
        )
    return presses


def run_once(
    argv: list[str], env: dict[str, str], settings: Settings, warm_up: bool = False
) -> dict[str, Any]:
    """One app session: start, idle, key presses, memory, quit."""
    terminal = Terminal(argv, env)
    started = terminal.spawn()
    try:
        driver = terminal.wait_for(ALT_SCREEN, settings.start_timeout_s)
        shown = terminal.wait_for(FEED_SHOWN, settings.start_timeout_s)
        figures: dict[str, Any] = {
            "cold_start_ms": (shown - started) * 1000,
            "driver_start_ms": (driver - started) * 1000,
            "sync_output": terminal.frames_done > 0,  # repaints ended by a marker, not silence
        }
        if warm_up:
            return figures
        terminal.settle(quiet=0.3, cap=5.0)
        for _attempt in range(2):  # start-up work may still be painting: look again
            idle = terminal.bursts(settings.idle_s, settings.quiet_s)
            pacer = Pacer.from_idle(idle, need=settings.quiet_s + 0.3)
            if pacer.period is not None or len(idle) < 3:
                break
        figures["idle_bytes_per_s"] = sum(b.size for b in idle) / settings.idle_s
        presses = press_keys(terminal, pacer, settings)
        memory = terminal.proc_status("VmHWM", "VmRSS")
        figures.update(
            key_latency_ms_p50=statistics.median(presses.latency_ms),
            key_latency_ms_p95=percentile(presses.latency_ms, 95),
            key_first_frame_ms_p95=percentile(presses.first_frame_ms, 95),
            bytes_per_keypress=statistics.median(presses.size),
            frames_per_keypress=statistics.median(presses.frames),
            rss_peak_mb=memory["VmHWM"],
            rss_mb=memory["VmRSS"],
            latencies=presses.latency_ms,
            unanswered=presses.unanswered,
            idle_repaint_period_s=pacer.period,
            paced_wait_s=round(pacer.waited_s, 2),
        )
        quitting = terminal.send(b"q")
        status = terminal.close(timeout=20.0)
        figures["quit_ms"] = (time.perf_counter() - quitting) * 1000
        if status != 0:
            raise TerminalError(f"the app exited with status {status} after q")
        return figures
    finally:
        if terminal.fd >= 0:  # the warm-up, or a run that failed: quit, else kill
            if not terminal.exited:
                terminal.send(b"q")
            terminal.close(timeout=10.0)


def measure(
    template: Path | None, size: int, runs: int, settings: Settings, warm_up: bool
) -> dict[str, Any]:
    prefix = f"app.{label(size)}"
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="smm-bench-app-") as scratch_name:
        scratch = Path(scratch_name)
        data_dir = scratch / "workspace"
        if template is None:
            print(f"building a workspace of {size:,} mentions…", file=sys.stderr, flush=True)
            store_workspace.build_workspace(data_dir, size)
        else:
            shutil.copytree(template, data_dir)
        config = scratch / "config.toml"
        config.write_text(CONFIG, encoding="utf-8")
        argv = [*command(), "run", "--config", str(config), "--data-dir", str(data_dir)]
        env = child_env(scratch)
        if warm_up:  # the first open backfills due times and labels, and fills the page cache
            print("app: warm-up start…", file=sys.stderr, flush=True)
            first = run_once(argv, env, settings, warm_up=True)
            results[f"{prefix}.first_start_ms"] = summarise([first["cold_start_ms"]])
        samples: list[dict[str, Any]] = []
        for run in range(runs):
            print(f"app: run {run + 1}/{runs} at {size:,}…", file=sys.stderr, flush=True)
            samples.append(run_once(argv, env, settings))
    for key in KEYS:
        results[f"{prefix}.{key}"] = summarise([s[key] for s in samples])
    pooled = [ms for s in samples for ms in s["latencies"]]
    results[f"{prefix}.key_latency_ms_pooled"] = {
        "p50": round(statistics.median(pooled), 3),
        "p95": round(percentile(pooled, 95), 3),
        "max": round(max(pooled), 3),
        "n": len(pooled),
    }
    results["app.meta"] = {
        "size": size,
        "runs": runs,
        "presses_per_run": settings.presses,
        "quiet_ms": settings.quiet_s * 1000,
        "idle_s": settings.idle_s,
        "terminal": "80x24 xterm-256color, synchronized output answered",
        "sync_output": all(s["sync_output"] for s in samples),
        "unanswered_presses": sum(s["unanswered"] for s in samples),
        "idle_repaint_period_s": [s["idle_repaint_period_s"] for s in samples],
        "paced_wait_s": [s["paced_wait_s"] for s in samples],
        "command": " ".join(Path(part).name for part in command()) + " run --config C --data-dir D",
        **benchlib.machine(),
    }
    return results


def print_table(results: dict[str, Any], size: int) -> None:
    prefix = f"app.{label(size)}"
    rows = [("key", "measured: median (min–max)")]
    for key in ("first_start_ms", *KEYS):
        stats = results.get(f"{prefix}.{key}")
        if stats is not None:
            rows.append((f"{prefix}.{key}", spread(stats)))
    pooled = results[f"{prefix}.key_latency_ms_pooled"]
    rows.append(
        (
            f"{prefix}.key_latency_ms_pooled",
            f"p50 {fmt(pooled['p50'])}, p95 {fmt(pooled['p95'])}, max {fmt(pooled['max'])} "
            f"over {pooled['n']} presses",
        )
    )
    print_rows(rows)


def main() -> int:
    quick = "1,000 mentions, 1 run, 10 presses"
    args = benchlib.arguments(__doc__, quick, "size runs presses workspace json").parse_args()
    size = args.size or (1000 if args.quick else 100_000)
    runs = args.runs or (1 if args.quick else 5)
    settings = Settings(presses=args.presses or (10 if args.quick else 100))
    if args.quick:
        settings.idle_s = 1.0
    return benchlib.run_part(
        "app.",
        lambda: measure(args.workspace, size, runs, settings, warm_up=not args.quick),
        lambda results: print_table(results, size),
        args,
        failures=(TerminalError,),
    )


if __name__ == "__main__":
    sys.exit(main())
