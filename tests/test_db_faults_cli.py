"""Database faults at start-up, through the real CLI on a real SQLite file.

Each fault is made for real, not mocked:

- read-only file / folder: ``chattr +i`` (the tests run as root, and root ignores permission bits;
  the immutable attribute stops root too). Without root, ``chmod a-w`` does the same job.
- read-only filesystem and full disk: a small tmpfs, mounted in a private mount namespace
  (``unshare --map-root-user --mount``, which needs no root), remounted read-only or filled;
  the mount disappears with the process, so nothing is left mounted if a test fails.
- garbage and damaged files: random bytes over a fresh file or over a real database's pages.
- a lock: a second process holding ``BEGIN EXCLUSIVE`` on the file.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).parents[1]

# The CLI subprocesses reuse the session's tiny models (see the tiny_dir fixture).
pytestmark = pytest.mark.usefixtures("tiny_dir")

RESOURCES_LINE = "/resources add title:Hub url:https://huggingface.co/models category:tools"


def _environment(database: Path, **env: str) -> dict[str, str]:
    home = database.parent
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "HF_HUB_OFFLINE": "1",
        "DATABASE_PATH": str(database),
        "MODEL_PROFILE": "tiny",
        "TINY_MODELS_DIR": os.environ.get("STUDYBOT_TEST_TINY_DIR", str(home / "tiny")),
        "HEALTH_FILE": os.environ.get("STUDYBOT_TEST_HEALTH", str(home / "health.json")),
        **env,
    }


def studybot(
    args: list[str], database: Path, *, cwd: Path, wrap: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    """``studybot ARGS`` on ``database``; ``wrap`` is a shell prefix run first (mounts)."""
    command = [sys.executable, "-m", "bot", *args]
    if wrap is not None:
        command = ["unshare", "--map-root-user", "--mount", "sh", "-c", f"{wrap} && {shlex.join(command)}"]
    return subprocess.run(
        command,
        env={**_environment(database, **env), "PYTHONPATH": str(REPO)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_line_exit_2(result: subprocess.CompletedProcess, *parts: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    line = result.stderr.splitlines()[-1]
    assert line.startswith("studybot: database error: cannot "), line
    for part in parts:
        assert part in line, line
    return line


def make_database(path: Path, tmp_path: Path) -> None:
    """A real studybot database (every migration applied) with one resource in it."""
    done = studybot(["try", RESOURCES_LINE, "--moderator"], path, cwd=tmp_path)
    assert done.returncode == 0 and "Saved **Hub**" in done.stdout, done.stderr + done.stdout


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` (a file or a folder) read-only even for root, for the duration."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(mode & ~0o222)
        try:
            yield
        finally:
            path.chmod(mode)


@pytest.fixture
def health_elsewhere(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The health file outside the faulty folder: only the database is under test."""
    monkeypatch.setenv("STUDYBOT_TEST_HEALTH", str(tmp_path_factory.mktemp("health") / "health.json"))


# --- faults that stop the start: one line, exit 2, the file left as it was -------------------------


def test_a_garbage_file_stops_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    garbage = os.urandom(8192)
    database.write_bytes(garbage)
    result = studybot(["try", "/about"], database, cwd=tmp_path)
    assert_one_line_exit_2(result, str(database), "is not an SQLite database", "DATABASE_PATH")
    assert database.read_bytes() == garbage


def test_a_damaged_database_stops_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    make_database(database, tmp_path)
    data = bytearray(database.read_bytes())
    data[100:4096] = os.urandom(3996)  # the schema page, after a valid header
    database.write_bytes(bytes(data))
    result = studybot(["try", "/about"], database, cwd=tmp_path)
    assert_one_line_exit_2(result, "the database file is damaged", "restore a backup")
    assert database.read_bytes() == bytes(data)


def test_a_folder_that_cannot_be_created_stops_with_one_line(tmp_path: Path) -> None:
    parent = tmp_path / "locked-away"
    parent.mkdir()
    with read_only(parent):
        result = studybot(["try", "/about"], parent / "data" / "db.sqlite3", cwd=tmp_path)
    assert_one_line_exit_2(result, f"its folder {parent / 'data'} cannot be created")


def test_a_new_database_in_a_read_only_folder_stops_with_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    with read_only(folder):
        result = studybot(["try", "/about"], folder / "db.sqlite3", cwd=tmp_path)
    assert_one_line_exit_2(result, "cannot open the database")
    assert not (folder / "db.sqlite3").exists()


@pytest.mark.parametrize(
    ("size", "where"),
    [("16k", "cannot open the database"), ("48k", "cannot bring the database to schema version 1")],
    ids=["no-room-to-open", "no-room-to-migrate"],
)
def test_a_full_disk_stops_a_new_database_with_one_line(tmp_path: Path, size: str, where: str) -> None:
    mount = tmp_path / "tiny-disk"
    mount.mkdir()
    result = studybot(
        ["try", "/about"],
        mount / "db.sqlite3",
        cwd=tmp_path,
        wrap=f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(mount))}",
    )
    assert_one_line_exit_2(result, where, "the disk is full", "free some space")


def test_a_lock_held_by_another_process_stops_a_new_database_with_one_line(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    with holding_a_lock(database):
        result = studybot(["try", "/about"], database, cwd=tmp_path)
    assert_one_line_exit_2(result, "locked by another program", "another studybot")


def test_db_backup_of_a_garbage_file_says_so_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    database.write_bytes(os.urandom(8192))
    result = studybot(["db", "backup", str(tmp_path / "copy.sqlite3")], database, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"studybot db backup: cannot copy {database} to {tmp_path / 'copy.sqlite3'}: the database file "
        "is not an SQLite database; point DATABASE_PATH at the bot's database, or move this file away "
        "to start an empty one"
    ]


def test_run_and_console_stop_the_same_way(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    database.write_bytes(os.urandom(8192))
    for args in (["run"], ["console"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            env={**_environment(database), "PYTHONPATH": str(REPO)},
            cwd=tmp_path,
            input="/about\n",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert_one_line_exit_2(result, "is not an SQLite database")


# --- faults that let the bot start: reads work, changes are refused clearly -------------------------


@contextlib.contextmanager
def holding_a_lock(database: Path) -> Iterator[None]:
    """A second process holds ``BEGIN EXCLUSIVE`` on ``database`` until the block ends."""
    code = (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(database)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def assert_reads_work_and_changes_are_refused(
    database: Path, tmp_path: Path, reason: str, wrap: str | None = None
) -> None:
    listed = studybot(["try", "/resources list"], database, cwd=tmp_path, wrap=wrap)
    assert listed.returncode == 0, listed.stderr
    assert "Hub" in listed.stdout, listed.stdout
    assert f"can be read but not written: {reason}" in listed.stderr  # the operator is told at start
    assert "Traceback" not in listed.stderr, listed.stderr
    added = studybot(
        ["try", RESOURCES_LINE.replace("Hub", "Docs").replace("/models", "/docs"), "--moderator"],
        database,
        cwd=tmp_path,
        wrap=wrap,
    )
    assert added.returncode == 0, added.stderr
    assert f"The bot cannot save right now ({reason}); nothing was changed." in added.stdout
    assert "Something went wrong" not in added.stdout and "Traceback" not in added.stderr


def _titles(database: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return [row[0] for row in db.execute("SELECT title FROM resources ORDER BY title")]


@pytest.mark.usefixtures("health_elsewhere")
def test_a_read_only_database_file_starts_serves_reads_and_refuses_changes(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    make_database(database, tmp_path)
    with read_only(database):
        assert_reads_work_and_changes_are_refused(database, tmp_path, "the database is read-only")
    assert _titles(database) == ["Hub"]


@pytest.mark.usefixtures("health_elsewhere")
def test_a_database_in_a_read_only_folder_starts_serves_reads_and_refuses_changes(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    database = folder / "db.sqlite3"
    make_database(database, tmp_path)
    with read_only(folder):
        assert_reads_work_and_changes_are_refused(database, tmp_path, "the database is read-only")
    assert _titles(database) == ["Hub"]


@pytest.mark.usefixtures("health_elsewhere")
def test_a_database_on_a_read_only_filesystem_starts_serves_reads_and_refuses_changes(
    tmp_path: Path,
) -> None:
    prepared = tmp_path / "prepared.sqlite3"
    make_database(prepared, tmp_path)
    mount = tmp_path / "ro-disk"
    mount.mkdir()
    disk = shlex.quote(str(mount))
    wrap = (
        f"mount -t tmpfs -o size=4m tmpfs {disk} && cp {shlex.quote(str(prepared))} {disk}/db.sqlite3 "
        f"&& mount -o remount,ro {disk}"
    )
    assert_reads_work_and_changes_are_refused(
        mount / "db.sqlite3", tmp_path, "the database is read-only", wrap
    )


@pytest.mark.usefixtures("health_elsewhere")
def test_a_database_locked_by_another_process_starts_serves_reads_and_refuses_changes(
    tmp_path: Path,
) -> None:
    database = tmp_path / "db.sqlite3"
    make_database(database, tmp_path)
    with holding_a_lock(database):
        assert_reads_work_and_changes_are_refused(
            database, tmp_path, "the database is locked by another program"
        )
    assert _titles(database) == ["Hub"]


def test_a_read_only_folder_with_changes_left_in_the_log_stops_with_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    source = tmp_path / "source.sqlite3"
    writer = sqlite3.connect(source)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # the change stays in the -wal file
    writer.execute("CREATE TABLE t (x)")
    writer.commit()
    shutil.copy(source, folder / "db.sqlite3")
    shutil.copy(tmp_path / "source.sqlite3-wal", folder / "db.sqlite3-wal")  # as a crash leaves them
    writer.close()
    with read_only(folder):
        result = studybot(["try", "/about"], folder / "db.sqlite3", cwd=tmp_path)
    assert_one_line_exit_2(result, "it is read-only and its last changes are still in db.sqlite3-wal")
