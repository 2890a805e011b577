"""`smm-tui demo` on a new data dir opens on a team's working day, played through the services."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from smm_tui.config import Config, demo_config
from smm_tui.core import report
from smm_tui.core.models import Mention, TicketColumn
from smm_tui.core.repository import Collection
from smm_tui.core.workspace import Workspace, poll_account
from smm_tui.runtime import build_sources, open_workspace, seed_demo_day, settings_from
from smm_tui.store.store import Store
from tests.conftest import T0, FakeClock

#: The demo's default pace (``[demo] rate_per_minute``).
CONFIG = demo_config("alice")


@asynccontextmanager
async def demo_day(data_dir: Path, config: Config = CONFIG) -> AsyncIterator[Workspace]:
    """The demo workspace as the app opens it at T0, after every account's first poll."""
    with open_workspace(data_dir, config, clock=FakeClock()) as (workspace, _warnings):
        for source in workspace.sources.values():
            await poll_account(workspace, source)
        yield workspace


def mentions(workspace: Workspace) -> list[Mention]:
    return [Mention.from_record(r) for r in workspace.repo.records(Collection.MENTIONS)]


def snapshot(workspace: Workspace) -> dict[str, Any]:
    """Every record the day wrote; audit events without their (random) ids."""
    kept = {
        collection.value: sorted(workspace.repo.records(collection), key=lambda r: r["id"])
        for collection in Collection
        if collection is not Collection.AUDIT
    }
    events = [{**r, "id": ""} for r in workspace.repo.records(Collection.AUDIT)]
    kept["audit"] = sorted(events, key=repr)
    return kept


async def test_the_history_is_a_fortnight_of_handled_mentions(tmp_path: Path) -> None:
    async with demo_day(tmp_path / "demo") as ws:
        handled = [m for m in mentions(ws) if not m.status.is_open]
        assert 300 <= len(handled) <= 900
        oldest = min(m.created_at for m in handled)
        assert T0 - timedelta(days=14) <= oldest <= T0 - timedelta(days=12)
        answered = [m for m in handled if m.first_response_at is not None]
        assert len(answered) >= 0.6 * len(handled)
        replies = list(ws.repo.records(Collection.REPLIES))
        follow_ups = [r for r in replies if r.get("ticket_id")]
        assert follow_ups, "some fixed complaints were followed up in public"
        [commitment] = [r for r in replies if r.get("contest_id")]
        assert commitment["text"].startswith("Draw commitment: sha256 ")
        assert len(replies) == len(answered) + len(follow_ups) + 1


async def test_the_report_shows_fast_answers_with_some_misses(tmp_path: Path) -> None:
    async with demo_day(tmp_path / "demo") as ws:
        records = ws.repo.records(Collection.MENTIONS)
        rows = report.build_from_records(records, T0 - timedelta(days=7), T0)
        networks = [row for row in rows if row.grouping == "network"]
        assert len(networks) == 5
        times = [time for row in networks for time in row.times]
        within = sum(row.within_target for row in networks)
        judged = sum(row.answered + row.overdue for row in networks)
        median, p90 = report.percentile(times, 50), report.percentile(times, 90)
        assert median is not None and median < 10
        assert p90 is not None and p90 > 10
        assert 0.70 <= within / judged <= 0.98


async def test_the_queue_is_short_and_mostly_on_time(tmp_path: Path) -> None:
    async with demo_day(tmp_path / "demo") as ws:
        queue = [m for m in mentions(ws) if m.status.is_open]
        overdue = [m for m in queue if m.sla_due_at is not None and m.sla_due_at < T0]
        assert 10 <= len(queue) <= 40
        assert 1 <= len(overdue) < len(queue) / 3


async def test_tickets_fill_the_board_and_a_giveaway_runs(tmp_path: Path) -> None:
    async with demo_day(tmp_path / "demo") as ws:
        assert {ticket.column for ticket in ws.tickets.all()} == set(TicketColumn)
        (contest,) = ws.contests.all()
        assert len(ws.contests.entries(contest.id)) >= 5
        assert T0 - contest.created_at < timedelta(days=1)


async def test_reopening_the_demo_does_not_seed_it_again(tmp_path: Path) -> None:
    async with demo_day(tmp_path / "demo") as ws:
        first = snapshot(ws)
    with open_workspace(tmp_path / "demo", CONFIG, clock=FakeClock()) as (ws, _):
        assert snapshot(ws) == first


async def test_the_same_seed_and_clock_give_the_same_day(tmp_path: Path) -> None:
    async with demo_day(tmp_path / "one") as ws:
        one = snapshot(ws)
    async with demo_day(tmp_path / "two") as ws:
        assert snapshot(ws) == one


async def test_the_store_applies_every_operation_of_the_day(tmp_path: Path) -> None:
    sources, _ = build_sources(CONFIG, clock=FakeClock(), working_day=True)
    changes = seed_demo_day(CONFIG, settings_from(CONFIG), sources, T0)
    with Store.open(tmp_path / "demo") as store:
        changed = store.commit(changes)
    assert changed.applied and not changed.skipped


async def test_only_the_builtin_demo_on_a_new_data_dir_is_seeded(tmp_path: Path) -> None:
    renamed = dataclasses.replace(CONFIG.accounts[0], name="my-demo")
    mine = dataclasses.replace(CONFIG, accounts=(renamed, *CONFIG.accounts[1:]))
    with open_workspace(tmp_path / "mine", mine, clock=FakeClock()) as (ws, _):
        assert ws.repo.count(Collection.MENTIONS) == 0
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("someone's files")
    with open_workspace(used, CONFIG, clock=FakeClock()) as (ws, _):
        assert ws.repo.count(Collection.MENTIONS) == 0
    # Adapters handed in (as tests do) are not the demo's own: nothing is seeded either.
    sources, _ = build_sources(CONFIG, clock=FakeClock())
    with open_workspace(tmp_path / "given", CONFIG, sources=sources) as (ws, _):
        assert ws.repo.count(Collection.MENTIONS) == 0
