"""``smm-tui contest``'s steps from a script, on the VK fake; each refused out of turn."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fakes.vk import FakeVK
from tests.posting_kit import Desk, fake_networks

RULES = """
opens = "{opens}"
closes = "{closes}"
winners = 1

[[posts]]
network = "vk"
post = "{post}"

[entry]
keyword = "#кедр"
"""


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with fake_networks(("vk",)) as fakes:
        made = Desk(tmp_path, fakes)
        try:
            yield made
        finally:
            made.close()


def rules_file(desk: Desk, post: str, text: str = RULES) -> str:
    now = datetime.now(UTC)
    path = desk.tmp / "rules.toml"
    path.write_text(
        text.format(
            opens=(now - timedelta(days=1)).isoformat(),
            closes=(now + timedelta(days=7)).isoformat(),
            post=post,
        ),
        encoding="utf-8",
    )
    return str(path)


def test_a_contest_is_made_committed_and_exported_in_turn(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = desk.fakes["brand-vk"]
    assert isinstance(fake, FakeVK)
    post = fake.add_post("Розыгрыш")
    fake.add_mention("#кедр участвую", author="boris", reply_to=post)
    fake.add_mention("просто так", author="vera", reply_to=post)

    bad = rules_file(desk, post, RULES.replace("[entry]", "[entry]\nkeywrd = 1"))
    code, _, err = desk.run(
        capsys, "contest", "create", "Кедр", "--account", "brand-vk", "--post", post, "--rules", bad
    )
    assert code == 2 and err.strip().endswith("rules: entry.keywrd: unknown key"), err
    assert err.count("\n") == 1, "one line"

    code, out, _ = desk.run(
        capsys, "contest", "create", "Кедр", "--account", "brand-vk", "--post", post
    )
    assert code == 0 and "Кедр" in out
    code, _, err = desk.run(capsys, "contest", "rules", "Кедр", rules_file(desk, post))
    assert code == 0, err
    code, out, _ = desk.run(capsys, "contest", "rules", "кедр")
    assert code == 0 and 'keyword = "#кедр"' in out

    code, _, err = desk.run(capsys, "contest", "commit", "Кедр")
    assert code == 2 and "add --yes" in err, "public: asked first"
    code, out, err = desk.run(capsys, "contest", "commit", "Кедр", "--yes")
    assert code == 0, err
    [posted] = [r.form() for r in fake.requests("reply")]
    assert posted["post_id"] == [post] and posted["message"][0].startswith(
        "Draw commitment: sha256 "
    )
    assert "posted: https://vk.com/" in out
    code, _, _ = desk.run(capsys, "contest", "commit", "Кедр", "--yes")
    assert code == 0 and len(fake.requests("reply")) == 1, "never posted twice"

    code, _, err = desk.run(capsys, "contest", "close", "Кедр")
    assert code == 2 and "close them then" in err
    code, _, err = desk.run(capsys, "contest", "draw", "Кедр")
    assert code == 2 and "freeze the entries first" in err
    code, _, err = desk.run(capsys, "contest", "proof", "Кедр")
    assert code == 1 and "no beacon draw yet" in err

    code, out, _ = desk.run(capsys, "contest", "list")
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert listed["step"] == "committed" and listed["network"] == "vk"

    assert desk.run(capsys, "contest", "collect", "Кедр")[0] == 2, "no such step"


def test_closing_collects_every_comment_then_freezes_and_exports_the_reasons(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = desk.fakes["brand-vk"]
    assert isinstance(fake, FakeVK)
    post = fake.add_post("Розыгрыш")
    fake.add_mention("#кедр участвую", author="boris", reply_to=post)
    fake.add_mention("просто так", author="vera", reply_to=post)
    past = RULES.replace("{opens}", "2024-12-01T00:00:00Z").replace(
        "{closes}", "2025-06-01T00:00:00Z"
    )
    rules = rules_file(desk, post, past)
    code, _, err = desk.run(
        capsys,
        "contest",
        "create",
        "Past",
        "--account",
        "brand-vk",
        "--post",
        post,
        "--rules",
        rules,
    )
    assert code == 0, err
    code, out, err = desk.run(capsys, "contest", "close", "Past")
    assert code == 0 and "2 new comments collected" in err and "1 valid entry frozen" in out, err
    code, out, _ = desk.run(capsys, "contest", "export", "Past")
    rows = {r["handle"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (
        code == 0 and rows["vera"]["reason"] == "no #кедр" and rows["vera"]["status"] == "rejected"
    )
    assert rows["boris"]["status"] == "entry"
    code, _, err = desk.run(capsys, "contest", "commit", "Past", "--yes")
    assert code == 2 and "must come before the close" in err


def test_an_unknown_contest_is_named(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    desk.data_dir.mkdir()
    code, _, err = desk.run(capsys, "contest", "draw", "Nope")
    assert code == 2 and "no contest 'Nope'" in err
