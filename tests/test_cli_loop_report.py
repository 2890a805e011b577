"""``smm-tui report`` closes the loop: the tickets' figures in the table and in the CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from smm_tui.cli import main
from smm_tui.core import loop_report, report
from smm_tui.core.handoffs import Handoff, HandoffState
from smm_tui.core.models import Platform, ReviewState, Sentiment, Ticket, TicketColumn
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.cli_kit import env_for
from tests.conftest import T0, FakeClock, make_mention


def seed_tickets(data_dir: Path, clock: FakeClock) -> None:
    """A VK complaint followed up and confirmed (review turned round), a Mastodon one open."""
    vk = make_mention(1)
    masto = make_mention(2, platform=Platform.MASTODON, account="bank-masto")
    done = Ticket(
        "t1",
        vk.id,
        "Card blocked",
        T0,
        T0,
        column=TicketColumn.RESOLVED,
        resolved_at=T0 + timedelta(minutes=90),
        followed_up_at=T0 + timedelta(minutes=90),
        confirmed_at=T0 + timedelta(minutes=100),
        review=ReviewState.UPDATED,
        review_sentiment=Sentiment.POSITIVE,
    )
    waiting = Ticket("t2", masto.id, "App crashes", T0, T0, column=TicketColumn.WAITING)
    sent = Handoff("h1", "t1", "T-1", "Cards", "s", "t", {}, T0, "anna", state=HandoffState.SENT)
    with Store.open(data_dir) as store:
        workspace = Workspace(store, actor="anna", sources={}, clock=clock)
        changes = workspace.ingest.changes_for([vk, masto])
        changes.put(Collection.TICKETS, done.to_record())
        changes.put(Collection.TICKETS, waiting.to_record())
        store.commit(changes.extend(ChangeSet().put(Collection.HANDOFFS, sent.to_record())))


def run_report(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    args = ["report", "--days", "3650", "--data-dir", str(tmp_path / "a"), *extra]
    assert main(args, env_for(tmp_path)) == 0
    return capsys.readouterr().out


def test_the_table_has_a_closing_the_loop_section(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_tickets(tmp_path / "a", clock)
    out = run_report(tmp_path, capsys)
    response, _, loop = out.partition("\nClosing the loop: tickets opened in the last 3650 days\n")
    header = ["group", "mentions", "answered", "median", "p90", "in", "target"]
    assert response.splitlines()[0].split() == header
    lines = loop.splitlines()
    header = ["network", "opened", "to", "dept", "resolved", "public", "confirmed"]
    assert lines[0].split() == header
    assert [line.split() for line in lines[1:4]] == [
        ["mastodon", "1", "0", "0", "0", "0"],
        ["vk", "1", "1", "1", "1", "1"],
        ["total", "2", "1", "1", "1", "1"],
    ]
    assert lines[5].split()[:2] == ["network", "edited"]
    assert [line.split() for line in lines[6:9]] == [
        ["mastodon", "0", "0", "0", "—", "—"],
        ["vk", "1", "0", "1", "90.0m", "10.0m"],
        ["total", "1", "0", "1", "90.0m", "10.0m"],
    ]


def test_the_csv_adds_loop_rows_and_a_query_selects_their_complaints(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_tickets(tmp_path / "a", clock)
    rows = list(csv.DictReader(io.StringIO(run_report(tmp_path, capsys, "--format", "csv"))))
    assert list(rows[0]) == [*report.CSV_FIELDS, *loop_report.CSV_FIELDS]
    network = [r for r in rows if r["grouping"] == "network"]
    assert [(r["group"], r["mentions"], r["opened"]) for r in network] == [
        ("mastodon", "1", ""),
        ("vk", "1", ""),
    ]
    loop = {r["group"]: r for r in rows if r["grouping"] == "loop"}
    assert list(loop) == ["mastodon", "vk", "total"]
    assert loop["total"]["opened"] == "2" and loop["total"]["mentions"] == ""
    assert loop["vk"]["turned_around"] == "1" and loop["vk"]["handed_over"] == "1"
    assert loop["mastodon"]["median_resolution_minutes"] == ""
    assert loop["vk"]["median_confirmation_minutes"] == "10.00"

    chosen = run_report(tmp_path, capsys, "--format", "csv", "-q", "platform:mastodon")
    loop = {r["group"]: r for r in csv.DictReader(io.StringIO(chosen)) if r["grouping"] == "loop"}
    assert list(loop) == ["mastodon", "total"] and loop["total"]["opened"] == "1"


def test_no_tickets_in_the_period_is_said(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_tickets(tmp_path / "a", clock)
    out = run_report(tmp_path, capsys, "-q", "platform:x")
    assert out.endswith("\nClosing the loop: no tickets opened in the last 3650 days.\n")
    lines = run_report(tmp_path, capsys, "--format", "csv", "-q", "platform:x").splitlines()
    assert not any(line.startswith("loop,") for line in lines)
