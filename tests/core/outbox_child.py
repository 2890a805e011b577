"""Processes for ``test_outbox_processes.py``: each opens its own store on a shared data dir.

The network is two files: each publication appends a line to ``publications``
(so the parent counts them), and a thread holds one item per line there.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import orjson

from smm_tui.core.models import Author, Mention
from smm_tui.core.network import PublishedReply, TransientError
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.core.services_kit import our_reply_in

Block = Literal["before", "after"] | None
WAIT_SECONDS = 60.0


def wait_until(condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; whether it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class FileChannel:
    """A reply channel over files; it can block inside ``post_reply`` until a gate file appears."""

    def __init__(
        self,
        account: str,
        publications: Path,
        *,
        entered: Path | None = None,
        gate: Path | None = None,
        block: Block = None,
    ) -> None:
        self.account = account
        self.idempotent_replies = False
        self.publications = publications
        self.entered = entered
        self.gate = gate
        self.block = block

    async def fetch_thread(self, mention: Mention) -> tuple[Mention, ...]:
        lines = self.publications.read_text().splitlines() if self.publications.exists() else []
        return tuple(self._published(mention, n, line) for n, line in enumerate(lines, 1))

    async def find_reply(self, mention: Mention, text: str) -> PublishedReply | None:
        return our_reply_in(await self.fetch_thread(mention), mention, text)

    async def post_reply(self, mention: Mention, text: str, idempotency_key: str) -> PublishedReply:
        if self.block == "before":
            self._hold()
        with self.publications.open("a") as out:
            out.write(f"{os.getpid()}\t{text}\n")
            out.flush()
            os.fsync(out.fileno())
        if self.block == "after":
            self._hold()
        return PublishedReply(f"pub-{idempotency_key}", f"https://example.test/{idempotency_key}")

    def _hold(self) -> None:
        assert self.entered is not None and self.gate is not None
        self.entered.write_text(str(os.getpid()))
        gate = self.gate
        if not wait_until(gate.exists):
            raise TransientError("the test never opened the gate")

    def _published(self, mention: Mention, n: int, line: str) -> Mention:
        _pid, _, text = line.partition("\t")
        return Mention(
            platform=mention.platform,
            account=mention.account,
            external_id=f"pub-{n}",
            author=Author(id="brand", handle="brand"),
            text=text,
            created_at=mention.created_at,
            parent_external_id=mention.external_id,
            root_external_id=mention.root_external_id,
        )


def sender(data_dir: str, reply_id: str, files: dict[str, str], block: Block) -> None:
    """Process A: send the reply, blocking inside ``post_reply`` as ``block`` says."""
    channel = FileChannel(
        "bank-vk",
        Path(files["publications"]),
        entered=Path(files["entered"]),
        gate=Path(files["gate"]),
        block=block,
    )
    with Store.open(Path(data_dir)) as store:
        workspace = Workspace(store, actor="alice", sources={})
        reply = asyncio.run(workspace.outbox.send(reply_id, channel))
    Path(files["a_result"]).write_bytes(orjson.dumps({"state": reply.state.value}))


def bystander(data_dir: str, reply_id: str, files: dict[str, str]) -> None:
    """Process B: list what to resume, then try to send the same reply; report both."""
    channel = FileChannel("bank-vk", Path(files["publications"]))
    with Store.open(Path(data_dir)) as store:
        workspace = Workspace(store, actor="bob", sources={})
        resumable = [r.id for r in workspace.outbox.resumable()]
        reply = asyncio.run(workspace.outbox.send(reply_id, channel))
    result = {
        "resumable": resumable,
        "state": reply.state.value,
        "claimed_by": reply.claimed_by,
        "error": reply.error,
    }
    Path(files["b_result"]).write_bytes(orjson.dumps(result))
