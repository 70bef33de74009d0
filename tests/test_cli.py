"""The `studybot` command line: try, console, sync, db backup — as a newcomer runs them."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.db.backup import backup_database
from bot.local.console import Console
from bot.local.session import LocalSession
from bot.sync import sync_commands

# The CLI subprocesses reuse the session's tiny models (see the tiny_dir fixture).
pytestmark = pytest.mark.usefixtures("tiny_dir")


def studybot(
    args: list[str], tmp_path: Path, stdin: str | None = None, timeout: float = 180, **env: str
) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "HF_HUB_OFFLINE": "1",
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
        "TINY_MODELS_DIR": os.environ.get("STUDYBOT_TEST_TINY_DIR", str(tmp_path / "tiny")),
        "HEALTH_FILE": str(tmp_path / "health.json"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=environment,
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_try_prints_the_rendered_reply(tmp_path: Path) -> None:
    result = studybot(["try", "/about"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "╭ studybot" in result.stdout
    assert "▸ Version" in result.stdout
    # The hub is unreachable here and nothing is cached: the banner says tiny models are used.
    assert "the Hugging Face Hub can't be reached" in result.stderr
    assert "small offline models trained on studybot's own examples" in result.stdout
    assert "`studybot models download`" in result.stderr


def test_try_json_prints_one_request_per_line(tmp_path: Path) -> None:
    result = studybot(["try", "/about", "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and lines[0]["method"] == "POST" and lines[0]["path"].endswith("/callback")
    assert lines[0]["json"]["data"]["embeds"][0]["title"] == "studybot"
    assert lines[0]["files"] == [] and isinstance(lines[0]["at_ms"], float)


def test_try_sends_a_raw_payload_whose_ids_are_foreign(tmp_path: Path) -> None:
    payload = {
        "id": "1111111111111111111",
        "application_id": "2222222222222222222",
        "type": 2,
        "token": "foreign-token",
        "version": 1,
        "guild_id": "3333333333333333333",
        "channel_id": "4444444444444444444",
        "member": {
            "user": {
                "id": "5555555555555555555",
                "username": "someone",
                "discriminator": "0",
                "avatar": None,
            },
            "roles": [],
            "permissions": "0",
            "joined_at": "2026-01-01T00:00:00+00:00",
            "flags": 0,
        },
        "data": {"id": "6666666666666666666", "name": "about", "type": 1},
        "locale": "en-US",
        "attachment_size_limit": 8388608,
    }
    file = tmp_path / "payload.json"
    file.write_text(json.dumps(payload))
    result = studybot(["try", "--payload", str(file), "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    (callback,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert callback["path"] == "/interactions/1111111111111111111/foreign-token/callback"


def test_try_exits_1_when_the_bot_does_not_answer(tmp_path: Path) -> None:
    author = {"id": "2222222222222222222", "username": "studybot", "discriminator": "0", "avatar": None}
    payload = {
        "id": "1111111111111111111",
        "application_id": "2222222222222222222",
        # A PING: Discord sends it to HTTP endpoints only, never over the gateway, so nothing in
        # the bot answers it (a press of an unknown button is answered: tests/test_unrouted.py).
        "type": 1,
        "token": "foreign-token",
        "version": 1,
        "guild_id": "3333333333333333333",
        "channel_id": "4444444444444444444",
        "member": {
            "user": {**author, "id": "5555555555555555555", "username": "someone"},
            "roles": [],
            "permissions": "0",
            "joined_at": "2026-01-01T00:00:00+00:00",
            "flags": 0,
        },
        "locale": "en-US",
        "attachment_size_limit": 8388608,
    }
    file = tmp_path / "ping.json"
    file.write_text(json.dumps(payload))
    result = studybot(["try", "--payload", str(file), "--models", "tiny"], tmp_path)
    assert result.returncode == 1
    assert "studybot try: the bot did not answer the interaction" in result.stderr
    assert "(the bot did not answer)" in result.stdout


def test_try_fails_clearly_on_an_unknown_command(tmp_path: Path) -> None:
    result = studybot(["try", "/nope"], tmp_path)
    assert result.returncode == 2
    assert "unknown command /nope" in result.stderr


def test_console_reads_standard_input_and_exits_0(tmp_path: Path) -> None:
    result = studybot(["console"], tmp_path, stdin="/about\nhelp\n")
    assert result.returncode == 0, result.stderr
    assert "studybot local console" in result.stdout
    assert "the Hugging Face Hub can't be reached" in result.stdout  # the fallback banner
    assert "Grace: /about" in result.stdout and "▸ Version" in result.stdout
    assert "click <label>" in result.stdout


def test_run_without_a_token_opens_the_console(tmp_path: Path) -> None:
    result = studybot(["run"], tmp_path, stdin="/about\n")
    assert result.returncode == 0, result.stderr
    assert "No DISCORD_TOKEN is set" in result.stderr
    assert "▸ Version" in result.stdout


def test_the_readmes_make_run_sample_is_what_it_prints(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    sample = readme.split("$ printf '/about\\n' | make run\n", 1)[1].split("\n…\n", 1)[0].splitlines()
    make_line, token_line, *console_lines = sample
    assert make_line == ".venv/bin/studybot run"  # make echoes the command it runs
    result = studybot(["run"], tmp_path, stdin="/about\n")
    assert result.returncode == 0, result.stderr
    assert token_line in result.stderr.splitlines()
    printed = result.stdout.splitlines()
    assert printed[: len(console_lines)] == console_lines


def test_run_no_console_needs_a_token(tmp_path: Path) -> None:
    result = studybot(["run", "--no-console"], tmp_path, stdin="/about\n")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "studybot: configuration error: DISCORD_TOKEN must be set (in the environment or .env) "
        "to connect to Discord."
    ]
    assert result.stdout == ""


def test_sync_needs_a_token(tmp_path: Path) -> None:
    result = studybot(["sync"], tmp_path)
    assert result.returncode == 2
    assert "set DISCORD_TOKEN first" in result.stderr


async def test_sync_registers_every_command(session: LocalSession) -> None:
    assert session.bot is not None
    names = await sync_commands(session.bot, None)
    assert "about" in names
    synced = session.double.synced_commands[None]
    assert {command["name"] for command in synced} == set(names)
    guild_names = await sync_commands(session.bot, session.double.world.guild_id)
    assert guild_names == names
    cleared = await sync_commands(session.bot, None, clear=True)
    assert cleared == [] and session.double.synced_commands[None] == []


def test_db_backup_copies_a_live_database(tmp_path: Path) -> None:
    source = tmp_path / "live.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (x)")
        db.executemany("INSERT INTO t VALUES (?)", [(n,) for n in range(100)])
    writer = sqlite3.connect(source)  # a second connection holding uncheckpointed WAL pages
    writer.execute("INSERT INTO t VALUES (100)")
    writer.commit()
    pages = backup_database(source, tmp_path / "backups" / "copy.sqlite3")
    writer.close()
    assert pages >= 1
    with sqlite3.connect(tmp_path / "backups" / "copy.sqlite3") as copy:
        assert copy.execute("SELECT count(*) FROM t").fetchone()[0] == 101


def test_db_backup_cli(tmp_path: Path) -> None:
    missing = studybot(["db", "backup", str(tmp_path / "b.sqlite3")], tmp_path)
    assert missing.returncode == 2 and "no database at" in missing.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute("CREATE TABLE t (x)")
    ok = studybot(["db", "backup", str(tmp_path / "b.sqlite3")], tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "b.sqlite3").is_file()


def test_try_saves_attachments_and_state_persists_between_calls(tmp_path: Path) -> None:
    starter = studybot(["try", "/resources starter-pack", "--moderator"], tmp_path)
    assert starter.returncode == 0, starter.stderr
    files = tmp_path / "files"
    exported = studybot(
        ["try", "/resources export format:json", "--moderator", "--files", str(files), "--json"], tmp_path
    )
    assert exported.returncode == 0, exported.stderr
    (saved,) = files.iterdir()
    assert saved.suffix == ".json"
    data = json.loads(saved.read_text())
    assert "huggingface.co" in json.dumps(data)  # the starter pack from the first call is in the database
    assert f"saved {saved}" in exported.stderr
    # --json names each uploaded file with its size.
    uploads = [item for line in exported.stdout.splitlines() for item in json.loads(line)["files"]]
    assert uploads == [{"filename": saved.name, "bytes": saved.stat().st_size}]


def test_try_refuses_a_database_from_a_newer_studybot_and_exits(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        db.execute("PRAGMA user_version = 999")
    # A short timeout: a start that fails after opening the database must still close it, or
    # aiosqlite's thread keeps the process alive.
    result = studybot(["try", "/about"], tmp_path, timeout=90, MODEL_PROFILE="tiny")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()[-1:]
    assert line.startswith("studybot: database error: the database is at schema version 999")
    assert "Traceback" not in result.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 999  # left as it was


def test_a_catalog_that_breaks_at_start_stops_with_one_line(tmp_path: Path) -> None:
    catalog = tmp_path / "models.toml"
    catalog.write_text("this is [not toml")
    result = studybot(
        ["try", "/about"], tmp_path, timeout=90, MODEL_PROFILE="tiny", MODEL_CATALOG=str(catalog)
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith("studybot: configuration error: model catalog ")
    assert "Traceback" not in result.stderr


def test_try_models_tiny_and_a_plain_member_without_moderator(tmp_path: Path) -> None:
    result = studybot(["try", "/resources starter-pack", "--models", "tiny"], tmp_path, MODEL_PROFILE="hub")
    assert result.returncode == 0, result.stderr
    assert "Models: small offline models trained on this machine" in result.stderr
    assert "can't be reached" not in result.stderr  # asked for, not a fallback
    # Without --moderator, `try` asks as a plain member: the moderator command is refused.
    assert "This is for moderators" in result.stdout


async def test_console_presses_buttons_by_label_and_switches_members(session: LocalSession) -> None:
    out = io.StringIO()
    stdin = io.StringIO("as Ada\n/status\nclick Refresh\nclick Nope\nquit\n/about\n")
    await Console(session, out, stdin).loop()
    text = out.getvalue()
    assert "(now acting as Ada)" in text and "Ada: /status" in text
    assert text.count("[Refresh]") == 2, text  # shown after /status, and again after the click
    clicks = [r for r in session.double.requests if r.path.endswith("/callback")]
    assert clicks[-1].json["type"] == 7  # the button press edited the status message in place
    assert "! no component 'Nope' on that message" in text
    assert "/about" not in text  # nothing is read after quit


async def test_console_presses_a_button_on_an_earlier_message_by_its_number(session: LocalSession) -> None:
    out = io.StringIO()
    stdin = io.StringIO(
        "as Ada\n"
        "/homework post week:1 title:Read chapter 1 due:2030-03-10 18:00\n"
        "/papers starter-list\n"
        "as Grace\n"
        "/about\n"
        "click 1 Mark done\n"
        "click #1 Remind me\n"
        "click 9 Mark done\n"
        "quit\n"
    )
    await Console(session, out, stdin).loop()
    text = out.getvalue()
    assert "#1 studybot:" in text  # the announcement, numbered for click
    assert "✅ Marked **Week 1 · Read chapter 1** as done" in text
    assert "🔔 Reminder on, but you have marked **Week 1 · Read chapter 1** done" in text
    assert "! there is no message #9 with buttons" in text
    assert session.bot is not None
    async with session.bot.db.execute(
        "SELECT COUNT(*) FROM homework_status WHERE done_at IS NOT NULL"
    ) as cursor:
        assert (await cursor.fetchone())[0] == 1
