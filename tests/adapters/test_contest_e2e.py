"""A VK contest from rules to an announced, beacon-drawn result, on the fakes, then verified.

Everything crosses real sockets on 127.0.0.1: the VK adapter talks to the VK fake
(comments, ``wall.createComment``, ``groups.isMember``), and the drand relays to a
local relay that first says the round is not out (404) and then serves the real
recorded quicknet round 657413. The fake's comments are dated in September 2023,
so a contest closing at 11:00:00 UTC commits to that very round: a fair draw, no
replay. The proof is then checked by ``smm-tui contest verify`` in a child process
with no data dir and no network, and four tampered copies are each refused.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import subprocess
import sys
from collections.abc import Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from smm_tui.adapters.drand import DrandRelays
from smm_tui.core.beacon import CHAIN_HASH
from smm_tui.core.contest_run import DrawWaits
from smm_tui.core.models import Platform, ReplyState
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.adapters.httpserver import Reply, TestServer, json_reply, running_server
from tests.conftest import FakeClock
from tests.fakes.author_facts import Entrant, attach
from tests.fakes.vk import FakeVK

FIXTURE = Path(__file__).parent.parent / "fixtures" / "drand" / "quicknet-657413.json"
OPENS = datetime(2023, 9, 15, 9, 0, tzinfo=UTC)
RULES = """
opens = "2023-09-15T09:00:00Z"
closes = "2023-09-15T11:00:00Z"
winners = 2
reserves = 1

[[posts]]
network = "vk"
post = "{post}"

[entry]
keyword = "#кедр"
min_tagged_friends = 1
membership = true

[exclusions]
staff = ["anna_smm"]
"""


@pytest.fixture
def relay() -> Iterator[TestServer]:
    yield from running_server()


def not_out_yet() -> Reply:
    return json_reply(
        {"error": "round not out"}, status=404, headers={"Cache-Control": "max-age=2"}
    )


def verify(path: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "-m", "smm_tui", "contest", "verify", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def comment_on(fake: FakeVK, post: str, screen_name: str, text: str) -> str:
    user = fake.add_user(screen_name.title(), "Test", screen_name)
    return fake.add_comment_by(user, text, reply_to=post)


async def run_contest(
    fake: FakeVK, relay: TestServer, workspace: Workspace, clock: FakeClock
) -> dict[str, Any]:
    entrants = attach(fake)
    post = fake.add_post("Розыгрыш! Напишите #кедр и отметьте друга")
    people = {
        "boris": "Участвую #кедр [id1|Вера]",
        "vera": "#Кедр @gleb давай",
        "gleb": "хочу, без тега @boris",
        "dina": "#кедр @egor",
        "egor": "#кедр @dina",
        "anna_smm": "#кедр @boris",
        "zhenya": "#кедр",
    }
    for name, text in people.items():
        comment_on(fake, post, name, text)
    adapter = workspace.sources["brand"]
    contest = await workspace.contests.create("Кедр", Platform.VK, "brand", post, winners=2)
    contest = await workspace.audited.set_rules(contest.id, RULES.format(post=post))
    assert await workspace.contests.collect_from_network(contest.id) >= len(people)
    for comment in workspace.audited.comments(contest):
        member = comment.author.handle != "dina"
        entrants.add(comment.author.id, Entrant(member=member))

    # The committed round is the first after the close: the recorded one (657413).
    reply = await workspace.audited.commit(contest.id, freeze_within=timedelta(0))
    assert (await workspace.outbox.send(reply.id, adapter)).state is ReplyState.SENT
    [posted] = [r.form() for r in fake.requests("reply")]
    assert posted["post_id"] == [post] and "reply_to_comment" not in posted
    assert posted["message"] == [reply.text], "on the contest post itself, as a comment"

    clock.now = datetime(2023, 9, 15, 11, 0, 1, tzinfo=UTC)
    asked = await workspace.audited.ask_facts(contest.id, workspace.sources)
    assert asked.left == 0 and entrants.calls("/method/groups.isMember")
    reasons = {v.comment.author.handle: v.reason for v in workspace.audited.verdicts(contest.id)}
    assert reasons["gleb"] == "no #кедр"
    assert reasons["anna_smm"] == "staff"
    assert reasons["zhenya"] == "tags 0 friends, 1 needed"
    assert reasons["dina"] == "not a member of the community at 11:00"
    contest = await workspace.audited.freeze(contest.id)
    assert sorted(e.handle for e in contest.frozen) == ["boris", "egor", "vera"]
    frozen = workspace.audited.freeze_reply(contest)
    assert frozen is not None
    assert (await workspace.outbox.send(frozen.id, adapter)).state is ReplyState.SENT
    assert fake.requests("reply")[-1].form()["message"] == [frozen.text], "public before the round"

    path = f"/{CHAIN_HASH}/public/657413"
    relay.route("GET", path, not_out_yet())
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0)) as client:
        relays = DrandRelays(client, [relay.url], deadline=2.0, clock=clock)
        with pytest.raises(DrawWaits, match="not out yet"):
            await workspace.audited.draw(contest.id, relays)
        relay.route("GET", path, json_reply(json.loads(FIXTURE.read_text())))
        contest = await workspace.audited.draw(contest.id, relays)
    assert contest.beacon_draw is not None

    winners = workspace.audited.winner_handles(contest)
    text = "Победители: " + ", ".join(winners)
    announced = await workspace.audited.announce(contest.id, text)
    assert (await workspace.outbox.send(announced.id, adapter)).state is ReplyState.SENT
    assert fake.requests("reply")[-1].form()["message"] == [text]
    return workspace.audited.proof(contest.id)


async def closing(fake: FakeVK, job: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    try:
        return await job
    finally:
        await fake.aclose()


def tampered(proof: dict[str, Any]) -> dict[str, dict[str, Any]]:
    copies = {name: copy.deepcopy(proof) for name in ("entry", "rule", "beacon", "winner")}
    copies["entry"]["entries"][0]["handle"] = "mallory"
    copies["rule"]["rules"]["winners"] = 3
    signature = copies["beacon"]["beacon"]["signature"]
    copies["beacon"]["beacon"]["signature"] = signature[:-1] + (
        "0" if signature[-1] != "0" else "1"
    )
    first, second = copies["winner"]["winners"][0], copies["winner"]["reserves"][0]
    copies["winner"]["winners"][0] = {**second, "place": first["place"]}
    return copies


def test_a_vk_contest_runs_from_rules_to_an_announced_result_anyone_can_verify(
    http_server: TestServer, relay: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "tests.fakes.vk.DATE_BASE", int((OPENS + timedelta(minutes=10)).timestamp())
    )
    fake = FakeVK(http_server)
    clock = FakeClock(OPENS + timedelta(minutes=30))
    adapter = fake.adapter(clock=clock)
    with Store.open(tmp_path / "data") as store:
        workspace = Workspace(store, actor="alice", sources={"brand": adapter}, clock=clock)
        proof = asyncio.run(closing(fake, run_contest(fake, relay, workspace, clock)))
    home = tmp_path / "home"
    home.mkdir()
    good = tmp_path / "proof.json"
    good.write_text(json.dumps(proof, ensure_ascii=False, indent=2), encoding="utf-8")
    checked = verify(good, home)
    assert (checked.returncode, checked.stdout.splitlines()[0]) == (0, "valid"), checked.stderr
    for name, bad in tampered(proof).items():
        path = tmp_path / f"proof-{name}.json"
        path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
        refused = verify(path, home)
        assert refused.returncode == 1, (name, refused.stdout, refused.stderr)
        assert refused.stdout.startswith("invalid: "), (name, refused.stdout)
