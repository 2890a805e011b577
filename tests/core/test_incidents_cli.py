"""``smm-tui incident`` on one fake network, in this process: open, list, show, drop, reply,
resolve, and bad input refused with exit 2 and nothing stored (a reply or a follow-up
without ``--yes`` too: stdin is no terminal here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smm_tui.core.repository import Collection
from smm_tui.store.store import Store
from tests.posting_kit import Desk, fake_networks, jsonl

SAVED = """
[incidents]
per_minute = { vk = 6000 }

[[saved_replies]]
name = "outage"
body = "{first_name}, the app is down; we are fixing it."
"""


def replies(desk: Desk) -> int:
    with Store.open(desk.data_dir) as store:
        return store.count(Collection.REPLIES)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("reply", "ID", "--text", "Hi", "--saved", "outage"), "not both"),
        (("reply", "ID", "--saved", "nope", "--yes"), "no saved reply 'nope'"),
        (("reply", "ID", "--text", "  ", "--yes"), "--text is empty"),
        (("reply", "ID", "--text", "{frist_name} hi", "--yes"), "unknown field"),
        (("reply", "ID", "--text", "Hi"), "add --yes"),
        (("resolve", "ID", "--follow-up", "Fixed"), "this sends 3 follow-ups: add --yes"),
        (("resolve", "ID", "--follow-up-saved", "outage"), "add --yes"),
        (("reply", "I-1999-0001", "--text", "Hi", "--yes"), "no incident"),
        (("drop", "ID", "nope-not-a-mention"), "no mention"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_stored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], said: str
) -> None:
    with fake_networks(("vk",)) as fakes:
        desk = Desk(tmp_path, fakes, extra=SAVED)
        incident_id = opened(desk, capsys)
        code, _, err = desk.run(
            capsys, "incident", *(incident_id if a == "ID" else a for a in args)
        )
        assert (code, err.count("\n")) == (2, 1) and said in err, err
        assert replies(desk) == 0
        shown = desk.run(capsys, "incident", "show", incident_id)[1]
        assert shown.startswith(f"{incident_id} open "), "nothing changed"


def test_open_reply_list_show_and_resolve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_networks(("vk",)) as fakes:
        desk = Desk(tmp_path, fakes, extra=SAVED)
        incident_id = opened(desk, capsys)
        code, out, err = desk.run(
            capsys, "incident", "reply", incident_id, "--saved", "outage", "--yes"
        )
        assert code == 0, err
        assert err.count("\nsent ") + err.startswith("sent ") >= 3 and "3 sent" in out
        assert len(fakes["brand-vk"].published) == 3
        code, out, err = desk.run(capsys, "incident", "reply", incident_id)
        assert code == 0 and len(fakes["brand-vk"].published) == 3, "nothing twice"

        [record] = jsonl(desk.run(capsys, "incident", "list")[1])
        assert (record["id"], record["members"], record["sent"]) == (incident_id, 3, 3)
        assert record["networks"] == "vk 3"
        shown = desk.run(capsys, "incident", "show", incident_id)[1]
        assert "members: 3 (vk 3)" in shown and "the app is down; we are" in shown

        code, out, err = desk.run(
            capsys,
            "incident",
            "resolve",
            incident_id,
            "--follow-up",
            "Fixed, {first_name}.",
            "--yes",
        )
        assert code == 0, err
        texts = [p.text for p in fakes["brand-vk"].published]
        assert sum(text.startswith("Fixed, ") for text in texts) == 3


def test_mentions_in_an_open_incident_are_left_out_of_a_new_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_networks(("vk",)) as fakes:
        desk = Desk(tmp_path, fakes, extra=SAVED)
        first = opened(desk, capsys)
        code, _, err = desk.run(capsys, "incident", "open", "--query", "login")
        assert (code, err.count("\n")) == (1, 1) and f"in an open incident: {first}" in err, err
        fakes["brand-vk"].add_mention("The app is down again, login fails. Order 9", author="u9")
        assert desk.run(capsys, "poll", "--once")[0] == 0
        code, out, err = desk.run(capsys, "incident", "open", "--query", "login")
        assert code == 0 and out.endswith(": 1 mentions (vk 1)\n"), out + err
        assert f"3 mentions left out: already in {first}, which is open" in err


def opened(desk: Desk, capsys: pytest.CaptureFixture[str]) -> str:
    fake = desk.fakes["brand-vk"]
    for n in range(3):
        fake.add_mention(f"The app is down again, login fails. Order {n}", author=f"user{n}")
    fake.add_mention("How do I order a new card?", author="other")
    assert desk.run(capsys, "poll", "--once")[0] == 0
    code, out, err = desk.run(capsys, "incident", "open", "--query", "login")
    assert code == 0, err
    return out.split(":")[0]
