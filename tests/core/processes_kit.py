"""Child processes for the tests that share a data dir between processes: started by
spawn, each ended after the test by its own pid."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from multiprocessing.process import BaseProcess
from typing import Any

import pytest

SPAWN = multiprocessing.get_context("spawn")
JOIN_SECONDS = 60.0


@pytest.fixture
def processes() -> Iterator[list[BaseProcess]]:
    """The processes a test starts (with :func:`start`); any still alive is killed after."""
    started: list[BaseProcess] = []
    yield started
    for process in started:
        if process.is_alive():
            process.kill()  # by its own pid
        process.join(JOIN_SECONDS)


def start(processes: list[BaseProcess], target: Any, *args: object) -> BaseProcess:
    """Start ``target(*args)`` in a new process, remembered for the clean-up."""
    process = SPAWN.Process(target=target, args=args, daemon=True)
    process.start()
    processes.append(process)
    return process


def finish(process: BaseProcess) -> None:
    """Wait for a child and require that it ended well."""
    process.join(JOIN_SECONDS)
    assert process.exitcode == 0, f"child exited with {process.exitcode}"
