"""The issue's "Done when", run as real ``smm-tui`` processes against the five fake networks.

Each test has its own five servers and data dir. The fakes' clocks are real:
a post scheduled a few seconds ahead is waited for by watching the clock.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from smm_tui.commands.setup import close_sources
from smm_tui.config import load_config
from smm_tui.core.models import utcnow
from smm_tui.core.posts import DeliveryState
from smm_tui.core.publisher import UNVERIFIABLE
from smm_tui.core.workspace import Workspace
from smm_tui.runtime import open_workspace
from tests.fakes.base import Fault
from tests.posting_kit import Desk, fake_networks, jsonl, wait_until

TEXT = "Spring offer: 3% cashback until May https://bank.example/spring"
SCHEDULED = re.compile(r"^scheduled ([0-9a-f]{16}) at (\S+)\n$")
#: How far ahead a post is scheduled: well past the poll that must not send it.
AHEAD = "+6s"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with fake_networks() as fakes:
        made = Desk(tmp_path, fakes)
        try:
            yield made
        finally:
            made.close()


def posts_on_the_networks(desk: Desk) -> dict[str, int]:
    return {name: len(fake.posts) for name, fake in desk.fakes.items()}


def once_each(desk: Desk) -> dict[str, int]:
    return dict.fromkeys(desk.accounts, 1)


def schedule(desk: Desk, when: str) -> datetime:
    """Schedule :data:`TEXT` on every account; when it falls due."""
    code, out, err = desk.run_process("post", *desk.accounts, "--text", TEXT, "--at", when)
    found = SCHEDULED.match(out)
    assert code == 0 and found is not None, out + err
    return datetime.fromisoformat(found.group(2))


def test_a_scheduled_post_goes_out_once_at_its_time_on_every_network(desk: Desk) -> None:
    due = schedule(desk, AHEAD)

    code, out, err = desk.run_process("poll", "--once")
    assert utcnow() < due, "the machine was too slow to poll before the post's time"
    assert code == 0, out + err
    assert "published" not in out
    assert posts_on_the_networks(desk) == dict.fromkeys(desk.accounts, 0), "nothing before its time"

    wait_until(lambda: utcnow() >= due, "the post is due")
    code, out, err = desk.run_process("poll", "--once")
    assert code == 0, out + err
    urls = dict(
        line.removeprefix("ok   ").split(": published ")
        for line in out.splitlines()
        if ": published " in line
    )
    assert sorted(urls) == sorted(desk.accounts)
    assert posts_on_the_networks(desk) == once_each(desk)
    assert desk.run_process("poll", "--once")[0] == 0
    assert posts_on_the_networks(desk) == once_each(desk), "the next poll sends nothing again"

    code, out, _ = desk.run_process("posts", "--format", "jsonl")
    records = jsonl(out)
    assert code == 0 and sorted(str(r["account"]) for r in records) == sorted(desk.accounts)
    for record in records:
        fake = desk.fakes[str(record["account"])]
        assert record["status"] == "published"
        assert record["url"] == urls[str(record["account"])]
        assert record["external_id"] == fake.posts[0].external_id
        assert fake.posts[0].text == TEXT
        published_at = datetime.fromisoformat(str(record["published_at"]))
        assert published_at >= due - timedelta(seconds=1), "never before its time"


def test_poll_publishes_while_it_runs(desk: Desk) -> None:
    poller = desk.spawn("poll")
    lines: list[str] = []
    stdout = poller.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(stdout.readline, "")))
    reader.start()
    try:
        schedule(desk, "+1s")
        wait_until(
            lambda: sum(": published https://" in line for line in lines) >= len(desk.accounts),
            "poll says each is published",
        )
    finally:
        poller.terminate()
        poller.wait(timeout=20)
        reader.join()
    assert poller.returncode == 0, lines
    published = [line.split()[1].rstrip(":") for line in lines if ": published https://" in line]
    assert sorted(published) == sorted(desk.accounts)
    assert posts_on_the_networks(desk) == once_each(desk)


def test_publishing_now_prints_one_url_per_account(desk: Desk) -> None:
    code, out, err = desk.run_process("post", *desk.accounts, "--text", TEXT)

    assert code == 0, out + err
    lines = out.splitlines()
    assert [line.split(": ")[0] for line in lines] == [f"ok   {a}" for a in desk.accounts]
    assert all(line.split(": ", 1)[1].startswith("https://") for line in lines)
    assert posts_on_the_networks(desk) == once_each(desk)


def settled_by_the_next_poll(desk: Desk) -> None:
    """A ``poll --once`` after a lost answer: one publication each, Telegram waits for a person."""
    code, out, err = desk.run_process("poll", "--once")
    assert code == 1, "Telegram's delivery waits for a person: " + out + err
    assert posts_on_the_networks(desk) == once_each(desk)
    assert desk.run_process("poll", "--once")[0] == 0, "and it is said once"
    assert posts_on_the_networks(desk) == once_each(desk)

    records = {str(r["account"]): r for r in jsonl(desk.run_process("posts")[1])}
    telegram = records.pop("brand-telegram")
    assert (telegram["status"], telegram["url"]) == ("failed", None)
    assert UNVERIFIABLE in str(telegram["error"])
    for account, record in records.items():
        assert record["status"] == "published", record
        assert record["external_id"] == desk.fakes[account].posts[0].external_id


def test_a_lost_answer_is_not_called_a_success_and_the_next_poll_settles_it(desk: Desk) -> None:
    for fake in desk.fakes.values():
        fake.fail("post", Fault.COMMIT_THEN_STALL)
    sender = desk.spawn("post", *desk.accounts, "--text", TEXT)
    wait_until(
        lambda: posts_on_the_networks(desk) == once_each(desk), "every network took the post"
    )
    for fake in desk.fakes.values():
        fake.server.released.set()  # the stalled answers end, as 503s, after the commit
    out, err = sender.communicate(timeout=20)

    assert sender.returncode == 1, out + err
    lines = out.splitlines()
    assert sorted(line.split(": ")[0].split()[1] for line in lines) == sorted(desk.accounts)
    for line in lines:
        if line.startswith("ok   "):
            # Only where a repeat cannot publish twice (Mastodon's key, Bluesky's rkey).
            account, url = line.removeprefix("ok   ").split(": ")
            assert desk.deliveries_of(account)[0].url == url
        else:
            assert line.startswith("FAIL ") and "https://" not in line
    assert any(line.startswith("FAIL brand-telegram: ") for line in lines)
    settled_by_the_next_poll(desk)


def test_a_sender_killed_mid_post_is_recovered_by_the_next_poll(desk: Desk) -> None:
    for fake in desk.fakes.values():
        fake.fail("post", Fault.COMMIT_THEN_STALL)
    sender = desk.spawn("post", *desk.accounts, "--text", TEXT)
    wait_until(
        lambda: posts_on_the_networks(desk) == once_each(desk), "every network took the post"
    )
    sender.kill()
    sender.communicate(timeout=20)
    assert {d.state for d in desk.deliveries()} == {DeliveryState.PUBLISHING}

    settled_by_the_next_poll(desk)


def test_two_polls_at_once_publish_once(desk: Desk) -> None:
    due = schedule(desk, "+1s")
    wait_until(lambda: utcnow() >= due, "the post is due")

    polls = [desk.spawn("poll", "--once"), desk.spawn("poll", "--once")]
    outs = [poll.communicate(timeout=20)[0] for poll in polls]

    assert [poll.returncode for poll in polls] == [0, 0], outs
    assert sum(out.count(": published ") for out in outs) == len(desk.accounts)
    assert posts_on_the_networks(desk) == once_each(desk)


def test_a_rate_limit_at_publish_time_waits_and_is_not_lost(desk: Desk) -> None:
    bluesky = desk.fakes["brand-bluesky"]
    # Bluesky's reset is a minute after the fake's clock: put it six seconds ahead of ours.
    bluesky.clock = lambda: utcnow() - timedelta(seconds=54)
    bluesky.fail("post", Fault.RATE_LIMIT)

    code, out, err = desk.run_process("post", "brand-bluesky", "--text", TEXT)
    assert code == 1, out + err
    assert out.startswith("wait brand-bluesky: post ") and "rate limited" in out
    (delivery,) = desk.deliveries()
    assert delivery.state is DeliveryState.SCHEDULED and delivery.not_before is not None
    assert bluesky.posts == []

    code, out, _ = desk.run_process("poll", "--once")
    assert utcnow() < delivery.not_before, "the machine was too slow to poll before the reset"
    assert code == 0 and bluesky.posts == [], "nothing is sent before the reset"

    reset = delivery.not_before
    wait_until(lambda: utcnow() >= reset, "the rate limit is over")
    code, out, _ = desk.run_process("poll", "--once")
    assert code == 0 and "ok   brand-bluesky: published https://bsky.app/" in out
    assert len(bluesky.posts) == 1


def test_growth_prints_a_series_for_every_account(desk: Desk) -> None:
    code, out, err = desk.run_process("poll", "--once")
    assert code == 0, out + err
    for account in desk.accounts:
        assert f"ok   {account}: 1000 followers" in out.splitlines(), "the first poll reads all"
    for number, fake in enumerate(desk.fakes.values()):
        fake.followers = 1000 + 10 * (number + 1)
    read_again_an_hour_later(desk)

    code, out, _ = desk.run_process("growth", "--format", "jsonl")
    assert code == 0
    series: dict[str, list[object]] = {}
    for record in jsonl(out):
        series.setdefault(str(record["account"]), []).append(record["followers"])
    assert series == {
        account: [1000, 1000 + 10 * (number + 1)] for number, account in enumerate(desk.accounts)
    }


def read_again_an_hour_later(desk: Desk) -> None:
    """The publishing loop's reading of the numbers, on a clock an hour ahead (the next due)."""
    config = load_config(desk.config, desk.env, required=True)
    later = utcnow() + timedelta(hours=1, minutes=1)

    async def read(workspace: Workspace) -> None:
        try:
            report = await workspace.publishing_engine().read_numbers()
            assert sorted(report.followers) == sorted(desk.accounts), report.errors
        finally:
            await close_sources(workspace.sources.values())

    with open_workspace(desk.data_dir, config, env=desk.env, clock=lambda: later) as opened:
        asyncio.run(read(opened[0]))
