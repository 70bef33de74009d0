"""Typed settings, read once from the environment and an optional ``.env`` file.

This is the only module that reads ``os.environ``. Every variable is declared once, in
``SETTINGS``, with its default, the parser that turns the text into a typed value and a one-line
meaning; the README's configuration table and ``.env.example`` are checked against that list by
the tests. A missing or malformed value raises :class:`SettingsError` with one sentence naming the
variable and what is expected; the CLI prints it and exits with code 2.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

__all__ = ["SETTINGS", "Secret", "Settings", "SettingsError", "load_settings"]

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MODEL_PROFILES = ("hub", "tiny")
INFERENCE_BACKENDS = ("local", "ray")
RAY_DEPLOYMENTS = ("task", "shared")
_RAY_ADDRESS_RE = re.compile(r"^(auto|(ray://)?[A-Za-z0-9][A-Za-z0-9.-]*:\d{1,5})$")
_DEVICE_RE = re.compile(r"^(cpu|cuda:\d{1,2})$")
_SNOWFLAKE_RE = re.compile(r"^\d{15,21}$")


class SettingsError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


class Secret:
    """A string that never shows itself in logs, reprs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret text, for the one place that needs it (logging in to Discord)."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


# --- parsers: each takes the raw text and returns the typed value or raises ValueError(expected) ---


def _token(raw: str) -> Secret | None:
    raw = raw.strip()
    if not raw:
        return None
    if any(ch.isspace() for ch in raw) or raw.count(".") != 2:
        raise ValueError("a bot token from the Discord developer portal (three parts separated by dots)")
    return Secret(raw)


def _snowflake(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not _SNOWFLAKE_RE.match(raw):
        raise ValueError("a Discord ID (15 to 21 digits), or nothing")
    return int(raw)


def _snowflakes(raw: str) -> tuple[int, ...]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if any(not _SNOWFLAKE_RE.match(part) for part in parts):
        raise ValueError("a comma-separated list of Discord channel IDs (15 to 21 digits each), or nothing")
    return tuple(int(part) for part in parts)


def _path(raw: str) -> Path:
    raw = raw.strip()
    if not raw:
        raise ValueError("a file or folder path")
    return Path(raw).expanduser()


def _file_path(raw: str) -> Path:
    path = _path(raw)
    if path.is_dir():
        raise ValueError("a file path, not a folder")
    return path


def _folder_path(raw: str) -> Path:
    path = _path(raw)
    if path.exists() and not path.is_dir():
        raise ValueError("a folder path, not a file")
    return path


def _optional_folder(raw: str) -> Path | None:
    return _folder_path(raw) if raw.strip() else None


def _optional_existing_file(raw: str) -> Path | None:
    if not raw.strip():
        return None
    path = _path(raw)
    if not path.is_file():
        raise ValueError("the path of an existing file, or nothing")
    return path


def _choice(options: tuple[str, ...], *, upper: bool = False) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().upper() if upper else raw.strip().lower()
        if value not in options:
            raise ValueError("one of " + ", ".join(options))
        return value

    return parse


def _int_range(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError(f"a whole number from {low} to {high}") from None
        if not low <= value <= high:
            raise ValueError(f"a whole number from {low} to {high}")
        return value

    return parse


def _rate(raw: str) -> tuple[int, float]:
    match = re.match(r"^\s*(\d{1,4})\s*/\s*(\d{1,6}(?:\.\d+)?)\s*s?\s*$", raw)
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        raise ValueError("a rate such as 4/30 (requests per seconds)")
    return int(match.group(1)), float(match.group(2))


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise ValueError("true or false")


def _host(raw: str) -> str:
    value = raw.strip()
    if value == "localhost":
        return value
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(
            "an IP address to listen on, such as 127.0.0.1 (this machine only) or 0.0.0.0"
        ) from None
    return value


def _float_range(low: float, high: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw.strip())
        except ValueError:
            raise ValueError(f"a number from {low:g} to {high:g}") from None
        if not low <= value <= high:
            raise ValueError(f"a number from {low:g} to {high:g}")
        return value

    return parse


def _devices(raw: str) -> tuple[str, ...]:
    value = raw.strip().lower()
    if value == "auto":
        return ("auto",)
    parts = tuple(part.strip() for part in value.split(",") if part.strip())
    if not parts or not all(_DEVICE_RE.match(part) for part in parts):
        raise ValueError("'auto', or a comma-separated list of devices such as 'cpu' or 'cuda:0,cuda:1'")
    if len(set(parts)) != len(parts):
        raise ValueError("a list of distinct devices")
    return parts


def _names(raw: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in raw.split(",") if part.strip())
    if any(len(name) > 100 for name in names):
        raise ValueError("a comma-separated list of role names of at most 100 characters each")
    return names


def _ray_address(raw: str) -> str:
    value = raw.strip()
    if value and not _RAY_ADDRESS_RE.match(value):
        raise ValueError("empty (a local Ray instance), 'auto', host:port of a Ray head, or ray://host:port")
    return value


def _gpus(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        value = -1.0
    if not (0 <= value <= 1 or (value.is_integer() and 1 <= value <= 16)):
        raise ValueError("0 (CPU), a fraction of one GPU such as 0.5, or a whole number of GPUs up to 16")
    return value


def _preload(raw: str) -> tuple[str, ...]:
    items = tuple(part.strip() for part in raw.split(",") if part.strip())
    if any(not re.match(r"^[a-z-]+(=\S+)?$", item) for item in items):
        raise ValueError(
            "a comma-separated list of tasks, each optionally as task=model (e.g. 'ner,fill-mask')"
        )
    return items


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default text, parser and meaning."""

    env: str
    field: str
    default: str
    parse: Callable[[str], Any]
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DISCORD_TOKEN",
        "discord_token",
        "",
        _token,
        "Bot token. Empty: `studybot run` opens the local console instead of connecting.",
    ),
    Setting(
        "DEV_GUILD_ID",
        "dev_guild_id",
        "",
        _snowflake,
        "Server to sync slash commands to at start (instant, for development). Empty: no sync at start.",
    ),
    Setting(
        "DATABASE_PATH",
        "database_path",
        "data/studybot.sqlite3",
        _file_path,
        "SQLite database file (created with its folder).",
    ),
    Setting(
        "HEALTH_FILE",
        "health_file",
        "data/health.json",
        _file_path,
        "Status file the running bot rewrites every 15 s; `studybot health` (Docker's HEALTHCHECK) reads it.",
    ),
    Setting(
        "METRICS_PORT",
        "metrics_port",
        "0",
        _int_range(0, 65535),
        "Port of the Prometheus metrics endpoint (`/metrics`: queue, batches, latency, workers). 0: off.",
    ),
    Setting(
        "METRICS_HOST",
        "metrics_host",
        "127.0.0.1",
        _host,
        "Address the metrics endpoint listens on: 127.0.0.1 (this machine) or 0.0.0.0 (e.g. in Docker).",
    ),
    Setting(
        "MODEL_PROFILE",
        "model_profile",
        "hub",
        _choice(MODEL_PROFILES),
        "`hub`: the catalog's Hugging Face checkpoints. `tiny`: tiny offline models built locally.",
    ),
    Setting(
        "MODEL_CACHE_DIR",
        "model_cache_dir",
        "",
        _optional_folder,
        "Where downloaded models are kept. Empty: the Hugging Face default (`HF_HOME`).",
    ),
    Setting(
        "TINY_MODELS_DIR",
        "tiny_models_dir",
        "data/tiny-models",
        _folder_path,
        "Where the tiny offline models are built on first use.",
    ),
    Setting(
        "MODEL_CATALOG",
        "catalog_path",
        "",
        _optional_existing_file,
        "A models.toml that replaces the bundled catalog (the models members may use).",
    ),
    Setting(
        "DEVICES",
        "devices",
        "auto",
        _devices,
        "`auto` (every CUDA GPU, else the CPU) or a list such as `cuda:0,cuda:1` or `cpu`.",
    ),
    Setting(
        "WORKERS_PER_DEVICE", "workers_per_device", "1", _int_range(1, 16), "Worker processes per device."
    ),
    Setting(
        "TORCH_THREADS",
        "torch_threads",
        "0",
        _int_range(0, 256),
        "Torch threads per CPU worker. 0: the machine's cores divided among the CPU workers.",
    ),
    Setting(
        "QUEUE_LIMIT",
        "queue_limit",
        "100",
        _int_range(1, 100_000),
        "Requests waiting or running at once, over all members; more are refused politely.",
    ),
    Setting(
        "MEMBER_INFLIGHT_LIMIT",
        "member_inflight_limit",
        "2",
        _int_range(1, 100),
        "Requests one member may have waiting or running at once.",
    ),
    Setting("MAX_BATCH", "max_batch", "32", _int_range(1, 1024), "Most requests in one micro-batch."),
    Setting(
        "MAX_WAIT_MS",
        "max_wait_ms",
        "5",
        _int_range(0, 10_000),
        "How long a new request may wait for others to join its batch.",
    ),
    Setting(
        "MAX_BATCH_TOKENS",
        "max_batch_tokens",
        "16384",
        _int_range(64, 10_000_000),
        "Most padded tokens in one micro-batch (items × longest input).",
    ),
    Setting(
        "TIMEOUT_SCALE",
        "timeout_scale",
        "1",
        _float_range(0.01, 100),
        "Multiplies every task's request timeout (60 s for classification up to 180 s for generation).",
    ),
    Setting(
        "MODEL_MEMORY_BUDGET_MB",
        "model_memory_budget_mb",
        "0",
        _int_range(0, 10_000_000),
        "Most megabytes of model weights one worker keeps loaded (least recently used evicted). 0: no limit.",
    ),
    Setting(
        "MAX_MODELS_PER_DEVICE",
        "max_models_per_device",
        "4",
        _int_range(1, 64),
        "Models kept loaded per worker; the least recently used is evicted beyond it.",
    ),
    Setting(
        "PRELOAD_MODELS",
        "preload_models",
        "",
        _preload,
        "Tasks (or task=model) to load when the bot starts, e.g. `sentiment-analysis,ner`.",
    ),
    Setting(
        "INFERENCE_BACKEND",
        "inference_backend",
        "local",
        _choice(INFERENCE_BACKENDS),
        "`local`: worker processes on this machine. `ray`: Ray Serve deployments (see Scaling out).",
    ),
    Setting(
        "RAY_ADDRESS",
        "ray_address",
        "",
        _ray_address,
        "Ray cluster to join: `host:port` of its head, `ray://host:10001` or `auto`. Empty: Ray in the bot.",
    ),
    Setting(
        "RAY_DEPLOYMENTS",
        "ray_deployments",
        "task",
        _choice(RAY_DEPLOYMENTS),
        "`task`: a Serve deployment per task, each scaled alone. `shared`: one for all tasks (less memory).",
    ),
    Setting(
        "RAY_LOCAL_CPUS",
        "ray_local_cpus",
        "0",
        _int_range(0, 1024),
        "CPUs the bot's own Ray instance offers (scheduling slots). 0: the cores, or enough for every task.",
    ),
    Setting(
        "RAY_REPLICAS_MIN",
        "ray_replicas_min",
        "1",
        _int_range(0, 256),
        "Fewest replicas per task deployment. 0: none while idle (the next request waits for one to start).",
    ),
    Setting(
        "RAY_REPLICAS_MAX",
        "ray_replicas_max",
        "1",
        _int_range(1, 256),
        "Most replicas per task deployment; above RAY_REPLICAS_MIN, Serve autoscales on ongoing requests.",
    ),
    Setting(
        "RAY_CPUS_PER_REPLICA",
        "ray_cpus_per_replica",
        "1",
        _float_range(0.05, 256),
        "CPUs Ray reserves per replica, also its torch threads (rounded up) unless TORCH_THREADS is set.",
    ),
    Setting(
        "RAY_GPUS_PER_REPLICA",
        "ray_gpus_per_replica",
        "0",
        _gpus,
        "GPUs per replica: 0 (CPU), a fraction such as 0.5 (replicas share one GPU) or whole GPUs.",
    ),
    Setting(
        "MODERATOR_ROLES",
        "moderator_roles",
        "Moderator",
        _names,
        "Role names that count as moderators, besides the Manage Server permission.",
    ),
    Setting(
        "DEMO_CHANNEL_IDS",
        "demo_channel_ids",
        "",
        _snowflakes,
        "Channels where model demos may run. Empty: everywhere.",
    ),
    Setting(
        "DEMO_RATE",
        "demo_rate",
        "4/30",
        _rate,
        "How many model demos one member may start per so many seconds, e.g. 4/30.",
    ),
    Setting(
        "MESSAGE_CONTENT_INTENT",
        "message_content_intent",
        "false",
        _bool,
        "true: /qa and /summarize may read linked messages (enable the intent in the developer portal too).",
    ),
    Setting(
        "LOG_LEVEL", "log_level", "INFO", _choice(LOG_LEVELS, upper=True), "DEBUG, INFO, WARNING or ERROR."
    ),
)


@dataclass(frozen=True)
class Settings:
    """Every setting of the bot, typed. Build it with :func:`load_settings`."""

    discord_token: Secret | None
    dev_guild_id: int | None
    database_path: Path
    health_file: Path
    metrics_port: int
    metrics_host: str
    model_profile: str
    model_cache_dir: Path | None
    tiny_models_dir: Path
    catalog_path: Path | None
    devices: tuple[str, ...]
    workers_per_device: int
    torch_threads: int
    queue_limit: int
    member_inflight_limit: int
    max_batch: int
    max_wait_ms: int
    max_batch_tokens: int
    timeout_scale: float
    model_memory_budget_mb: int
    max_models_per_device: int
    preload_models: tuple[str, ...]
    inference_backend: str
    ray_address: str
    ray_deployments: str
    ray_local_cpus: int
    ray_replicas_min: int
    ray_replicas_max: int
    ray_cpus_per_replica: float
    ray_gpus_per_replica: float
    moderator_roles: tuple[str, ...]
    demo_channel_ids: tuple[int, ...]
    demo_rate: tuple[int, float]
    message_content_intent: bool
    log_level: str

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (used by the local console and the tests)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)


def env_example() -> str:
    """The text of ``.env.example``: every variable with its meaning and default."""
    import textwrap

    lines = [
        "# studybot configuration. Copy to .env and fill in what you need; every line is optional.",
        "# The process environment wins over this file. See the README's configuration table.",
        "",
    ]
    for setting in SETTINGS:
        lines.extend("# " + line for line in textwrap.wrap(setting.meaning.replace("`", ""), 96))
        lines.extend([f"{setting.env}={setting.default}", ""])
    return "\n".join(lines).rstrip() + "\n"


def markdown_table() -> str:
    """The README's configuration table."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "(empty)"
        rows.append(f"| `{setting.env}` | {default} | {setting.meaning} |")
    return "\n".join(rows) + "\n"


def describe(settings: Settings) -> str:
    """The effective settings, one ``NAME=value`` per line, the token hidden."""
    lines = []
    for setting in SETTINGS:
        value = getattr(settings, setting.field)
        if setting.env == "DISCORD_TOKEN":
            shown = "(set, hidden)" if value is not None else "(empty)"
        elif isinstance(value, tuple):
            shown = ",".join(str(item) for item in value)
        else:
            shown = "" if value is None else str(value)
        lines.append(f"{setting.env}={shown}")
    return "\n".join(lines) + "\n"


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = Path(".env")
) -> Settings:
    """Read every setting from ``environ`` (default: the process environment) over ``.env``.

    Variables set in the environment win over the same variable in the ``.env`` file, as with
    python-dotenv's default. Raises :class:`SettingsError` on the first bad value.
    """
    source: dict[str, str] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        source.update({key: value for key, value in dotenv_values(dotenv_path).items() if value is not None})
    source.update(os.environ if environ is None else environ)

    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = source.get(setting.env, setting.default)
        try:
            values[setting.field] = setting.parse(raw)
        except ValueError as exc:
            shown = "(hidden)" if setting.env == "DISCORD_TOKEN" else repr(raw)
            raise SettingsError(f"{setting.env} must be {exc}; got {shown}.") from None
    if values["ray_replicas_max"] < values["ray_replicas_min"]:
        raise SettingsError(
            f"RAY_REPLICAS_MAX must be at least RAY_REPLICAS_MIN ({values['ray_replicas_min']}); "
            f"got {values['ray_replicas_max']}."
        )
    return Settings(**values)
