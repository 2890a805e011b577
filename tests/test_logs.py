"""Log redaction: known tokens and token-bearing shapes never reach a log file."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TextIO, cast

from smm_tui.logs import RedactingFilter, RedactingWriter, log_to_file

SECRET = "S3cr/t+token"


def test_known_secrets_are_replaced_in_every_encoding() -> None:
    redact = RedactingFilter([SECRET]).redact
    assert redact(f"a {SECRET} b S3cr%2Ft%2Btoken") == "a *** b ***"


def test_token_shapes_are_masked_even_when_unknown() -> None:
    redact = RedactingFilter().redact
    assert (
        redact('GET https://api.telegram.org/bot123456:AAH-x_y/getUpdates "HTTP/1.1 200 OK"')
        == 'GET https://api.telegram.org/bot***/getUpdates "HTTP/1.1 200 OK"'
    )
    assert redact("/method/wall.get?access_token=vk1.a.b&v=5.199") == (
        "/method/wall.get?access_token=***&v=5.199"
    )
    assert redact("{'Authorization': 'Bearer abc'}") == "{'Authorization': 'Bearer ***'}"
    assert redact("jwt eyJhbGc.eyJzdWIi.sig_x") == "jwt ***"


def test_a_log_file_is_private_and_redacts_arguments_and_tracebacks(tmp_path: Path) -> None:
    path = tmp_path / "smm.log"
    handler = log_to_file(path, "debug", [SECRET])
    try:
        log = logging.getLogger("httpx")
        log.info("HTTP Request: GET %s", f"https://x.test/?token={SECRET}")
        try:
            raise ValueError(f"boom with {SECRET}")
        except ValueError:
            log.exception("failed")
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    text = path.read_text(encoding="utf-8")
    assert "HTTP Request: GET https://x.test/?token=***" in text
    assert "ValueError: boom with ***" in text
    assert SECRET not in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_vk_long_poll_key_is_masked() -> None:
    redact = RedactingFilter().redact
    assert redact("GET https://lp.vk.com/wh1?act=a_check&key=abc123&ts=9&wait=20") == (
        "GET https://lp.vk.com/wh1?act=a_check&key=***&ts=9&wait=20"
    )


def test_a_crash_report_with_locals_never_shows_a_token() -> None:
    from rich.console import Console
    from rich.traceback import Traceback

    from smm_tui.adapters.http import CallContext

    def crash(token: str) -> None:
        ctx = CallContext("vk", "bank-vk", secrets=(token,))
        headers = {"Authorization": f"Bearer {token}"}
        raise RuntimeError(f"bug near {ctx.who} with {len(headers)} headers")

    out = io.StringIO()
    writer = cast("TextIO", RedactingWriter(out, [SECRET]))
    console = Console(file=writer, width=200, color_system=None)
    try:
        crash(SECRET)
    except RuntimeError:
        console.print(Traceback(show_locals=True))
    report = out.getvalue()
    assert "Authorization" in report and "bank-vk" in report, "locals are shown"
    assert SECRET not in report


def test_a_long_secret_cut_short_is_still_masked() -> None:
    token = "vk1.a." + "Q" * 200
    redact = RedactingFilter([token]).redact
    shown = "token = '" + token[:80] + "'+126"
    assert redact(shown) == "token = '***'+126"
