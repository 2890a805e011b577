"""Two processes sharing a data dir never publish one reply twice.

Process A claims a reply and blocks inside ``post_reply``; process B, with its
own store on the same directory, lists what to resume and tries to send the
same reply. Every publication appends a line to a file, so the test counts them.
"""

from __future__ import annotations

import asyncio
import socket
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import orjson
import pytest

from smm_tui.core.models import ReplyState
from smm_tui.core.repository import Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import make_mention
from tests.core import outbox_child
from tests.core.outbox_child import Block, wait_until
from tests.core.processes_kit import JOIN_SECONDS, finish, start
from tests.core.processes_kit import processes as processes  # the fixture, for pytest


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    names = ("publications", "entered", "gate", "a_result", "b_result")
    return {name: str(tmp_path / name) for name in names}


@pytest.fixture
def queued(tmp_path: Path) -> tuple[Path, str]:
    """A data dir holding one mention and one queued reply to it."""
    data_dir = tmp_path / "data"
    with Store.open(data_dir) as store:
        workspace = Workspace(store, actor="alice", sources={})
        mention = make_mention(1)
        asyncio.run(workspace.ingest.ingest([mention]))
        reply = asyncio.run(workspace.outbox.queue(mention.id, "We are looking into it"))
    return data_dir, reply.id


def publications(files: dict[str, str]) -> list[str]:
    path = Path(files["publications"])
    return path.read_text().splitlines() if path.exists() else []


def result(files: dict[str, str], name: str) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(Path(files[name]).read_bytes())
    return data


def wait_for_a_inside_post_reply(process: BaseProcess, files: dict[str, str]) -> None:
    entered = Path(files["entered"])
    assert wait_until(lambda: entered.exists() or not process.is_alive()), "A never posted"
    assert entered.exists(), f"A exited early with {process.exitcode}"


def stored_reply(data_dir: Path, reply_id: str) -> dict[str, Any]:
    with Store.open(data_dir) as store:
        record = store.get(Collection.REPLIES, reply_id)
    assert record is not None
    return record


@pytest.mark.slow
def test_a_reply_another_live_process_is_sending_is_not_published_again(
    queued: tuple[Path, str], files: dict[str, str], processes: list[BaseProcess]
) -> None:
    data_dir, reply_id = queued
    a = start(processes, outbox_child.sender, str(data_dir), reply_id, files, "before")
    wait_for_a_inside_post_reply(a, files)

    b = start(processes, outbox_child.bystander, str(data_dir), reply_id, files)
    finish(b)
    seen_by_b = result(files, "b_result")
    assert seen_by_b["resumable"] == []
    assert seen_by_b["state"] == ReplyState.SENDING.value
    assert seen_by_b["claimed_by"] == f"{socket.gethostname()}:{a.pid}"
    assert publications(files) == []

    Path(files["gate"]).touch()
    finish(a)
    assert result(files, "a_result")["state"] == ReplyState.SENT.value
    assert len(publications(files)) == 1
    record = stored_reply(data_dir, reply_id)
    assert (record["state"], record["attempts"]) == (ReplyState.SENT.value, 1)
    assert record["claimed_by"] == f"{socket.gethostname()}:{a.pid}"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("block", "settled", "published"),
    [("before", ReplyState.FAILED, 0), ("after", ReplyState.SENT, 1)],
    ids=["died-before-publishing", "died-after-publishing"],
)
def test_a_reply_whose_sender_was_killed_is_recovered_once(
    queued: tuple[Path, str],
    files: dict[str, str],
    processes: list[BaseProcess],
    block: Block,
    settled: ReplyState,
    published: int,
) -> None:
    data_dir, reply_id = queued
    a = start(processes, outbox_child.sender, str(data_dir), reply_id, files, block)
    wait_for_a_inside_post_reply(a, files)
    a.kill()
    a.join(JOIN_SECONDS)

    b = start(processes, outbox_child.bystander, str(data_dir), reply_id, files)
    finish(b)
    seen_by_b = result(files, "b_result")
    assert seen_by_b["resumable"] == [reply_id]
    assert seen_by_b["state"] == settled.value
    assert seen_by_b["claimed_by"] == f"{socket.gethostname()}:{b.pid}"
    assert len(publications(files)) == published  # B checked the thread; it never posted
    assert stored_reply(data_dir, reply_id)["state"] == settled.value
