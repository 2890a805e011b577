"""``smm-tui trends`` and ``smm-tui alerts`` in this process, over a seeded store.

The store holds a flat week (a mention an hour of everyday words, up to now),
and for some tests a burst on top; the commands read it at the real clock.
"""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smm_tui.cli import main
from smm_tui.commands.trends import ALERT_FIELDS, TREND_FIELDS
from smm_tui.core.models import Mention
from smm_tui.core.workspace import Workspace
from smm_tui.store.store import Store
from tests.cli_kit import env_for
from tests.conftest import FakeClock, make_mention

WORDS = ("карта", "перевод", "кэшбэк", "вклад", "кредит", "отделение", "ответ", "деньги")
BURST = (
    "Приложение не работает",
    "приложение опять не работает!",
    "приложения не работают с утра",
    "В приложении ничего не работает",
    "Приложение не работает, верните старое",
    "приложение не работает #сбой",
)


def seed(data_dir: Path, clock: FakeClock, extra: list[tuple[timedelta, str]]) -> list[Mention]:
    """A flat week up to now, and ``extra`` (how long ago, text); the ``extra`` mentions."""
    now = datetime.now(UTC)
    rng = random.Random(3)
    flat = [(timedelta(hours=h, minutes=30), " ".join(rng.sample(WORDS, 3))) for h in range(8 * 24)]
    made = [
        make_mention(n, external_id=f"t{n}", text=text, created_at=now - ago)
        for n, (ago, text) in enumerate(flat + extra)
    ]
    with Store.open(data_dir) as store:
        workspace = Workspace(store, actor="alice", sources={}, clock=clock)
        store.commit(workspace.ingest.changes_for(made))
    return made[len(flat) :]


def run(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main([*argv, "--data-dir", str(tmp_path / "data")], env_for(tmp_path))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_a_flat_store_lists_nothing(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(tmp_path / "data", clock, [])
    assert run(tmp_path, capsys, "trends") == ""
    assert run(tmp_path, capsys, "trends", "--window", "1d") == ""
    assert run(tmp_path, capsys, "alerts") == ""
    assert run(tmp_path, capsys, "trends", "--format", "csv") == ",".join(TREND_FIELDS) + "\r\n"


def test_trends_lists_a_burst_in_jsonl_and_csv(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    burst = seed(
        tmp_path / "data",
        clock,
        [(timedelta(minutes=50 - 8 * i), text) for i, text in enumerate(BURST)],
    )
    newest = [m.id for m in reversed(burst)][:5]
    records = [json.loads(line) for line in run(tmp_path, capsys, "trends").splitlines()]
    # Neither term was used in the week before: equal scores, so in the order of the term.
    assert [(r["term"], r["count"]) for r in records] == [("приложение", 6), ("работает", 6)]
    work = records[1]
    assert list(work) == list(TREND_FIELDS)
    assert work["window"] == "1h" and work["examples"] == newest
    assert work["baseline"] == pytest.approx(0.5 / (7 * 24), abs=1e-4)
    assert work["score"] > 4  # -log10 of a tail below alpha 1e-4

    rows = list(csv.reader(io.StringIO(run(tmp_path, capsys, "trends", "--format", "csv"))))
    assert rows[0] == list(TREND_FIELDS)
    assert rows[2][:3] == ["работает", "1h", "6"] and rows[2][5] == ";".join(newest)

    out = tmp_path / "trends.csv"
    assert (
        run(tmp_path, capsys, "trends", "--window", "1d", "--format", "csv", "-o", str(out)) == ""
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(TREND_FIELDS) and lines[2].startswith("работает,1d,6,")


def test_alerts_lists_a_spike_with_time_kind_scope_and_count(
    tmp_path: Path, clock: FakeClock, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(
        tmp_path / "data",
        clock,
        [(timedelta(hours=2, minutes=i), "всё сломалось") for i in range(12)],
    )
    records = [json.loads(line) for line in run(tmp_path, capsys, "alerts").splitlines()]
    assert records and all(list(r) == list(ALERT_FIELDS) for r in records)
    (volume,) = [r for r in records if r["kind"] == "volume"]
    assert volume["scope"] == "account:bank-vk" and volume["count"] >= 5
    at = datetime.fromisoformat(volume["at"])
    assert timedelta(hours=1) < datetime.now(UTC) - at < timedelta(hours=3)

    rows = list(csv.reader(io.StringIO(run(tmp_path, capsys, "alerts", "--format", "csv"))))
    assert rows[0] == list(ALERT_FIELDS) and len(rows) == len(records) + 1
