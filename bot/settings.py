"""Typed settings, read once from the environment and an optional ``.env`` file (pydantic-settings).

Each setting is one field of :class:`Settings`, and the field is its only declaration: the
environment variable is the field name in capitals (``alias_generator``; ``MODEL_CATALOG`` is the
one alias written out), the default is the field's default, the accepted values are its type
(``Field(ge=…, le=…)``, ``Literal``, ``SecretStr``, or a validator below for the values written as
text such as ``4/30``), and the meaning is its ``description``. The README's configuration
table, ``.env.example`` and ``studybot config`` are generated from the fields, and the tests
compare the committed copies with them.

A malformed value raises :class:`SettingsError` with one sentence naming the variable and what it
expects; the CLI prints it and exits with code 2. ``studybot config`` prints every value in the
form this module reads back (:func:`describe`). This is the only module that reads ``os.environ``.
"""

from __future__ import annotations

import ipaddress
import os
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, get_args, get_origin

from annotated_types import Ge, Le
from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    SecretStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.event_loop import EventLoopName

__all__ = [
    "VARIABLES",
    "Secret",
    "Settings",
    "SettingsError",
    "Variable",
    "describe",
    "env_example",
    "load_settings",
    "markdown_table",
]

_SNOWFLAKE_RE = re.compile(r"^\d{15,21}$")
_DEVICE_RE = re.compile(r"^(cpu|cuda:\d{1,2})$")
_RAY_ADDRESS_RE = re.compile(r"^(auto|(ray://)?[A-Za-z0-9][A-Za-z0-9.-]*:\d{1,5})$")
_RATE_RE = re.compile(r"^\s*(\d{1,4})\s*/\s*(\d{1,6}(?:\.\d+)?)\s*s?\s*$")
_PRELOAD_RE = re.compile(r"^[a-z-]+(=\S+)?$")


class SettingsError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


class Secret(SecretStr):
    """pydantic's :class:`~pydantic.SecretStr` (hidden in reprs, logs and tracebacks)."""

    def reveal(self) -> str:
        """The secret text, for the one place that needs it (logging in to Discord)."""
        return self.get_secret_value()


# --- validators for the values written as text ------------------------------------------------
# Each takes the raw text and returns the typed value, or refuses it with the sentence that ends
# "VARIABLE must be …" (pydantic's own checks — numbers, bounds, choices — are described from the
# field's type by _expected()).


def _refuse(expected: str) -> NoReturn:
    raise PydanticCustomError("setting", "{expected}", {"expected": expected})


def _from_text(parse: Callable[[str], Any]) -> BeforeValidator:
    """Run ``parse`` on text; typed values (from code, e.g. ``Settings.replace``) pass through."""
    return BeforeValidator(lambda value: parse(value) if isinstance(value, str) else value)


def _comma_list(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _token(raw: str) -> Secret | None:
    raw = raw.strip()
    if not raw:
        return None
    if any(ch.isspace() for ch in raw) or raw.count(".") != 2:
        _refuse("a bot token from the Discord developer portal (three parts separated by dots)")
    return Secret(raw)


def _snowflake(raw: str) -> int | None:
    raw = raw.strip()
    if raw and not _SNOWFLAKE_RE.match(raw):
        _refuse("a Discord ID (15 to 21 digits), or nothing")
    return int(raw) if raw else None


def _snowflakes(raw: str) -> tuple[int, ...]:
    parts = _comma_list(raw)
    if not all(_SNOWFLAKE_RE.match(part) for part in parts):
        _refuse("a comma-separated list of Discord channel IDs (15 to 21 digits each), or nothing")
    return tuple(int(part) for part in parts)


def _path(raw: str) -> Path:
    if not raw.strip():
        _refuse("a file or folder path")
    return Path(raw.strip()).expanduser()


def _file_path(raw: str) -> Path:
    path = _path(raw)
    if path.is_dir():
        _refuse("a file path, not a folder")
    return path


def _folder_path(raw: str) -> Path:
    path = _path(raw)
    if path.exists() and not path.is_dir():
        _refuse("a folder path, not a file")
    return path


def _optional_folder(raw: str) -> Path | None:
    return _folder_path(raw) if raw.strip() else None


def _optional_existing_file(raw: str) -> Path | None:
    if not raw.strip():
        return None
    path = _path(raw)
    if not path.is_file():
        _refuse("the path of an existing file, or nothing")
    return path


def _host(raw: str) -> str:
    value = raw.strip()
    if value != "localhost":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            _refuse("an IP address to listen on, such as 127.0.0.1 (this machine only) or 0.0.0.0")
    return value


def _devices(raw: str) -> tuple[str, ...]:
    parts = _comma_list(raw.lower())
    if parts == ("auto",):
        return parts
    if not parts or not all(_DEVICE_RE.match(part) for part in parts):
        _refuse("'auto', or a comma-separated list of devices such as 'cpu' or 'cuda:0,cuda:1'")
    if len(set(parts)) != len(parts):
        _refuse("a list of distinct devices")
    return parts


def _names(raw: str) -> tuple[str, ...]:
    names = _comma_list(raw)
    if any(len(name) > 100 for name in names):
        _refuse("a comma-separated list of role names of at most 100 characters each")
    return names


def _preload(raw: str) -> tuple[str, ...]:
    items = _comma_list(raw)
    if not all(_PRELOAD_RE.match(item) for item in items):
        _refuse("a comma-separated list of tasks, each optionally as task=model (e.g. 'ner,fill-mask')")
    return items


def _ray_address(raw: str) -> str:
    value = raw.strip()
    if value and not _RAY_ADDRESS_RE.match(value):
        _refuse("empty (a local Ray instance), 'auto', host:port of a Ray head, or ray://host:port")
    return value


def _gpus(raw: str) -> float:
    try:
        value = float(raw.strip())
    except ValueError:
        value = -1.0
    if not (0 <= value <= 1 or (value.is_integer() and 1 <= value <= 16)):
        _refuse("0 (CPU), a fraction of one GPU such as 0.5, or a whole number of GPUs up to 16")
    return value


def _rate(raw: str) -> tuple[int, float]:
    match = _RATE_RE.match(raw)
    if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
        _refuse("a rate such as 4/30 (requests per seconds)")
    return int(match.group(1)), float(match.group(2))


def _number_text(value: float) -> str:
    """``30.0`` → ``30``, ``0.5`` → ``0.5``: the shortest text that reads back as the same number."""
    text = repr(float(value))
    return text.removesuffix(".0")


def _rate_text(rate: tuple[int, float]) -> str:
    return f"{rate[0]}/{_number_text(rate[1])}"


def _flag(raw: str) -> str:
    """An empty value means false, as in most ``.env`` files; pydantic reads the rest."""
    return raw.strip() or "false"


def _lower(raw: str) -> str:
    return raw.strip().lower()


def _upper(raw: str) -> str:
    return raw.strip().upper()


def _stripped(raw: str) -> str:
    return raw.strip()


# --- the types of the settings ----------------------------------------------------------------

Token = Annotated[Secret | None, _from_text(_token)]
Snowflake = Annotated[int | None, _from_text(_snowflake)]
Snowflakes = Annotated[tuple[int, ...], _from_text(_snowflakes)]
FilePath = Annotated[Path, _from_text(_file_path)]
FolderPath = Annotated[Path, _from_text(_folder_path)]
OptionalFolder = Annotated[Path | None, _from_text(_optional_folder)]
OptionalExistingFile = Annotated[Path | None, _from_text(_optional_existing_file)]
Host = Annotated[str, _from_text(_host)]
Devices = Annotated[tuple[str, ...], _from_text(_devices)]
Names = Annotated[tuple[str, ...], _from_text(_names)]
Preload = Annotated[tuple[str, ...], _from_text(_preload)]
RayAddress = Annotated[str, _from_text(_ray_address)]
Gpus = Annotated[float, _from_text(_gpus)]
Rate = Annotated[
    tuple[int, float], _from_text(_rate), PlainSerializer(_rate_text, return_type=str, when_used="json")
]
Flag = Annotated[bool, _from_text(_flag)]
Whole = Annotated[int, _from_text(_stripped)]
Number = Annotated[float, _from_text(_stripped)]
LogLevel = Annotated[Literal["DEBUG", "INFO", "WARNING", "ERROR"], _from_text(_upper)]
ModelProfile = Annotated[Literal["hub", "tiny"], _from_text(_lower)]
InferenceBackendName = Annotated[Literal["local", "ray"], _from_text(_lower)]
RayDeployments = Annotated[Literal["task", "shared"], _from_text(_lower)]
EventLoop = Annotated[EventLoopName, _from_text(_lower)]


class Settings(BaseSettings):
    """Every setting of the bot, typed. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        alias_generator=str.upper,
        case_sensitive=True,
        enable_decoding=False,  # lists are comma-separated text, never JSON
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        protected_namespaces=(),
        use_attribute_docstrings=True,  # each field's docstring is its description
    )

    discord_token: Token = None
    """Bot token. Empty: `studybot run` opens the local console instead of connecting."""

    dev_guild_id: Snowflake = None
    """Server to sync slash commands to at start (instant, for development). Empty: no sync at start."""

    database_path: FilePath = Path("data/studybot.sqlite3")
    """SQLite database file (created with its folder)."""

    health_file: FilePath = Path("data/health.json")
    """Status file the running bot rewrites every 15 s; `studybot health` (Docker's HEALTHCHECK) reads it."""

    metrics_port: Whole = Field(0, ge=0, le=65535)
    """Port of the Prometheus metrics endpoint (`/metrics`: queue, batches, latency, workers). 0: off."""

    metrics_host: Host = "127.0.0.1"
    """Address the metrics endpoint listens on: 127.0.0.1 (this machine) or 0.0.0.0 (e.g. in Docker)."""

    model_profile: ModelProfile = "hub"
    """`hub`: the catalog's Hugging Face checkpoints. `tiny`: small offline models trained on this machine."""

    model_cache_dir: OptionalFolder = None
    """Where downloaded models are kept. Empty: the Hugging Face default (`HF_HOME`)."""

    tiny_models_dir: FolderPath = Path("data/tiny-models")
    """Where the offline models are trained on first use (then reused)."""

    catalog_path: OptionalExistingFile = Field(None, alias="MODEL_CATALOG")
    """A models.toml that replaces the bundled catalog (the models members may use)."""

    devices: Devices = ("auto",)
    """`auto` (every CUDA GPU, else the CPU) or a list such as `cuda:0,cuda:1` or `cpu`."""

    workers_per_device: Whole = Field(1, ge=1, le=16)
    """Worker processes per device."""

    torch_threads: Whole = Field(0, ge=0, le=256)
    """Torch threads per CPU worker. 0: the machine's cores divided among the CPU workers."""

    worker_niceness: Whole = Field(5, ge=0, le=19)
    """Nice increment of the worker processes: on a busy machine the bot answers Discord first."""

    queue_limit: Whole = Field(100, ge=1, le=100_000)
    """Requests waiting or running at once, over all members; more are refused politely."""

    member_inflight_limit: Whole = Field(2, ge=1, le=100)
    """Requests one member may have waiting or running at once."""

    max_batch: Whole = Field(32, ge=1, le=1024)
    """Most requests in one micro-batch."""

    max_wait_ms: Whole = Field(5, ge=0, le=10_000)
    """How long a new request may wait for others to join its batch."""

    max_batch_tokens: Whole = Field(16384, ge=64, le=10_000_000)
    """Most padded tokens in one micro-batch (items × longest input)."""

    timeout_scale: Number = Field(1.0, ge=0.01, le=100)
    """Multiplies every task's request timeout (60 s for classification up to 180 s for generation)."""

    model_memory_budget_mb: Whole = Field(0, ge=0, le=10_000_000)
    """Most megabytes of model weights one worker keeps loaded (least recently used evicted). 0: no limit."""

    max_models_per_device: Whole = Field(4, ge=1, le=64)
    """Models kept loaded per worker; the least recently used is evicted beyond it."""

    preload_models: Preload = ()
    """Tasks (or task=model) to load when the bot starts, e.g. `sentiment-analysis,ner`."""

    inference_backend: InferenceBackendName = "local"
    """`local`: worker processes on this machine. `ray`: Ray Serve deployments (see Scaling out)."""

    ray_address: RayAddress = ""
    """Ray cluster to join: `host:port` of its head, `ray://host:10001` or `auto`. Empty: Ray in the bot."""

    ray_deployments: RayDeployments = "task"
    """`task`: a Serve deployment per task, each scaled alone. `shared`: one for all tasks (less memory)."""

    ray_local_cpus: Whole = Field(0, ge=0, le=1024)
    """CPUs the bot's own Ray instance offers (scheduling slots). 0: the cores, or enough for every task."""

    ray_replicas_min: Whole = Field(1, ge=0, le=256)
    """Fewest replicas per task deployment. 0: none while idle (the next request waits for one to start)."""

    ray_replicas_max: Whole = Field(1, ge=1, le=256)
    """Most replicas per task deployment; above RAY_REPLICAS_MIN, Serve autoscales on ongoing requests."""

    ray_cpus_per_replica: Number = Field(1.0, ge=0.05, le=256)
    """CPUs Ray reserves per replica, also its torch threads (rounded up) unless TORCH_THREADS is set."""

    ray_gpus_per_replica: Gpus = 0.0
    """GPUs per replica: 0 (CPU), a fraction such as 0.5 (replicas share one GPU) or whole GPUs."""

    moderator_roles: Names = ("Moderator",)
    """Role names that count as moderators, besides the Manage Server permission."""

    demo_channel_ids: Snowflakes = ()
    """Channels where model demos may run. Empty: everywhere."""

    demo_rate: Rate = (4, 30.0)
    """How many model demos one member may start per so many seconds, e.g. 4/30."""

    message_content_intent: Flag = False
    """true: /qa and /summarize may read linked messages (enable the intent in the developer portal too)."""

    log_level: LogLevel = "INFO"
    """DEBUG, INFO, WARNING or ERROR."""

    event_loop: EventLoop = "uvloop"
    """`uvloop` (faster under bursts; asyncio's own loop where it is not installed) or `asyncio`."""

    @model_validator(mode="after")
    def _replicas_in_order(self) -> Settings:
        if self.ray_replicas_max < self.ray_replicas_min:
            raise PydanticCustomError(
                "setting",
                "{expected}",
                {
                    "variable": "RAY_REPLICAS_MAX",
                    "expected": f"at least RAY_REPLICAS_MIN ({self.ray_replicas_min})",
                    "got": str(self.ray_replicas_max),
                },
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # load_settings passes the environment it was given (the process's by default) as init
        # values, so that tests can hand over an explicit one: it wins over the .env file.
        return (init_settings, dotenv_settings)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (used by the local console and the tests)."""
        return self.model_copy(update=changes)


@dataclass(frozen=True)
class Variable:
    """One environment variable, as the docs show it: derived from its :class:`Settings` field."""

    env: str
    field: str
    default: str
    meaning: str


def _text(value: Any) -> str:
    """A value of ``Settings.model_dump(mode="json")`` as it is written in ``.env``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, list | tuple):
        return ",".join(_text(item) for item in value)
    return str(value)


def _texts(settings: Settings) -> dict[str, str]:
    return {name: _text(value) for name, value in settings.model_dump(mode="json").items()}


_DEFAULTS = _texts(Settings.model_construct())

#: Every variable in declaration order, with its default as written in ``.env``.
VARIABLES: tuple[Variable, ...] = tuple(
    Variable(field.alias or name.upper(), name, _DEFAULTS[name], field.description or "")
    for name, field in Settings.model_fields.items()
)
_ENV_NAMES = frozenset(variable.env for variable in VARIABLES)
_BY_ENV = {variable.env: variable for variable in VARIABLES}
_BY_FIELD = {variable.field: variable for variable in VARIABLES}


def env_example() -> str:
    """The text of ``.env.example``: every variable with its meaning and default."""
    lines = [
        "# studybot configuration. Copy to .env and fill in what you need; every line is optional.",
        "# The process environment wins over this file. See the README's configuration table.",
        "",
    ]
    for variable in VARIABLES:
        lines.extend("# " + line for line in textwrap.wrap(variable.meaning.replace("`", ""), 96))
        lines.extend([f"{variable.env}={variable.default}", ""])
    return "\n".join(lines).rstrip() + "\n"


def markdown_table() -> str:
    """The README's configuration table."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for variable in VARIABLES:
        default = f"`{variable.default}`" if variable.default else "(empty)"
        rows.append(f"| `{variable.env}` | {default} | {variable.meaning} |")
    return "\n".join(rows) + "\n"


_PLAIN_RE = re.compile(r"[\w./:,=@+*~-]*( [\w./:,=@+*~-]+)*")


def _env_line(env: str, text: str) -> str:
    """``NAME=value``, the value single-quoted (python-dotenv's escapes) when it has to be."""
    if _PLAIN_RE.fullmatch(text):
        return f"{env}={text}"
    return f"{env}='" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def describe(settings: Settings) -> str:
    """The effective settings as a ``.env`` file that :func:`load_settings` reads back unchanged.

    The token is never shown: when it is set, its line is a comment, so the text read back keeps
    whatever token the environment or ``.env`` already holds.
    """
    lines = []
    for name, text in _texts(settings).items():
        env = _BY_FIELD[name].env
        if name == "discord_token":
            lines.append(f"# {env}=(set, hidden)" if settings.discord_token is not None else f"{env}=")
        else:
            lines.append(_env_line(env, text))
    return "\n".join(lines) + "\n"


def _expected(variable: Variable) -> str:
    """What a variable accepts, in words, from its field's type and bounds."""
    field = Settings.model_fields[variable.field]
    low = next((item.ge for item in field.metadata if isinstance(item, Ge)), None)
    high = next((item.le for item in field.metadata if isinstance(item, Le)), None)
    kind = field.annotation
    while get_origin(kind) is Annotated:
        kind = get_args(kind)[0]
    if kind is int:
        return f"a whole number from {low} to {high}"
    if kind is float:
        return f"a number from {low:g} to {high:g}"
    if kind is bool:
        return "true or false"
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(get_args(kind))
    raise AssertionError(f"no description of what {variable.env} accepts")  # a new type: add it here


def _one_line(error: ValidationError) -> str:
    """The first problem of ``error`` as "VARIABLE must be …; got '…'."."""
    problem = error.errors(include_url=False)[0]
    context = problem.get("ctx") or {}
    env = str(context.get("variable") or problem["loc"][0])
    variable = _BY_ENV[env]
    expected = context.get("expected") if problem["type"] == "setting" else _expected(variable)
    if variable.field == "discord_token":
        shown = "(hidden)"
    elif "got" in context:
        shown = str(context["got"])
    else:
        shown = repr(problem["input"])
    return f"{env} must be {expected}; got {shown}."


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv_path: Path | None = Path(".env")
) -> Settings:
    """Read every setting from ``environ`` (default: the process environment) over ``.env``.

    Variables set in the environment win over the same variable in the ``.env`` file, as with
    python-dotenv's default. ``dotenv_path=None`` reads no file. Raises :class:`SettingsError`
    on the first bad value.
    """
    source = os.environ if environ is None else environ
    given: dict[str, Any] = {name: value for name, value in source.items() if name in _ENV_NAMES}
    try:
        return Settings(_env_file=dotenv_path, **given)  # type: ignore[call-arg]  # a BaseSettings option
    except ValidationError as error:
        raise SettingsError(_one_line(error)) from None
    except UnicodeDecodeError:
        raise SettingsError(f"{dotenv_path} must be a UTF-8 text file.") from None
