"""The Contest pane runs an audited contest: its rules file, the commitment posted on the
contest post, every comment's verdict with an override, and the beacon draw's proof.

The app is the demo's (its VK account answers under ``post-contest``), not polling: the
comments are stored by the test. The draw commits to the recorded drand round (the
replay, as the demo does), which the app's own beacon wiring serves.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static, TextArea

from smm_tui.app import SmmApp
from smm_tui.core.beacon import Beacon, BeaconNotYet, time_of
from smm_tui.core.contest_proof import commit_round
from smm_tui.core.contest_timing import FREEZE_WITHIN
from smm_tui.core.models import Author, Contest, Mention, Platform, ReplyState
from smm_tui.core.workspace import Workspace
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.contest_entries import ContestEntriesScreen
from smm_tui.screens.contest_proof_view import ContestProofScreen
from smm_tui.screens.contest_rules_editor import RulesEditorScreen
from smm_tui.screens.contests import ContestScreen
from smm_tui.screens.line import LineScreen
from smm_tui.widgets.contest_render import moment
from tests.conftest import T0, FakeClock, make_mention
from tests.ui.harness import Running, make_app, notices, running, settle, wait_for

Snap = Callable[..., bool]
POST = "post-contest"
CLOSES = T0 + timedelta(hours=2)
REPLAY_ROUND = 657413
RULES = f"""
opens = "{(T0 - timedelta(hours=1)).isoformat()}"
closes = "{CLOSES.isoformat()}"
winners = 2
reserves = 1

[[posts]]
network = "vk"
post = "{POST}"

[entry]
keyword = "#кедр"

[exclusions]
staff = ["anna_smm"]
"""


def comment(n: int, text: str, author: str) -> Mention:
    return make_mention(
        n,
        text=text,
        author=Author(id=author, handle=author, display_name=author.title()),
        created_at=T0 + timedelta(minutes=n),
        root_external_id=POST,
        parent_external_id=POST,
    )


COMMENTS = [
    comment(1, "Хочу! #кедр", "boris"),
    comment(2, "Хочу! #Кедр", "vera"),
    comment(3, "Хочу без тега", "gleb"),
    comment(4, "#кедр again", "boris"),
    comment(5, "#кедр", "anna_smm"),
    comment(6, "#кедр, please", "dina"),
    comment(7, "#кедр!", "egor"),
]


async def audited_contest(workspace: Workspace, *, rules: bool = True) -> Contest:
    """The comments stored, and a contest on their post (with its rules file)."""
    await workspace.ingest.ingest(COMMENTS)
    contest = await workspace.contests.create("Кедр", Platform.VK, "bank-vk", POST, winners=2)
    if rules:
        contest = await workspace.audited.set_rules(contest.id, RULES)
    return contest


async def committed_and_frozen(workspace: Workspace, clock: FakeClock) -> Contest:
    """An audited contest committed to the replayed round, posted, and frozen at the close."""
    contest = await audited_contest(workspace)
    reply = await workspace.audited.commit(contest.id, replay_round=REPLAY_ROUND)
    source = workspace.source_for("bank-vk")
    assert source is not None
    assert (await workspace.outbox.send(reply.id, source)).state is ReplyState.SENT
    clock.now = CLOSES + timedelta(seconds=1)
    frozen = await workspace.audited.freeze(contest.id)
    published = workspace.audited.freeze_reply(frozen)
    assert published is not None, "the frozen entries' hash goes out"
    assert (await workspace.outbox.send(published.id, source)).state is ReplyState.SENT
    return frozen


def shown(screen: Screen[Any], selector: str) -> str:
    visual = screen.query_one(selector, Static).render()
    assert isinstance(visual, Content)
    return visual.plain


async def contests_pane(run: Running) -> ContestScreen:
    await run.app.switch_mode("contests")
    await wait_for(run.pilot, lambda: isinstance(run.app.screen, ContestScreen), "contests")
    screen = run.app.screen
    assert isinstance(screen, ContestScreen)
    return screen


async def wait_until_on(pilot: Pilot[Any], screen: type[Screen[Any]]) -> Any:
    """The screen on top once it is a ``screen``."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, screen), screen.__name__)
    return pilot.app.screen


async def pressed_into(pilot: Pilot[Any], key: str, screen: type[Screen[Any]]) -> Any:
    """Press ``key`` and wait until ``screen`` is on top."""
    await pilot.press(key)
    return await wait_until_on(pilot, screen)


@asynccontextmanager
async def app_at(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Running]:
    async with running(tmp_path / "data", clock, poll=False, size=(100, 30)) as run:
        yield run


async def test_a_refused_rules_file_keeps_the_text_and_says_the_key(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with app_at(tmp_path, clock) as run:
        pilot, audited = run.pilot, run.workspace.audited
        contest = await audited_contest(run.workspace, rules=False)
        await contests_pane(run)
        editor = await pressed_into(pilot, "r", RulesEditorScreen)
        area = editor.query_one(TextArea)
        assert f'post = "{POST}"' in area.text and "winners = 2" in area.text  # the template

        bad = RULES.replace("[entry]", '[entry]\nkeywrd = "#кедр"')
        area.text = bad
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: shown(editor, "#rules-error") != "", "the error line")
        assert shown(editor, "#rules-error") == "rules: entry.keywrd: unknown key"
        assert pilot.app.screen is editor and area.text == bad
        assert audited.get(contest.id).rules_toml == ""

        area.text = RULES
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ContestScreen), "saved")
        assert audited.get(contest.id).rules_toml == RULES
        pane = pilot.app.screen
        await wait_for(pilot, lambda: "Rules ✓" in shown(pane, "#contest-info"), "the steps")
        detail = shown(pane, "#contest-info")
        assert "keyword #кедр" in detail and "2 winners + 1 reserve" in detail


async def test_the_commitment_is_confirmed_then_posted_on_the_contest_post(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with app_at(tmp_path, clock) as run:
        pilot, audited = run.pilot, run.workspace.audited
        contest = await audited_contest(run.workspace)
        pane = await contests_pane(run)
        confirm = await pressed_into(pilot, "m", ConfirmScreen)
        round_number = commit_round(CLOSES + FREEZE_WITHIN)
        assert f"drand quicknet round {round_number}" in confirm.question
        assert f"bank-vk post {POST}" in confirm.question
        await pilot.press("y")
        await wait_until_on(pilot, ContestScreen)

        def posted() -> bool:
            reply = audited.commitment_reply(audited.get(contest.id))
            return reply is not None and reply.state is ReplyState.SENT

        await wait_for(pilot, posted, "the commitment published")
        reply = audited.commitment_reply(audited.get(contest.id))
        assert reply is not None and reply.head is not None
        assert reply.head.external_id == POST and reply.external_id
        assert reply.text.startswith("Draw commitment: sha256 ")
        assert reply.text in confirm.question  # what was asked is what went out
        await wait_for(pilot, lambda: "posted ✓" in shown(pane, "#contest-info"), "posted ✓")
        assert (
            f"Committed: round {round_number} at {moment(time_of(round_number))}, posted ✓"
            in shown(pane, "#contest-info")
        )


async def test_the_entries_say_why_a_comment_is_rejected_and_an_override_changes_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    async with app_at(tmp_path, clock) as run:
        pilot, audited = run.pilot, run.workspace.audited
        contest = await audited_contest(run.workspace)
        await contests_pane(run)
        entries = await pressed_into(pilot, "e", ContestEntriesScreen)
        listed = entries.query_one(OptionList)
        gleb = next(
            v.comment.id for v in audited.verdicts(contest.id) if v.comment.author.id == "gleb"
        )

        def row() -> str:
            prompt = listed.get_option(gleb).prompt
            assert isinstance(prompt, Content)
            return prompt.plain

        assert row().startswith("✗ gleb") and "no #кедр" in row()
        listed.highlighted = listed.get_option_index(gleb)
        await pilot.press("o")
        dialog = await wait_until_on(pilot, LineScreen)
        dialog.query_one(Input).value = "wrote the tag in the photo"
        await pilot.press("enter")
        await wait_for(pilot, lambda: row().startswith("✓"), "the override shown")
        assert "override: wrote the tag in the photo" in row()
        verdict = next(v for v in audited.verdicts(contest.id) if v.comment.id == gleb)
        assert verdict.accepted and verdict.override is not None

        await pilot.press("u")
        await wait_for(pilot, lambda: row().startswith("✗"), "the override dropped")
        assert "no #кедр" in row()


async def test_the_draw_shows_the_proof_which_is_saved_and_announced(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app_at(tmp_path, clock) as run:
        pilot, audited = run.pilot, run.workspace.audited
        contest = await committed_and_frozen(run.workspace, clock)
        said = notices(run.app, monkeypatch)
        await contests_pane(run)
        confirm = await pressed_into(pilot, "w", ConfirmScreen)
        assert f"drand quicknet round {REPLAY_ROUND}" in confirm.question
        await pilot.press("y")
        proof_view = await wait_until_on(pilot, ContestProofScreen)
        text = shown(proof_view, "#proof-text")
        drawn = audited.get(contest.id)
        assert drawn.beacon_draw is not None and drawn.beacon_draw.round == REPLAY_ROUND
        for handle in audited.winner_handles(drawn):
            assert f". {handle.lstrip('@')}  vk " in text
        assert f"Beacon: drand quicknet round {REPLAY_ROUND}" in text
        assert f"Entries: {len(drawn.frozen)}, sha256 " in text
        assert "Replay:" in text

        await pilot.press("s")
        await wait_for(pilot, lambda: any(m.startswith("Proof saved: ") for m, _ in said), "saved")
        path = Path(next(m for m, _ in said if m.startswith("Proof saved: ")).split(": ", 1)[1])
        assert json.loads(path.read_text())["beacon"]["round"] == REPLAY_ROUND

        confirm = await pressed_into(pilot, "a", ConfirmScreen)
        assert audited.winner_handles(drawn)[0] in confirm.question
        await pilot.press("y")

        def announced() -> bool:
            reply_id = audited.get(contest.id).announcement_reply_id
            return reply_id is not None and run.workspace.outbox.reply(reply_id).state is (
                ReplyState.SENT
            )

        await wait_for(pilot, announced, "the announcement published")
        await wait_for(pilot, lambda: "Announced: posted ✓" in shown(proof_view, "#proof-text"), "")


async def test_entries_close_only_after_the_close_and_freeze_the_valid_ones(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app_at(tmp_path, clock) as run:
        pilot, audited = run.pilot, run.workspace.audited
        contest = await audited_contest(run.workspace)
        said = notices(run.app, monkeypatch)
        await contests_pane(run)
        await pilot.press("x")
        await settle(pilot)
        assert said == [
            (f"Entries close at {CLOSES:%Y-%m-%d %H:%M}: close them then.", "information")
        ]
        assert audited.get(contest.id).frozen_at is None

        clock.now = CLOSES + timedelta(seconds=1)
        await pilot.press("x")
        await wait_for(pilot, lambda: audited.get(contest.id).frozen_at is not None, "frozen")
        await wait_for(pilot, lambda: len(said) == 2, "the toast")
        assert said[1] == ("4 valid entries frozen.", "information")


class NotOutYet:
    """A beacon source whose round is not published yet."""

    def __init__(self, retry_at: datetime) -> None:
        self.retry_at = retry_at

    async def fetch(self, round_number: int) -> Beacon:
        raise BeaconNotYet(round_number, self.retry_at)


async def test_a_draw_before_the_round_is_out_waits_and_says_when(
    tmp_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app_at(tmp_path, clock) as run:
        pilot, audited = run.pilot, run.workspace.audited
        contest = await committed_and_frozen(run.workspace, clock)
        retry_at = CLOSES + timedelta(minutes=1)

        @asynccontextmanager
        async def not_out(_contest: Contest) -> AsyncIterator[NotOutYet]:
            yield NotOutYet(retry_at)

        audited.beacons = not_out
        said = notices(run.app, monkeypatch)
        await contests_pane(run)
        await pressed_into(pilot, "w", ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: said, "a toast")
        await settle(pilot)
        message, severity = said[0]
        assert message.startswith(f"drand round {REPLAY_ROUND} is not out yet")
        assert message.endswith(f"Try again after {retry_at:%Y-%m-%d %H:%M}.")
        assert severity == "information"
        assert isinstance(pilot.app.screen, ContestScreen)
        assert audited.get(contest.id).beacon_draw is None


# -- snapshots --------------------------------------------------------------------------

SIZES = [(80, 24), (60, 20)]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[SmmApp]:
    built, close = make_app(tmp_path / "data", FakeClock(T0 + timedelta(minutes=30)), poll=False)
    yield built
    close()


async def _committed_contest(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, SmmApp)
    workspace = app.workspace
    contest = await audited_contest(workspace)
    source = workspace.source_for("bank-vk")
    assert source is not None
    reply = await workspace.audited.commit(contest.id)
    await workspace.outbox.send(reply.id, source)
    await pilot.press("3")
    await wait_until_on(pilot, ContestScreen)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_audited_detail_snapshot(snap_compare: Snap, app: SmmApp, size: tuple[int, int]) -> None:
    assert snap_compare(app, terminal_size=size, run_before=_committed_contest)


def test_entries_snapshot(snap_compare: Snap, app: SmmApp) -> None:
    async def entries(pilot: Pilot[Any]) -> None:
        await _committed_contest(pilot)
        await pressed_into(pilot, "e", ContestEntriesScreen)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=entries)
