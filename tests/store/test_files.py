"""Files kept beside the store (a contest's proof): whole, private, and inside the data dir."""

from __future__ import annotations

import stat
from pathlib import Path, PurePosixPath

import pytest

from smm_tui.store.files import file_keeper


def test_a_kept_file_is_written_whole_and_private(tmp_path: Path) -> None:
    keep = file_keeper(tmp_path / "data")
    path = keep(PurePosixPath("proofs", "giveaway.json"), b'{"ok": true}\n')
    assert path == tmp_path / "data" / "proofs" / "giveaway.json"
    assert path.read_bytes() == b'{"ok": true}\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    keep(PurePosixPath("proofs", "giveaway.json"), b"again\n")
    assert path.read_bytes() == b"again\n"
    assert [p.name for p in path.parent.iterdir()] == ["giveaway.json"], "no temporary left"


@pytest.mark.parametrize("outside", ["../escape.json", "/etc/passwd"])
def test_nothing_is_kept_outside_the_data_dir(tmp_path: Path, outside: str) -> None:
    with pytest.raises(ValueError, match="not a path inside the data dir"):
        file_keeper(tmp_path / "data")(PurePosixPath(outside), b"x")
    assert not (tmp_path / "escape.json").exists()
