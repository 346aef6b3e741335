"""A mailing process killed half-way and started again sends every message exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import mailer
from tests.mail_support import PASSWORD, SmtpServer, outgoing

REPO = Path(__file__).resolve().parents[1]

_SCRIPT = """
import json, ssl, sys
sys.path.insert(0, {repo!r})
from pathlib import Path
import mailer
from tests.mail_support import SENDER, USER, outgoing
settings = mailer.SmtpSettings("127.0.0.1", {port}, USER, "starttls", SENDER, 100000, 5.0)
transport = mailer.SmtpTransport(settings, ssl_context=ssl.create_default_context(cafile={cert!r}))
journal = mailer.Journal(Path({journal!r}))
done = mailer.sent_keys(journal.records(), mailer.fold([], __import__("pandas").DataFrame(columns=mailer.MAILLOG_COLUMNS)))
result = mailer.deliver(outgoing(8), transport, journal, done=done, sender=SENDER)
transport.close()
print(json.dumps({{"delivered": result.delivered, "already": result.already_sent, "failed": result.failed}}))
"""


def _run(server: SmtpServer, journal: Path, script_dir: Path) -> subprocess.Popen:
    script = script_dir / "send_run.py"
    script.write_text(
        _SCRIPT.format(repo=str(REPO), port=server.port, cert=str(server.cert), journal=str(journal))
    )
    env = {**os.environ, "ARBOOK_SMTP_PASSWORD": PASSWORD}
    return subprocess.Popen(
        [sys.executable, str(script)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow  # two interpreter start-ups
def test_killed_process_restarted_sends_each_message_once(tmp_path):
    server = SmtpServer(tmp_path).start()
    journal = tmp_path / "Book.mail-journal.jsonl"
    try:
        first = _run(server, journal, tmp_path)

        def kill_client() -> str:
            os.kill(first.pid, signal.SIGKILL)  # dies while the server holds message 4 un-acknowledged
            return "451 4.3.0 client gone"

        server.handler.script = {4: kill_client}
        first.wait(timeout=60)
        assert first.returncode == -signal.SIGKILL
        assert len(server.handler.accepted) == 3

        server.handler.script = {}
        second = _run(server, journal, tmp_path)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
    finally:
        server.stop()
    report = json.loads(out)
    keys = [m.key for m in outgoing(8)]
    assert report["already"] == keys[:3]
    assert report["delivered"] == keys[3:]
    assert sorted(server.handler.ids()) == sorted(keys)  # each exactly once, none lost

    rows = mailer.fold(mailer.Journal(journal).records(), pd.DataFrame(columns=mailer.MAILLOG_COLUMNS))
    assert list(rows["Status"]) == ["sent"] * 3 + ["failed"] + ["sent"] * 5
    assert rows.loc[3, "MessageID"] == keys[3] and "interrupted" in rows.loc[3, "Detail"]
