"""Does a long write hold up the bot's reads? Read latency during a write, one connection or two.

    .venv/bin/python benchmarks/db_contention.py [--rows 20000] [--reads 400] [--writes 1000]

A real database file with the bot's schema, in WAL mode as the bot opens it. Three figures:

1. *reads during a long write*: one unit of work inserts ``--rows`` resources in one transaction
   (an import), while ``--reads`` small reads (one resource by id, as /resources show does) are
   issued at once; each read's latency is measured. Run with the reads on the writer's connection
   (aiosqlite runs a connection's calls one at a time, on one thread: reads wait behind the write)
   and on a second, read-only connection (WAL lets it read the last committed state meanwhile).
2. *reads during a burst of small writes*: ``--writes`` one-row units of work (a demo call stored,
   a question asked) at once, with the same reads beside them.
3. *the small writes themselves*: how long the burst takes with SQLite's default
   ``synchronous=FULL`` and with ``NORMAL`` (the WAL setting that syncs at checkpoints only).

Prints latencies (p50/p99/max, milliseconds) and the event loop's longest stall.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiosqlite

from bot.db import apply_migrations, open_database
from bot.db.connection import open_reader
from bot.db.transaction import transaction

GUILD = 1


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):7.1f}   p99 {p99:7.1f}   max {ordered[-1]:7.1f} ms"


async def insert_resources(db: aiosqlite.Connection, count: int, start: int) -> None:
    """One unit of work adding ``count`` resources (what an import does)."""
    async with transaction(db):
        await db.executemany(
            "INSERT INTO resources (guild_id, title, url, url_key, category, description, added_by) "
            "VALUES (?, ?, ?, ?, 'tools', 'A resource', 1)",
            [
                (GUILD, f"Resource {n}", f"https://example.com/{n}", f"example.com/{n}")
                for n in range(start, start + count)
            ],
        )


async def small_write(db: aiosqlite.Connection, number: int) -> None:
    """One unit of work of one row (a demo call stored)."""
    async with transaction(db):
        await db.execute(
            "INSERT INTO demo_runs (guild_id, user_id, task, model, inputs, params) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (GUILD, number, "sentiment-analysis", None, '["text"]', "{}"),
        )


async def timed_reads(reader: aiosqlite.Connection, count: int) -> list[float]:
    async def one(number: int) -> float:
        began = time.perf_counter()
        async with reader.execute(
            "SELECT * FROM resources WHERE guild_id = ? AND id = ?", (GUILD, 1 + number % 50)
        ) as cursor:
            await cursor.fetchone()
        return (time.perf_counter() - began) * 1000

    return list(await asyncio.gather(*(one(n) for n in range(count))))


async def loop_stall(stop: asyncio.Event) -> float:
    """The longest gap between two wake-ups of a 1 ms ticker (ms)."""
    worst, last = 0.0, time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        worst, last = max(worst, (now - last) * 1000 - 1), now
    return worst


async def during(
    work: Callable[[], Awaitable[None]], reader: aiosqlite.Connection, reads: int
) -> tuple[list[float], float]:
    """Read latencies while ``work`` runs (the reads start just after it)."""
    stop = asyncio.Event()
    ticker = asyncio.create_task(loop_stall(stop))
    task = asyncio.create_task(work())
    await asyncio.sleep(0)  # the write is issued first
    latencies = await timed_reads(reader, reads)
    await task
    stop.set()
    return latencies, await ticker


async def run(rows: int, reads: int, writes: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        writer = await open_database(path)
        await apply_migrations(writer)
        second = await open_reader(path)
        await insert_resources(writer, 100, 0)
        try:
            print(f"1. {reads} reads while one unit of work inserts {rows:,} rows")
            for start, (name, reader) in enumerate(
                (("same connection", writer), ("second connection", second))
            ):
                latencies, stall = await during(
                    lambda start=start: insert_resources(writer, rows, 1000 + start * rows), reader, reads
                )
                print(f"   reads on the {name:<18} {percentiles(latencies)}   loop stall {stall:.1f} ms")
            print(f"2. {reads} reads during {writes} one-row units of work")
            for name, reader in (("same connection", writer), ("second connection", second)):

                async def burst() -> None:
                    await asyncio.gather(*(small_write(writer, n) for n in range(writes)))

                latencies, stall = await during(burst, reader, reads)
                print(f"   reads on the {name:<18} {percentiles(latencies)}   loop stall {stall:.1f} ms")
            print(f"3. {writes} one-row units of work at once")
            for mode in ("FULL", "NORMAL"):
                await writer.execute(f"PRAGMA synchronous = {mode}")
                began = time.perf_counter()
                await asyncio.gather(*(small_write(writer, n) for n in range(writes)))
                seconds = time.perf_counter() - began
                each = seconds / writes * 1000
                print(f"   synchronous={mode:<7} {seconds * 1000:8.0f} ms in all, {each:.2f} ms each")
        finally:
            await second.close()
            await writer.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--reads", type=int, default=400)
    parser.add_argument("--writes", type=int, default=1000)
    args = parser.parse_args(argv)
    asyncio.run(run(args.rows, args.reads, args.writes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
