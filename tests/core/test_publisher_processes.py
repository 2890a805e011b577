"""Publishing across processes: owners, recovery, two stores, and two real processes.

First a delivery left mid-POST by another owner, and two workspaces (each with
its own store on one data dir, as two processes have) racing on one delivery.
Then real processes: each child opens its own store on the shared data dir and
publishes what is due through an account whose network is a file, where every
publication appends a line, so the test counts them. Children start at a
``go`` file.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import orjson
import pytest

from smm_tui.core.models import utcnow
from smm_tui.core.network import Unverifiable
from smm_tui.core.planning import PostDraft
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Delivery, DeliveryState
from smm_tui.core.sending import SEND_LEASE
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.conftest import FakeClock
from tests.core import publishing_kit
from tests.core.outbox_child import wait_until
from tests.core.processes_kit import JOIN_SECONDS, finish, start
from tests.core.processes_kit import processes as processes  # the fixture, for pytest
from tests.core.publishing_kit import (
    HERE,
    THERE,
    FilePostSource,
    PostSource,
    leave_publishing,
    publishing_workspace,
    scheduled,
    send,
)
from tests.core.services_kit import run


@pytest.fixture
def vk(clock: FakeClock) -> PostSource:
    return PostSource("bank-vk", Platform.VK, clock=clock)


# -- recovering ------------------------------------------------------------------------------------


def test_a_delivery_left_by_a_dead_process_is_found_on_the_account(
    store: Store, clock: FakeClock, vk: PostSource
) -> None:
    ws = publishing_workspace(store, clock, {"bank-vk": vk}, alive={HERE}.__contains__)
    delivery = scheduled(ws, in_seconds=0)
    leave_publishing(ws, delivery, THERE)
    run(vk.publish_post(delivery.text, delivery.id))  # THERE's POST landed before it died
    assert [d.id for d in ws.publisher.due(clock())] == [delivery.id]

    recovered = send(ws, delivery, vk)
    assert recovered.state is DeliveryState.PUBLISHED and recovered.external_id == "p1"
    assert recovered.claimed_by == HERE
    assert vk.publish_calls == 1 and vk.find_calls == 1


def test_a_delivery_left_by_a_dead_process_and_not_found_fails_for_a_person(
    store: Store, clock: FakeClock, vk: PostSource
) -> None:
    ws = publishing_workspace(store, clock, {"bank-vk": vk}, alive={HERE}.__contains__)
    delivery = scheduled(ws, in_seconds=0)
    leave_publishing(ws, delivery, THERE)
    failed = run(ws.publisher.recover(delivery.id, vk))
    assert failed.state is DeliveryState.FAILED and "interrupted" in (failed.error or "")
    assert vk.posts == []
    assert send(ws, delivery, vk).state is DeliveryState.PUBLISHED
    assert len(vk.posts) == 1


def test_an_interrupted_post_on_an_unverifiable_network_needs_a_person(
    store: Store, clock: FakeClock
) -> None:
    telegram = PostSource("bank-telegram", Platform.TELEGRAM, clock=clock)
    telegram.find_error = Unverifiable("cannot read the channel")
    ws = publishing_workspace(store, clock, {"bank-telegram": telegram})
    delivery = scheduled(ws, in_seconds=0)
    leave_publishing(ws, delivery, THERE)
    failed = send(ws, delivery, telegram)
    assert failed.state is DeliveryState.FAILED and ws.publisher.needs_force(failed)
    assert (failed.error or "").startswith("interrupted; ")
    assert telegram.publish_calls == 0


def test_a_delivery_a_live_process_is_publishing_is_left_alone(
    store: Store, clock: FakeClock, vk: PostSource
) -> None:
    ws = publishing_workspace(store, clock, {"bank-vk": vk}, alive={HERE, THERE}.__contains__)
    delivery = scheduled(ws, in_seconds=0)
    leave_publishing(ws, delivery, THERE)
    assert ws.publisher.due(clock()) == []
    left = send(ws, delivery, vk)
    assert left.state is DeliveryState.PUBLISHING and left.claimed_by == THERE
    assert run(ws.publisher.recover(delivery.id, vk)).claimed_by == THERE
    assert vk.publish_calls == 0 and vk.find_calls == 0

    clock.advance(SEND_LEASE.total_seconds())  # a live claim still expires with its lease
    assert [d.id for d in ws.publisher.due(clock())] == [delivery.id]


# -- two publishers on one store -------------------------------------------------------------------


def test_two_publishers_racing_on_one_delivery_publish_once(
    store: Store, clock: FakeClock, vk: PostSource
) -> None:
    alive = {HERE, THERE}.__contains__
    ours = publishing_workspace(store, clock, {"bank-vk": vk}, alive=alive)
    delivery = scheduled(ours, in_seconds=0)
    with Store.open(store.data_dir) as other_store:
        theirs = publishing_workspace(other_store, clock, {"bank-vk": vk}, owner=THERE, alive=alive)
        assert [d.id for d in theirs.publisher.due(clock())] == [delivery.id]
        results: list[Delivery] = []

        async def they_send() -> None:
            results.append(await theirs.publisher.send(delivery.id, vk))

        # They start while our POST is in flight, with the delivery still due in their view.
        vk.during_post = they_send
        mine = send(ours, delivery, vk)
    assert mine.state is DeliveryState.PUBLISHED
    assert results[0].state is DeliveryState.PUBLISHING and results[0].claimed_by == HERE
    assert len(vk.posts) == 1 and vk.publish_calls == 1


def test_two_publishers_one_after_the_other_publish_once(
    store: Store, clock: FakeClock, vk: PostSource
) -> None:
    ours = publishing_workspace(store, clock, {"bank-vk": vk})
    delivery = scheduled(ours, in_seconds=0)
    with Store.open(store.data_dir) as other_store:
        theirs = publishing_workspace(other_store, clock, {"bank-vk": vk}, owner=THERE)
        assert [d.id for d in theirs.publisher.due(clock())] == [delivery.id]  # a stale view
        assert send(ours, delivery, vk).state is DeliveryState.PUBLISHED
        assert send(theirs, delivery, vk).state is DeliveryState.PUBLISHED
    assert len(vk.posts) == 1


def test_a_post_moved_later_by_another_process_is_not_sent_from_a_stale_view(
    store: Store, clock: FakeClock, vk: PostSource
) -> None:
    ours = publishing_workspace(store, clock, {"bank-vk": vk})
    delivery = scheduled(ours, in_seconds=0)
    assert ours.publisher.due(clock()) != []
    with Store.open(store.data_dir) as other_store:
        theirs = publishing_workspace(other_store, clock, {"bank-vk": vk}, owner=THERE)
        run(theirs.planning.schedule(delivery.post_id, clock() + timedelta(hours=1)))
    # Our view still shows it due, but it may not go out before its new time.
    assert send(ours, delivery, vk).state is DeliveryState.SCHEDULED
    assert vk.posts == []


def test_a_post_edited_by_another_process_is_not_sent_with_its_old_text(
    store: Store, clock: FakeClock, vk: PostSource
) -> None:
    ours = publishing_workspace(store, clock, {"bank-vk": vk})
    delivery = scheduled(ours, in_seconds=0, text="Old text")
    with Store.open(store.data_dir) as other_store:
        theirs = publishing_workspace(other_store, clock, {"bank-vk": vk}, owner=THERE)
        run(theirs.planning.edit(delivery.post_id, PostDraft("New text", ("bank-vk",))))
    send(ours, delivery, vk)
    assert vk.posts == []
    assert send(ours, delivery, vk).state is DeliveryState.PUBLISHED
    assert [p.text for p in vk.posts] == ["New text"]


# -- real processes -------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    names = ["publications", "entered", "gate", "go"]
    names += [f"{who}_{what}" for who in ("a", "b") for what in ("ready", "result")]
    return {name: str(tmp_path / name) for name in names}


def due_posts(tmp_path: Path, files: dict[str, str], count: int) -> tuple[Path, list[str]]:
    """A data dir holding ``count`` posts due now on bank-vk; their delivery ids."""
    data_dir = tmp_path / "data"
    source = FilePostSource(Path(files["publications"]))
    with Store.open(data_dir) as store:
        workspace = Workspace(store, actor="alice", sources={"bank-vk": source})
        at = utcnow()
        for n in range(count):
            run(workspace.planning.create(PostDraft(f"Post {n}", ("bank-vk",)), at))
        ids = [d.id for d in workspace.planning.deliveries()]
    return data_dir, ids


def start_child(
    processes: list[BaseProcess], data_dir: Path, files: dict[str, str], name: str, hold: bool
) -> BaseProcess:
    child = start(processes, publishing_kit.publish_due_in_child, str(data_dir), files, name, hold)
    ready = Path(files[f"{name}_ready"])
    assert wait_until(lambda: ready.exists() or not child.is_alive()), f"{name} never got ready"
    assert ready.exists(), f"{name} exited early with {child.exitcode}"
    return child


def publications(files: dict[str, str]) -> list[list[str]]:
    path = Path(files["publications"])
    return [line.split("\t") for line in path.read_text().splitlines()] if path.exists() else []


def result(files: dict[str, str], name: str) -> list[list[Any]]:
    data: list[list[Any]] = orjson.loads(Path(files[f"{name}_result"]).read_bytes())
    return data


def stored_states(data_dir: Path) -> dict[str, DeliveryState]:
    with Store.open(data_dir) as store:
        workspace = Workspace(store, actor="check", sources={})
        return {d.id: d.state for d in workspace.planning.deliveries()}


@pytest.mark.slow
def test_two_processes_racing_on_due_posts_publish_each_once(
    tmp_path: Path, files: dict[str, str], processes: list[BaseProcess]
) -> None:
    data_dir, ids = due_posts(tmp_path, files, 6)
    a = start_child(processes, data_dir, files, "a", hold=False)
    b = start_child(processes, data_dir, files, "b", hold=False)
    Path(files["go"]).touch()
    finish(a)
    finish(b)

    keys = [key for _pid, key, _text in publications(files)]
    assert sorted(keys) == sorted(ids)  # every post once, whoever sent it
    # A loser's send reports the delivery as the winner left it: published, or still publishing.
    settled = result(files, "a") + result(files, "b")
    assert {row[0] for row in settled} == set(ids)
    assert stored_states(data_dir) == dict.fromkeys(ids, DeliveryState.PUBLISHED)


@pytest.mark.slow
def test_a_post_whose_sender_died_after_posting_is_not_published_again(
    tmp_path: Path, files: dict[str, str], processes: list[BaseProcess]
) -> None:
    data_dir, [delivery_id] = due_posts(tmp_path, files, 1)
    a = start_child(processes, data_dir, files, "a", hold=True)
    Path(files["go"]).touch()
    entered = Path(files["entered"])
    assert wait_until(lambda: entered.exists() or not a.is_alive()), "A never posted"
    assert entered.exists(), f"A exited early with {a.exitcode}"
    a.kill()  # its POST landed; the answer never came back
    a.join(JOIN_SECONDS)

    b = start_child(processes, data_dir, files, "b", hold=False)
    finish(b)
    assert result(files, "b") == [
        [delivery_id, DeliveryState.PUBLISHED.value, f"{socket.gethostname()}:{b.pid}"]
    ]
    assert [key for _pid, key, _text in publications(files)] == [delivery_id]
    assert stored_states(data_dir) == {delivery_id: DeliveryState.PUBLISHED}
