"""The /status embed (pure: plain data in, embed out) and the database size it shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import discord

from bot.inference.metrics import PoolSnapshot, TaskMetrics, WorkerInfo
from bot.replies import truncate

OK_COLOUR = discord.Colour.green()
PROBLEM_COLOUR = discord.Colour.orange()
FIELD_LIMIT = 1024
MAX_WORKER_FIELDS = 8


@dataclass(frozen=True)
class StatusInfo:
    """Everything /status shows, read at one moment."""

    snapshot: PoolSnapshot
    started_at: datetime
    uptime_s: float
    database_bytes: int
    gateway_connected: bool
    workers_alive: int
    workers_expected: int
    queue_limit: int
    model_profile: str
    now: datetime


def database_bytes(path: Path) -> int:
    """The database file plus its write-ahead log (what the disk holds now)."""
    total = 0
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            total += candidate.stat().st_size
        except OSError:
            continue
    return total


def size(megabytes: float) -> str:
    return f"{megabytes / 1024:.1f} GB" if megabytes >= 1024 else f"{megabytes:.0f} MB"


def duration(seconds: float) -> str:
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s"


def milliseconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}ms"


def model_name(ref: str) -> str:
    """A hub id as it is; a local directory by its last part."""
    return ref.rstrip("/").rsplit("/", 1)[-1] if ref.startswith(("/", ".", "~")) else ref


def worker_field(worker: WorkerInfo, started: bool = True) -> tuple[str, str]:
    """One worker's field: a local worker process, or a Ray Serve replica (with its deployment,
    Serve's state for it and the requests it holds)."""
    device = worker.device + (
        f" ({worker.device_name})" if worker.device_name and worker.device_name != "CPU" else ""
    )
    if not started:
        state = "not started yet (starts with the first model request)"
    elif worker.deployment:
        ongoing = "" if worker.ongoing is None else f", {worker.ongoing} ongoing"
        state = f"{worker.state or 'state unknown'}{ongoing}"
        state = state if worker.alive else f"**{state}** (Ray replaces it)"
    elif worker.alive:
        state = "busy" if worker.busy else "idle"
    else:
        state = "**down** (restarting)"
    if worker.memory_total_mb:
        memory = f"{size(worker.memory_used_mb)} of {size(worker.memory_total_mb)} GPU memory"
    else:
        memory = f"worker RSS {size(worker.memory_used_mb)}"
    loaded = ", ".join(f"{task}: {model_name(ref)}" for task, ref in worker.loaded) or "none"
    value = f"{state} · {memory} · restarts {worker.restarts}\nModels: {loaded}"
    if worker.deployment:
        replica = f" {worker.replica_id}" if worker.replica_id else f" {worker.index}"
        return f"Replica{replica} · {worker.deployment} · {device}", truncate(value, FIELD_LIMIT)
    return f"Worker {worker.index} · {device}", truncate(value, FIELD_LIMIT)


TABLE_HEADER = (
    f"{'task':<24} {'req':>5} {'fail':>4} {'batch':>5} {'mean':>4} {'it/s':>5} {'p50':>7} {'p95':>7} {'q':>3}"
)


def task_row(task: str, figures: TaskMetrics) -> str:
    return (
        f"{task[:24]:<24} {figures.requests:>5} {figures.failures:>4} {figures.batches:>5} "
        f"{figures.mean_batch:>4.1f} {figures.items_per_s:>5.2f} {milliseconds(figures.p50_ms):>7} "
        f"{milliseconds(figures.p95_ms):>7} {figures.queued:>3}"
    )


def task_table(tasks: dict[str, TaskMetrics]) -> str:
    if not tasks:
        return "No model requests since the bot started."
    rows = [TABLE_HEADER, *(task_row(task, figures) for task, figures in tasks.items())]
    return truncate("```\n" + "\n".join(rows), FIELD_LIMIT - 4, "\n…") + "\n```"


def problems(info: StatusInfo) -> list[str]:
    found = []
    if not info.gateway_connected:
        found.append("the Discord gateway is not connected")
    if info.workers_alive < info.workers_expected:
        found.append(f"{info.workers_alive} of {info.workers_expected} inference workers are alive")
    return found


def status_embed(info: StatusInfo) -> discord.Embed:
    """One embed: health, devices and workers, queue, per-task figures, uptime, database size."""
    snapshot = info.snapshot
    found = problems(info)
    if found:
        headline = "⚠️ " + "; ".join(found)
    elif info.workers_expected:
        headline = (
            f"✅ Healthy: gateway connected, {info.workers_alive} of {info.workers_expected} workers alive"
        )
    else:
        headline = "✅ Healthy: gateway connected; the workers start with the first model request"
    embed = discord.Embed(
        title="studybot status",
        description=headline,
        colour=PROBLEM_COLOUR if found else OK_COLOUR,
        timestamp=info.now,
    )
    embed.add_field(
        name="Uptime",
        value=f"{duration(info.uptime_s)} (since {discord.utils.format_dt(info.started_at, 'f')})",
    )
    embed.add_field(
        name="Database",
        value=size(info.database_bytes / 2**20)
        if info.database_bytes >= 2**20
        else f"{info.database_bytes / 1024:.0f} kB",
    )
    embed.add_field(
        name="Queue",
        value=f"{snapshot.queue_depth} waiting · {snapshot.running} running · limit {info.queue_limit}",
    )
    for worker in snapshot.workers[:MAX_WORKER_FIELDS]:
        name, value = worker_field(worker, started=info.workers_expected > 0)
        embed.add_field(name=name, value=value, inline=False)
    if len(snapshot.workers) > MAX_WORKER_FIELDS:
        rest = snapshot.workers[MAX_WORKER_FIELDS:]
        alive = sum(worker.alive for worker in rest)
        embed.add_field(name="More workers", value=f"{len(rest)} more, {alive} alive", inline=False)
    if not snapshot.workers:
        embed.add_field(name="Workers", value="None started yet.", inline=False)
    embed.add_field(
        name="Tasks — requests, failures, batches, mean batch, items/s (last minute), latency, queued",
        value=task_table(snapshot.tasks),
        inline=False,
    )
    profile = "tiny offline models" if info.model_profile == "tiny" else "Hugging Face Hub checkpoints"
    loaded = f"{snapshot.loaded_models} models loaded ({profile})"
    embed.set_footer(text=f"Worker restarts: {snapshot.restarts} · {loaded} · updated")
    return embed
