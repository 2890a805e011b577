"""``smm-tui campaign``: create, import spend (Russian and English files), report, list."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from smm_tui.cli import main
from smm_tui.core.ingest import entry_for
from smm_tui.core.models import Contest
from smm_tui.core.platforms import Platform
from smm_tui.core.posts import Delivery, DeliveryState, Post
from smm_tui.core.repository import ChangeSet, Collection
from smm_tui.store.store import Store
from tests.cli_kit import env_for
from tests.conftest import T0, make_mention

RU = (
    "Дата;Площадка;Кампания;Расход;Валюта;Показы;Клики\r\n"
    "01.05.2026;ВКонтакте;Весна;1 234,56;руб;12 000;150\r\n"
    "02.05.2026;телеграм;Весна;abc;₽;;\r\n"
    "03.05.2026;вк;ВЕСНА;100,44;₽;1000;10\r\n"
)
EN = (
    "Date,Network,Campaign,Spend,Currency,Impressions,Clicks\n"
    "2026-05-01,vk,Весна,10.50,USD,1000,7\n"
)


class Cli:
    """The command line on one data dir, with what it printed."""

    def __init__(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.tmp_path = tmp_path
        self.env = env_for(tmp_path)
        self.data = str(tmp_path / "data")
        self.capsys = capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main([*argv, "--data-dir", self.data], self.env)
        out, err = self.capsys.readouterr()
        return code, out, err

    def file(self, name: str, text: str) -> str:
        path = self.tmp_path / name
        path.write_text(text, encoding="utf-8", newline="")
        return str(path)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path, capsys)


def spring(cli: Cli) -> None:
    code, out, err = cli(
        "campaign", "create", "Весна", "--from", "2026-05-01", "--to", "31.05.2026",
        "--hashtag", "#Весна", "--keyword", "скидка", "--budget", "50 000", "руб",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == "created campaign Весна: 2026-05-01 to 2026-05-31, utm весна\n"


def test_create_then_list(cli: Cli) -> None:
    spring(cli)
    code, out, _ = cli("campaign", "list")
    assert code == 0
    assert json.loads(out) == {
        "name": "Весна",
        "starts": "2026-05-01",
        "ends": "2026-05-31",
        "hashtags": ["весна"],
        "keywords": ["скидка"],
        "budget": "50000",
        "currency": "RUB",
        "utm": "весна",
    }


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--from", "2026-05-10", "--to", "2026-05-01"), "--to 2026-05-01 is before --from"),
        (("--from", "May 1", "--to", "2026-05-01"), "--from 'May 1' is not a day"),
        (("--from", "2026-05-01", "--to", "2026-05-01", "--budget", "1", "zz"), "not a currency"),
    ],
)
def test_a_bad_create_is_one_line_and_a_usage_error(
    cli: Cli, argv: tuple[str, ...], says: str
) -> None:
    code, out, err = cli("campaign", "create", "X", *argv)
    assert (code, out) == (2, "")
    assert says in err and err.count("\n") == 1


def test_a_campaign_is_created_once(cli: Cli) -> None:
    spring(cli)
    code, _, err = cli("campaign", "create", "ВЕСНА", "--from", "2026-05-01", "--to", "2026-05-02")
    assert code == 1 and "already exists" in err


def test_spend_import_keeps_the_good_rows_and_names_the_bad_line(cli: Cli) -> None:
    spring(cli)
    code, out, err = cli("campaign", "spend", "import", cli.file("весна.csv", RU))
    assert code == 1
    assert out == f"kept 2 spend rows from {cli.tmp_path / 'весна.csv'}\n"
    assert err == 'smm-tui: весна.csv line 3: spend "abc" is not an amount\n'
    code, out, err = cli("campaign", "spend", "import", cli.file("en.csv", EN))
    assert (code, err) == (0, "")
    assert out.startswith("kept 1 spend row from")


def test_spend_for_an_unknown_campaign_is_kept_with_a_warning(cli: Cli) -> None:
    code, _, err = cli("campaign", "spend", "import", cli.file("en.csv", EN))
    assert code == 0 and "campaigns not created yet: Весна" in err


def report_rows(cli: Cli, fmt: str) -> list[dict[str, object]]:
    code, out, err = cli("campaign", "report", "весна", "--format", fmt)
    assert (code, err) == (0, "")
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(out)))
    return [json.loads(line) for line in out.splitlines()]


def test_the_report_keeps_currencies_apart_in_csv_and_jsonl(cli: Cli) -> None:
    spring(cli)
    cli("campaign", "spend", "import", cli.file("ru.csv", RU))
    cli("campaign", "spend", "import", cli.file("en.csv", EN))
    for fmt, missing in (("csv", ""), ("jsonl", None)):
        rows = report_rows(cli, fmt)
        money = {(r["figure"], r["currency"]): r["value"] for r in rows if r["currency"]}
        assert money[("budget", "RUB")] == "50000"
        assert money[("spend", "RUB")] == "1335.00"  # 1 234,56 + 100,44: never with the dollars
        assert money[("spend", "USD")] == "10.50"
        assert money[("cpc", "RUB")] == "8.3438"  # 1335.00 / 160 clicks, to four places
        assert money[("impressions", "USD")] == 1000 if fmt == "jsonl" else "1000"
        likes = next(r for r in rows if r["figure"] == "likes")
        assert likes["value"] == missing and str(likes["source"]).startswith("missing")
        assert {r["campaign"] for r in rows} == {"Весна"}


def test_an_unknown_campaign_is_one_line(cli: Cli) -> None:
    spring(cli)
    code, out, err = cli("campaign", "report", "Осень")
    assert (code, out) == (2, "")
    assert err == "smm-tui: no campaign 'Осень'\n"


def plan(cli: Cli) -> None:
    """Three posts in the Content plan: two about the sale, one published, one other."""
    changes = ChangeSet()
    for post_id, text, state in (
        ("p1", "Весенняя скидка на карты", DeliveryState.PUBLISHED),
        ("p2", "Скидка: last days", DeliveryState.DRAFT),
        ("p3", "Office hours on Friday", DeliveryState.DRAFT),
    ):
        post = Post(post_id, text, ("bank-vk",), "alice", T0, T0)
        delivery = Delivery(post_id, "bank-vk", Platform.VK, text, state=state)
        changes.put(Collection.POSTS, post.to_record())
        changes.put(Collection.DELIVERIES, delivery.to_record())
    with Store.open(Path(cli.data)) as store:
        store.commit(changes)


def stored_post_ids(cli: Cli) -> list[str]:

    with Store.open(Path(cli.data)) as store:
        record = store.get(Collection.CAMPAIGNS, "весна")
    assert record is not None
    return list(record["post_ids"])


def test_add_posts_adds_what_the_query_selects_once(cli: Cli) -> None:
    spring(cli)
    plan(cli)
    assert cli("campaign", "add-posts", "весна", "--query", "скидка status:draft") == (
        0,
        "added 1 post to campaign Весна\n",
        "",
    )
    code, out, _ = cli("campaign", "add-posts", "Весна", "--query", "скидка")
    assert (code, out) == (0, "added 1 post to campaign Весна (1 already in it)\n")
    assert stored_post_ids(cli) == ["p2", "p1"]
    code, _, err = cli("campaign", "add-posts", "Весна", "--query", "nothing like this")
    assert code == 1 and "no post matches" in err
    code, _, err = cli("campaign", "add-posts", "Осень", "--query", "скидка")
    assert code == 2 and "no campaign 'Осень'" in err
    code, _, err = cli("campaign", "add-posts", "Весна")
    assert code == 2 and "--query is required" in err


def giveaway(cli: Cli) -> None:
    """A contest on a VK post, with two entries, as the contest pane makes one."""
    contest = Contest("k1", "Весенний розыгрыш", Platform.VK, "bank-vk", "post-9", T0)
    changes = ChangeSet().put(Collection.CONTESTS, contest.to_record())
    for n in (1, 2):
        comment = make_mention(n, root_external_id="post-9", parent_external_id="post-9")
        changes.put(Collection.ENTRIES, entry_for("k1", comment).to_record())
    with Store.open(Path(cli.data)) as store:
        store.commit(changes)


def test_link_contest_links_by_name_once_and_the_report_counts_its_entries(cli: Cli) -> None:
    spring(cli)
    giveaway(cli)
    assert cli("campaign", "link-contest", "весна", "весенний  РОЗЫГРЫШ") == (
        0,
        "linked contest Весенний розыгрыш (k1) to campaign Весна\n",
        "",
    )
    assert cli("campaign", "link-contest", "Весна", "k1") == (
        0,
        "contest Весенний розыгрыш (k1) is linked to campaign Весна already\n",
        "",
    )
    rows = {str(r["figure"]): r for r in report_rows(cli, "jsonl")}
    assert (rows["contest_entries"]["value"], rows["contest_participants"]["value"]) == (2, 2)
    assert "'Весенний розыгрыш'" in str(rows["contest_entries"]["source"])


def test_link_contest_to_an_unknown_contest_is_one_line_and_a_usage_error(cli: Cli) -> None:
    spring(cli)
    giveaway(cli)
    code, out, err = cli("campaign", "link-contest", "Весна", "Осенний")
    assert (code, out) == (2, "")
    assert err == "smm-tui: no contest 'Осенний' (give its id, or its name as listed)\n"
    code, out, err = cli("campaign", "link-contest", "Осень", "k1")
    assert (code, out, err) == (2, "", "smm-tui: no campaign 'Осень'\n")
