"""The writer: batching, acknowledging only what is durable, and outliving its callers."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from smm_tui.core.repository import Changed, ChangeSet, Collection
from smm_tui.store import layout
from smm_tui.store.storage import StoreError
from smm_tui.store.store import Store
from smm_tui.store.writer import Writer
from tests.store.test_store_basics import archive_of, file_ids, mention

# -- batching and durability -----------------------------------------------------------------------


def test_a_burst_of_submits_is_written_in_few_commits(store: Store) -> None:
    records = [mention(n, days=n % 90) for n in range(1000)]
    futures = [store.submit(ChangeSet().insert_new(Collection.MENTIONS, r)) for r in records]
    results = [f.result(timeout=60) for f in futures]
    assert all(len(r.applied) == 1 for r in results)
    assert store.count(Collection.MENTIONS) == 1000
    # The writer drains whatever is queued into one commit.
    assert 1 <= store.commits <= 50, store.commits
    # Each caller's result names only its own operation.
    assert [r.applied[0].id for r in results] == [r["id"] for r in records]


def test_a_future_resolves_only_after_the_data_is_on_disk(store: Store, data_dir: Path) -> None:
    open_file = data_dir / layout.OPEN_MENTIONS
    on_disk_at_callback: list[bool] = []
    on_disk_at_notify: list[bool] = []
    notified = threading.Event()
    records = [mention(n) for n in range(20)]

    def subscriber(changed: Changed) -> None:
        on_disk_at_notify.append(changed.of(Collection.MENTIONS) <= file_ids(open_file))
        notified.set()

    store.subscribe(subscriber)
    futures = []
    for record in records:
        future = store.submit(ChangeSet().insert_new(Collection.MENTIONS, record))
        rid = record["id"]

        def note(_future: object, rid: str = rid) -> None:
            on_disk_at_callback.append(rid in file_ids(open_file))

        future.add_done_callback(note)
        futures.append(future)
    for future in futures:
        future.result(timeout=30)
        # Once result() returns, the file on disk already holds the record.
        assert {op.id for op in future.result().applied} <= file_ids(open_file)
    assert notified.wait(timeout=30)
    assert on_disk_at_callback == [True] * len(records)
    assert on_disk_at_notify
    assert all(on_disk_at_notify)

    # A move is on disk in both files when its future resolves.
    rid = records[0]["id"]
    future = store.submit(ChangeSet().patch(Collection.MENTIONS, rid, {"status": "done"}))
    future.result(timeout=30)
    assert rid not in file_ids(open_file)
    assert rid in file_ids(data_dir / archive_of(records[0]))


def test_a_closed_store_refuses_writes(data_dir: Path) -> None:
    store = Store.open(data_dir)
    store.close()
    future = store.submit(ChangeSet().insert_new(Collection.MENTIONS, mention(1)))
    with pytest.raises(StoreError, match="closed"):
        future.result(timeout=5)


# -- the writer survives its callers ---------------------------------------------------------------


def _hold_the_writer(store: Store) -> threading.Event:
    """Park the writer inside a subscriber call until the returned event is set."""
    release = threading.Event()
    parked = threading.Event()

    def subscriber(_changed: Changed) -> None:
        if not release.is_set():
            parked.set()
            release.wait(timeout=30)

    store.subscribe(subscriber)
    store.submit(ChangeSet().put(Collection.CURSORS, {"id": "hold", "cursor": "x"}))
    assert parked.wait(timeout=30)
    return release


def test_a_cancelled_future_still_commits_and_the_writer_lives_on(
    store: Store, data_dir: Path
) -> None:
    release = _hold_the_writer(store)
    abandoned = store.submit(ChangeSet().insert_new(Collection.MENTIONS, mention(1)))
    assert abandoned.cancel()  # what asyncio.wrap_future does when the awaiting task is cancelled
    later = store.submit(ChangeSet().insert_new(Collection.MENTIONS, mention(2)))
    release.set()

    assert later.result(timeout=30).of(Collection.MENTIONS) == {mention(2)["id"]}
    assert abandoned.cancelled()
    assert file_ids(data_dir / layout.OPEN_MENTIONS) == {mention(1)["id"], mention(2)["id"]}
    after = store.submit(ChangeSet().insert_new(Collection.MENTIONS, mention(3)))
    assert after.result(timeout=30).applied
    store.close()  # the writer is alive, so closing is clean

    with Store.open(data_dir) as reopened:
        assert reopened.count(Collection.MENTIONS) == 3


def test_a_cancelled_asyncio_waiter_does_not_lose_the_write(store: Store, data_dir: Path) -> None:
    release = _hold_the_writer(store)

    async def cancel_a_waiter() -> None:
        future = store.submit(ChangeSet().insert_new(Collection.MENTIONS, mention(4)))
        waiter = asyncio.ensure_future(asyncio.wrap_future(future))
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter

    asyncio.run(cancel_a_waiter())
    release.set()
    store.submit(ChangeSet().insert_new(Collection.MENTIONS, mention(5))).result(timeout=30)
    assert file_ids(data_dir / layout.OPEN_MENTIONS) == {mention(4)["id"], mention(5)["id"]}


def test_a_raising_subscriber_is_logged_and_does_not_stop_commits(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[Changed] = []

    def broken(changed: Changed) -> None:
        calls.append(changed)
        raise RuntimeError("subscriber bug")

    store.subscribe(broken)
    with caplog.at_level("ERROR", logger="smm_tui.store.writer"):
        for n in range(3):
            future = store.submit(ChangeSet().insert_new(Collection.MENTIONS, mention(n)))
            assert future.result(timeout=30).applied
        # The writer is sequential: once this resolves, the last commit's subscribers ran.
        store.refresh().result(timeout=30)
    assert len(calls) == 3
    assert store.count(Collection.MENTIONS) == 3
    logged = [r for r in caplog.records if r.exc_info and "subscriber bug" in str(r.exc_info[1])]
    assert len(logged) == 3


def test_close_raises_when_the_writer_died(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(_writer: Writer, _batch: object) -> None:
        raise RuntimeError("writer bug")

    monkeypatch.setattr(Writer, "serve", crash)
    doomed = store.submit(ChangeSet().insert_new(Collection.MENTIONS, mention(1)))
    with pytest.raises(StoreError, match="writer"):
        doomed.result(timeout=30)
    refused = store.submit(ChangeSet().insert_new(Collection.MENTIONS, mention(2)))
    with pytest.raises(StoreError):
        refused.result(timeout=30)
    with pytest.raises(StoreError, match="writer") as caught:
        store.close()
    assert "\n" not in str(caught.value)
    store.close()  # once reported, closing again is quiet
