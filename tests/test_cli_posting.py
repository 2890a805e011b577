"""``smm-tui post``, ``posts`` and ``growth`` in this process, against the fake networks.

Bad input exits 2 with one line of at most 200 characters and stores or sends
nothing; the printed lines and records are the contract scripts rely on.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from smm_tui.commands.posting_records import GROWTH_FIELDS, POST_FIELDS
from smm_tui.core.models import utcnow
from smm_tui.core.posts import DeliveryState
from smm_tui.store.lease import PollerLease
from tests.fakes.base import FakeNetwork, Fault
from tests.posting_kit import Desk, fake_networks, jsonl, wait_until

SCHEDULED = re.compile(r"^scheduled ([0-9a-f]{16}) at (\S+)$")
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


@pytest.fixture
def fakes() -> Iterator[dict[str, FakeNetwork]]:
    with fake_networks() as started:
        yield started


@pytest.fixture
def desk(tmp_path: Path, fakes: dict[str, FakeNetwork]) -> Desk:
    return Desk(tmp_path, fakes, timezone="Europe/Moscow")


def refused(result: tuple[int, str, str]) -> str:
    """The one line of a usage error, checked for its exit status, length and shape."""
    code, out, err = result
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and err.startswith("smm-tui: "), err
    line = err.rstrip("\n")
    assert len(line) <= 200, line
    assert "Traceback" not in err
    return line


def nothing_stored_or_sent(desk: Desk) -> None:
    assert desk.posts() == [] and desk.deliveries() == []
    assert all(fake.posts == [] for fake in desk.fakes.values())


# -- bad input -------------------------------------------------------------------------------------


def test_an_unknown_account_is_named(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(desk.run(capsys, "post", "brand-vk", "bank-nosuch", "--text", "Hello"))
    assert line.startswith("smm-tui: unknown account 'bank-nosuch' (accounts: brand-vk, ")
    nothing_stored_or_sent(desk)


def test_a_long_line_is_cut_to_200_characters(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    line = refused(desk.run(capsys, "post", "n" * 300, "--text", "Hello"))
    assert line.startswith("smm-tui: unknown account 'nnn") and line.endswith("…")
    nothing_stored_or_sent(desk)


def test_a_time_in_the_past_is_refused(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(
        desk.run(capsys, "post", "brand-vk", "--text", "Hi", "--at", "2020-01-01T09:00:00Z")
    )
    assert line == ("smm-tui: 2020-01-01T09:00:00.000000Z is in the past: give a time to come")
    nothing_stored_or_sent(desk)


def test_a_text_over_a_networks_limit_names_it_and_the_count(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "a" * 281
    line = refused(desk.run(capsys, "post", "brand-vk", "brand-x", "--text", text))
    assert line == "smm-tui: too long for X (brand-x): 281 characters, the limit is 280"
    nothing_stored_or_sent(desk)


def test_an_empty_text_is_refused(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for text in ("", "   \n  "):
        line = refused(desk.run(capsys, "post", "brand-vk", "brand-x", "--text", text))
        assert line == "smm-tui: the text for brand-vk is empty"
    empty = tmp_path / "post.txt"
    empty.write_text("\n", encoding="utf-8")
    line = refused(desk.run(capsys, "post", "brand-x", "--file", str(empty)))
    assert line == "smm-tui: the text for brand-x is empty"
    nothing_stored_or_sent(desk)


def test_an_unreadable_file_is_named(
    desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nosuch.txt"
    line = refused(desk.run(capsys, "post", "brand-vk", "--file", str(missing)))
    assert line == f"smm-tui: cannot read {missing}: No such file or directory"
    binary = tmp_path / "post.bin"
    binary.write_bytes(b"\xff\xfe\x00bad")
    line = refused(desk.run(capsys, "post", "brand-vk", "--file", str(binary)))
    assert line == f"smm-tui: cannot read {binary}: it is not UTF-8 text"
    nothing_stored_or_sent(desk)


def test_a_bad_when_says_what_is_accepted(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(desk.run(capsys, "post", "brand-vk", "--text", "Hi", "--at", "someday"))
    assert line.startswith("smm-tui: --at: not a time: 'someday' (try +30s, +10m, +2h")
    nothing_stored_or_sent(desk)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["brand-vk"], "give the post with --text TEXT or --file FILE"),
        (["brand-vk", "--text", "a", "--file", "f"], "give the post with --text or --file"),
        (["--text", "Hi"], "name at least one ACCOUNT to post to"),
        (["brand-vk", "--text", "Hi", "--force"], "--force goes with --retry POST_ID"),
        (["brand-vk", "--retry", "abcdef"], "--retry POST_ID takes no ACCOUNT, --text"),
    ],
    ids=["no-text", "text-and-file", "no-account", "force-alone", "retry-and-account"],
)
def test_a_wrong_combination_is_one_line(
    args: list[str], said: str, desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert said in refused(desk.run(capsys, "post", *args))
    nothing_stored_or_sent(desk)


def test_an_account_without_its_token_says_which_variable(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    token = desk.fakes["brand-vk"].token
    token_env = desk.fakes["brand-vk"].token_env
    del desk.env[token_env]
    line = refused(desk.run(capsys, "post", "brand-vk", "--text", "Hi"))
    assert line == f"smm-tui: vk account 'brand-vk' has no token: set {token_env}; it is left out"
    assert token not in line
    nothing_stored_or_sent(desk)


# -- post, now and later ---------------------------------------------------------------------------


def test_a_scheduled_post_prints_its_id_and_time_with_the_teams_offset(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = desk.run(
        capsys, "post", "brand-vk", "brand-x", "--text", "Spring", "--at", "2099-03-30T09:30"
    )
    assert code == 0, err
    found = SCHEDULED.match(out.rstrip("\n"))
    assert found is not None, out
    assert found.group(2) == "2099-03-30T09:30:00+03:00"
    deliveries = desk.deliveries()
    assert {d.account for d in deliveries} == {"brand-vk", "brand-x"}
    assert {d.post_id for d in deliveries} == {found.group(1)}, "one POST_ID for every account"
    assert {d.state for d in deliveries} == {DeliveryState.SCHEDULED}
    assert {str(d.scheduled_at) for d in deliveries} == {"2099-03-30 06:30:00+00:00"}
    assert all(fake.posts == [] for fake in desk.fakes.values())

    code, out, _ = desk.run(capsys, "post", "brand-vk", "--text", "Soon", "--at", "+2h")
    found = SCHEDULED.match(out.rstrip("\n"))
    assert code == 0 and found is not None and ISO_WITH_OFFSET.match(found.group(2))


def test_publishing_now_prints_the_url_per_account(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = desk.run(
        capsys, "post", "brand-vk", "brand-bluesky", "--text", "Hello", "--campaign", "spring"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["ok   brand-vk", "ok   brand-bluesky"]
    for line, account in zip(lines, ("brand-vk", "brand-bluesky"), strict=True):
        assert line.split(": ", 1)[1].startswith("https://")
        assert len(desk.fakes[account].posts) == 1
    assert {p.campaign for p in desk.posts()} == {"spring"}


def test_a_failed_account_is_said_in_words_with_exit_1_and_no_url(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    desk.fakes["brand-x"].fail("post", Fault.AUTH)
    code, out, _ = desk.run(capsys, "post", "brand-vk", "brand-x", "--text", "Hello")
    assert code == 1
    ok, failed = out.splitlines()
    assert ok.startswith("ok   brand-vk: https://")
    assert failed.startswith("FAIL brand-x: post ") and " not published: " in failed
    assert "https://" not in failed
    assert desk.fakes["brand-x"].token not in out
    assert desk.fakes["brand-x"].posts == []


def test_retry_sends_a_telegram_post_only_when_forced(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    telegram = desk.fakes["brand-telegram"]
    telegram.fail("post", Fault.COMMIT_THEN_STALL)

    def release_once_committed() -> None:
        wait_until(lambda: len(telegram.posts) == 1, "the post is committed")
        telegram.server.released.set()  # the stalled answer ends as a 503

    releaser = threading.Thread(target=release_once_committed)
    releaser.start()
    code, out, _ = desk.run(capsys, "post", "brand-telegram", "--text", "News")
    releaser.join()
    assert code == 1 and out.startswith("FAIL brand-telegram: ") and "https://" not in out
    post_id = desk.posts()[0].id

    code, out, _ = desk.run(capsys, "poll", "--once")
    assert code == 1
    assert f"(once checked: smm-tui post --retry {post_id} --force)" in out
    code, out, _ = desk.run(capsys, "post", "--retry", post_id[:8])
    assert code == 1 and "this network cannot list the account's posts" in out
    assert len(telegram.posts) == 1, "nothing is sent again before a person checked"

    code, out, _ = desk.run(capsys, "post", "--retry", post_id, "--force")
    assert code == 0 and out.startswith("ok   brand-telegram: https://t.me/")
    assert len(telegram.posts) == 2, "the person decided it was not out"


def test_retry_of_an_unknown_post_is_one_line(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = desk.run(capsys, "post", "--retry", "nosuchpost")
    assert (code, out, err) == (1, "", "smm-tui: no post with id 'nosuchpost'\n")


def test_poll_once_publishes_nothing_without_the_lease(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert desk.run(capsys, "post", "brand-vk", "--text", "Due", "--at", "+0s")[0] == 0
    teammate = PollerLease(desk.data_dir, "teammate-host:4242")
    assert teammate.try_acquire()
    try:
        code, out, _ = desk.run(capsys, "poll", "--once")
    finally:
        teammate.release()
    assert code == 0 and "nothing fetched" in out
    assert desk.fakes["brand-vk"].posts == []
    code, out, _ = desk.run(capsys, "poll", "--once")
    assert code == 0 and out.startswith("ok   brand-vk: published https://vk.com/")
    assert len(desk.fakes["brand-vk"].posts) == 1


def test_a_post_past_the_late_limit_waits_until_retry_confirms_it(
    tmp_path: Path, fakes: dict[str, FakeNetwork], capsys: pytest.CaptureFixture[str]
) -> None:
    desk = Desk(tmp_path, fakes, extra='[publishing]\nlate_limit = "1s"\n')
    code, out, _ = desk.run(capsys, "post", "brand-vk", "--text", "Late", "--at", "+0s")
    found = SCHEDULED.match(out.rstrip("\n"))
    assert code == 0 and found is not None
    due = datetime.fromisoformat(found.group(2))
    wait_until(lambda: utcnow() > due + timedelta(seconds=1.5), "the post is past the limit")

    code, out, _ = desk.run(capsys, "poll", "--once")
    assert code == 0
    assert "warn 1 post more than " in out and "late waits for you to confirm" in out
    assert desk.fakes["brand-vk"].posts == []
    code, out, _ = desk.run(capsys, "posts", "--query", "status:held")
    assert [r["post_id"] for r in jsonl(out)] == [found.group(1)]

    code, out, _ = desk.run(capsys, "post", "--retry", found.group(1))
    assert code == 0 and out.startswith("ok   brand-vk: https://vk.com/")
    assert len(desk.fakes["brand-vk"].posts) == 1


# -- posts and growth ------------------------------------------------------------------------------


@pytest.fixture
def planned(desk: Desk, capsys: pytest.CaptureFixture[str]) -> Desk:
    """One post published on VK and Telegram (campaign spring), one scheduled on X."""
    accounts = ["brand-vk", "brand-telegram"]
    code, _, err = desk.run(
        capsys, "post", *accounts, "--text", "=Spring offer", "--campaign", "spring"
    )
    assert code == 0, err
    assert desk.run(capsys, "post", "brand-x", "--text", "Later news", "--at", "+1h")[0] == 0
    return desk


def test_posts_writes_a_record_per_delivery_as_json_lines(
    planned: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = planned.run(capsys, "posts")
    assert code == 0, err
    records = jsonl(out)
    assert [list(r) for r in records] == [list(POST_FIELDS)] * 3
    published = [r for r in records if r["status"] == "published"]
    assert {r["account"] for r in published} == {"brand-vk", "brand-telegram"}
    assert len({r["post_id"] for r in published}) == 1
    for record in published:
        fake = planned.fakes[str(record["account"])]
        assert record["external_id"] == fake.posts[0].external_id
        assert str(record["url"]).startswith("https://")
        assert record["campaign"] == "spring"
        assert ISO_WITH_OFFSET.match(str(record["published_at"]))
        assert record["views"] is None and record["likes"] is None, "unknown, never 0"
    later = next(r for r in records if r["status"] == "scheduled")
    assert (later["account"], later["url"], later["published_at"]) == ("brand-x", None, None)
    assert ISO_WITH_OFFSET.match(str(later["scheduled_at"]))
    for fake in planned.fakes.values():
        assert fake.token not in out


def test_posts_writes_csv_with_formulas_defused(
    planned: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "posts.csv"
    code, _, err = planned.run(capsys, "posts", "--format", "csv", "--output", str(target))
    assert code == 0 and f"exported 3 deliveries to {target}" in err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert list(rows[0]) == list(POST_FIELDS)
    assert {row["text"] for row in rows} == {"'=Spring offer", "Later news"}
    assert {row["views"] for row in rows} == {""}


@pytest.mark.parametrize(
    ("query", "accounts"),
    [
        ("status:scheduled", ["brand-x"]),
        ("status:published,scheduled", ["brand-telegram", "brand-vk", "brand-x"]),
        ("account:brand-vk", ["brand-vk"]),
        ("campaign:SPRING", ["brand-telegram", "brand-vk"]),
        ("platform:tg", ["brand-telegram"]),
        ("-platform:tg offer", ["brand-vk"]),
        ('"later news"', ["brand-x"]),
        ("", ["brand-telegram", "brand-vk", "brand-x"]),
    ],
)
def test_posts_query_selects_deliveries(
    query: str, accounts: list[str], planned: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = planned.run(capsys, "posts", "--query", query)
    assert code == 0, err
    assert sorted(str(r["account"]) for r in jsonl(out)) == accounts


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ("stat:failed", "smm-tui: --query: unknown field 'stat' at 0 (did you mean 'status'?)"),
        ("status:lost", "smm-tui: --query: status: unknown value 'lost' at 7 (one of draft, "),
        ('"open', "smm-tui: --query: a quote is not closed at 0"),
    ],
)
def test_a_bad_posts_query_is_one_line(
    query: str, said: str, planned: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert refused(planned.run(capsys, "posts", "--query", query)).startswith(said)


def test_growth_writes_every_reading_in_both_formats(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    for number, fake in enumerate(desk.fakes.values()):
        fake.followers = 1000 + number
    code, out, err = desk.run(capsys, "poll", "--once")
    assert code == 0, err
    assert "ok   brand-x: 1004 followers" in out.splitlines()

    code, out, _ = desk.run(capsys, "growth")
    records = jsonl(out)
    assert code == 0 and [list(r) for r in records] == [list(GROWTH_FIELDS)] * 5
    assert {(r["account"], r["platform"], r["followers"]) for r in records} == {
        (f"brand-{network}", network, 1000 + n)
        for n, network in enumerate(("vk", "telegram", "mastodon", "bluesky", "x"))
    }
    assert all(ISO_WITH_OFFSET.match(str(r["at"])) for r in records)

    code, out, _ = desk.run(capsys, "growth", "--format", "csv", "--account", "brand-vk")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [(r["account"], r["followers"]) for r in rows] == [("brand-vk", "1000")]

    line = refused(desk.run(capsys, "growth", "--account", "bank-nosuch"))
    assert line.startswith("smm-tui: unknown account 'bank-nosuch' (accounts: brand-bluesky, ")


def test_posts_on_a_missing_data_dir_creates_nothing(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = desk.run(capsys, "posts")
    assert (code, out) == (1, "") and err.startswith(f"smm-tui: no data dir at {desk.data_dir}")
    assert not desk.data_dir.exists()
