"""The issue's incident test: 300 complaints on five fake networks, one reply each, paced,
through a kill -9 halfway and a restart.

The networks are real local HTTP servers (:mod:`tests.fakes`), 60 complaints on each.
``smm-tui incident reply`` runs as a child process at a fast pace from the test's
config; each network answers one reply with its own rate-limit signal, and the test
notes when every reply POST arrives. Halfway (on the servers' POST count), with one
VK reply published but its answer held back, the child is killed with SIGKILL by its
pid, and a second ``smm-tui incident reply ID`` finishes the rest.

The held request is VK's: VK's thread can be read, so the restart finds that reply
there and does not post it again. Telegram's Bot API cannot show a thread, so a
Telegram send cut off mid-POST would rightly wait for a person; Telegram is paced
fastest here and the kill waits until all of Telegram's replies are settled (the
child's progress lines say so), so none is in flight when it lands.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from smm_tui.core.models import Mention, Reply, ReplyState
from smm_tui.core.repository import Collection
from smm_tui.store.store import Store
from tests.incident_kit import ReplyGate, gap_of, gaps, lines_of
from tests.posting_kit import NETWORKS, Desk, fake_networks, wait_until

PER_NETWORK = 60
#: Replies a minute to one account: fast, so the test takes seconds; Telegram fastest.
PACE = {"vk": 1200, "x": 1200, "mastodon": 1200, "bluesky": 1200, "telegram": 6000}
#: How much sooner than the pace two POSTs may arrive (clock reading, not the pacing).
TOLERANCE = 0.005
#: VK's reply POST whose answer is held until the kill.
HELD = 25
REPLY = "{first_name}, the app is down for everyone; we are fixing it and will write here."


def config() -> str:
    pace = ", ".join(f"{network} = {count}" for network, count in PACE.items())
    return f"\n[incidents]\nper_minute = {{ {pace} }}\n"


def complaint(n: int) -> str:
    return f"The app is down again, login fails and I cannot pay my bills. Order {n}"


@pytest.mark.slow
def test_an_incident_reply_reaches_300_mentions_once_through_a_kill(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_networks(NETWORKS) as fakes:
        desk = Desk(tmp_path, fakes, extra=config())
        try:
            run_incident(desk, capsys)
        finally:
            desk.close()


def run_incident(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    gates: dict[str, ReplyGate] = {}
    expected: dict[str, set[str]] = {}
    for network in NETWORKS:
        fake = desk.fakes[f"brand-{network}"]
        expected[network] = {
            fake.add_mention(complaint(n), author=f"user{n}") for n in range(PER_NETWORK)
        }
        gates[network] = ReplyGate(network, hold_at=HELD if network == "vk" else 0)
        gates[network].install(fake)
    code, out, err = desk.run(capsys, "poll", "--once")
    assert code == 0, out + err
    code, out, err = desk.run(capsys, "incident", "open", "--query", "login")
    assert code == 0, out + err
    incident_id = out.split(":")[0]
    assert out.startswith(f"{incident_id}: 300 mentions"), out

    child = desk.spawn("incident", "reply", incident_id, "--text", REPLY, "--yes")
    progress: list[str] = []
    threading.Thread(target=lines_of(child.stderr, progress), daemon=True).start()

    def posts() -> int:
        return sum(len(gate.arrivals) for gate in gates.values())

    def telegram_settled() -> bool:
        return sum(" brand-telegram " in line for line in progress) >= PER_NETWORK + 1

    wait_until(lambda: gates["vk"].held.is_set() or child.poll() is not None, "VK's POST held")
    assert child.poll() is None, "".join(progress)
    wait_until(lambda: posts() >= 150 and telegram_settled(), "half the replies out")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    gates["vk"].release.set()
    held = stored_reply(desk, incident_id, desk.fakes["brand-vk"].published[-1].in_reply_to)
    assert held.state is ReplyState.SENDING, "the kill landed mid-POST"

    code, out, err = desk.run_process("incident", "reply", incident_id)
    assert code == 0, out + err

    for network, fake in ((n, desk.fakes[f"brand-{n}"]) for n in NETWORKS):
        answered = [p.in_reply_to for p in fake.published]
        assert sorted(answered) == sorted(expected[network]), f"{network}: one reply each"
        gap = gap_of(PACE[network]).total_seconds()
        assert min(gaps(gates[network].arrivals)) >= gap - TOLERANCE, f"{network} hammered"
        limited = gates[network].limited
        assert limited is not None, f"{network} never rate-limited"
        assert min(gates[network].after_limit()) >= limited[1] - TOLERANCE, f"{network} too soon"
    replies = incident_replies(desk, incident_id)
    assert len(replies) == 300 and {r.state for r in replies} == {ReplyState.SENT}


def stored_reply(desk: Desk, incident_id: str, external_id: str) -> Reply:
    with Store.open(desk.data_dir) as store:
        mentions = [Mention.from_record(r) for r in store.records(Collection.MENTIONS)]
        mention = next(m for m in mentions if m.external_id == external_id)
        record = store.get(Collection.REPLIES, f"{incident_id}.r.{mention.id}")
    assert record is not None
    return Reply.from_record(record)


def incident_replies(desk: Desk, incident_id: str) -> list[Reply]:
    with Store.open(desk.data_dir) as store:
        records = list(store.records(Collection.REPLIES))
    return [Reply.from_record(r) for r in records if r.get("incident_id") == incident_id]
