"""A mailing process killed half-way and started again sends every message exactly once."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
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
settings = mailer.SmtpSettings(
    "127.0.0.1", {port}, USER, "starttls", SENDER, 100000, "", "password", "", "", timeout=5.0
)
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


_BATCH_SCRIPT = """
import json, ssl, sys
sys.path.insert(0, {repo!r})
from pathlib import Path
import pandas as pd
import mailer
from tests.mail_support import SENDER, USER, outgoing
settings = mailer.SmtpSettings(
    "127.0.0.1", {port}, USER, "starttls", SENDER, 100000, "", "password", "", "", timeout=5.0
)
transport = mailer.SmtpTransport(settings, ssl_context=ssl.create_default_context(cafile={cert!r}))
journal = mailer.Journal(Path({journal!r}), sync_every=5)
done = mailer.sent_keys(journal.records(), pd.DataFrame(columns=mailer.MAILLOG_COLUMNS))
result = mailer.deliver(outgoing({count}), transport, journal, done=done, sender=SENDER)
transport.close()
print(json.dumps({{"delivered": result.delivered, "already": result.already_sent, "failed": result.failed}}))
"""


def _left_pending(journal: Path) -> set[str]:
    """Messages whose last journal event is `pending`: the server may hold them without our knowing."""
    last: dict[str, str] = {}
    for record in mailer.Journal(journal).records():
        last[str(record["MessageID"])] = str(record["Status"])
    return {key for key, status in last.items() if status == "pending"}


@pytest.mark.slow  # four interpreter start-ups
def test_killed_at_random_moments_with_batched_fsyncs_no_message_is_lost_or_sent_twice(tmp_path):
    """Three SIGKILLs at random moments of a sending run (journal fsyncs in groups of 5), then a
    run to the end: every message reaches the server, and only one the journal left `pending`
    (stored by the server, unacknowledged to us) may arrive twice."""
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    count = 60
    keys = [m.key for m in outgoing(count)]
    server = SmtpServer(tmp_path).start()
    journal = tmp_path / "Book.mail-journal.jsonl"
    script = tmp_path / "batch_run.py"
    script.write_text(
        _BATCH_SCRIPT.format(
            repo=str(REPO), port=server.port, cert=str(server.cert), journal=str(journal), count=count
        )
    )
    env = {**os.environ, "ARBOOK_SMTP_PASSWORD": PASSWORD}
    allowed_twice: dict[str, int] = {}
    killed = 0
    try:
        for _round in range(3):
            start = len(server.handler.accepted)
            target = start + rng.randint(1, 12)
            run = subprocess.Popen(
                [sys.executable, str(script)], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
            )
            deadline = time.monotonic() + 60
            while (
                len(server.handler.accepted) < target and run.poll() is None and time.monotonic() < deadline
            ):
                time.sleep(0.0005)
            time.sleep(rng.uniform(0, 0.02))  # anywhere in the loop: journalling, building, sending
            run.kill()
            killed += run.wait(timeout=30) == -signal.SIGKILL
            for key in _left_pending(journal):
                allowed_twice[key] = allowed_twice.get(key, 0) + 1
        final = subprocess.run(
            [sys.executable, str(script)], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert final.returncode == 0, final.stderr
    finally:
        server.stop()
    assert killed == 3, f"only {killed} of 3 runs were killed before they ended (seed {seed})"
    report = json.loads(final.stdout)
    assert sorted(report["already"] + report["delivered"]) == sorted(keys) and not report["failed"]
    arrived = Counter(server.handler.ids())
    assert set(arrived) == set(keys), f"lost: {set(keys) - set(arrived)} (seed {seed})"
    twice = {key: n for key, n in arrived.items() if n > 1}
    assert all(n - 1 <= allowed_twice.get(key, 0) for key, n in twice.items()), (
        f"sent twice without being left pending: {twice}, pending after kills: {allowed_twice} (seed {seed})"
    )
    rows = mailer.fold(mailer.Journal(journal).records(), pd.DataFrame(columns=mailer.MAILLOG_COLUMNS))
    assert set(rows.loc[rows["Status"] == "sent", "MessageID"]) == set(keys)
