"""The Ray backend's control plane: connecting, deploying the task deployments, reading their state.

Everything here is synchronous Ray API and runs on :data:`CONNECTION`'s one thread, never on the
event loop. One thread, for the life of the process, because ``ray.init`` is per process and
because a local Ray instance started by ``ray.init`` dies with the *thread* that started it
(Ray makes its daemons' parent-death signal follow the spawning thread).

Connecting checks first that the address answers at all (one TCP connection, a few seconds):
``ray.init`` on an address where nothing listens retries for minutes before giving up.

Two reads here use Ray Serve internals, because Ray 2.60 has no public Python API for them (its
public ``serve.status()`` counts replicas per state, nothing more; the per-replica details are
public only as the dashboard's REST API, ``GET /api/serve/applications/``, which the bot's own
Ray instance does not run): the replicas' details (ids, states, pids, actor names) from Serve's
controller client, and each replica's ongoing-request count from its actor. Both are confined to
:func:`_details` and :func:`_ask_ongoing`; when a Ray release moves either, /status falls back to
the public counts or shows the ongoing count as unknown, and the bot keeps working.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import math
import os
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from bot.inference.errors import ClusterUnavailable
from bot.inference.ray_serve import ReplicaConfig, TaskReplica
from bot.settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

NAMESPACE = "studybot"
APP_PREFIX = "studybot-"
#: Seconds to wait for the cluster's address to accept a TCP connection.
REACH_TIMEOUT_S = 5.0
#: Calls Serve lets one replica hold at once (the bot keeps fewer in flight: see ray_backend).
MAX_ONGOING_CALLS = 4
#: Seconds for a replica's ongoing-request count before the status shows it as unknown.
ONGOING_TIMEOUT_S = 1.0


SHARED = "shared"


def app_name(name: str) -> str:
    """The Serve application holding the deployment ``name`` (a task, or "shared")."""
    return f"{APP_PREFIX}{name}"


def deployment_name(settings: Settings, task: str) -> str:
    """The deployment that serves ``task``: its own (RAY_DEPLOYMENTS=task) or the shared one."""
    return SHARED if settings.ray_deployments == SHARED else task


def where(settings: Settings) -> str:
    """The cluster in words, for logs and /about."""
    return f"the Ray cluster at {settings.ray_address}" if settings.ray_address else "a local Ray instance"


def local_cpus(settings: Settings) -> int:
    """CPUs the in-process Ray instance offers (RAY_LOCAL_CPUS, or enough for every task).

    These are Ray's scheduling slots, not cores: by default there is room for one replica of
    every task even on a 2-core machine, whose replicas then share the cores.
    """
    if settings.ray_local_cpus:
        return settings.ray_local_cpus
    from bot.inference.catalog import TASK_NAMES

    deployments = 1 if settings.ray_deployments == SHARED else len(TASK_NAMES)
    wanted = deployments * max(1, settings.ray_replicas_min) * settings.ray_cpus_per_replica
    return max(os.cpu_count() or 1, math.ceil(wanted))


# --- connecting ------------------------------------------------------------------------------------


def check_reachable(address: str, timeout_s: float = REACH_TIMEOUT_S) -> None:
    """Raise :class:`ClusterUnavailable` unless ``host:port`` (or ``ray://host:port``) accepts TCP."""
    if address in ("", "auto"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ClusterUnavailable(
            f"The model cluster at {address} cannot be reached ({reason.lower()}), so model demos are off "
            "for now; everything else works. The operator can check RAY_ADDRESS and the cluster."
        ) from None


class RayConnection:
    """This process's one connection to Ray, shared by every Ray backend in it (tests, the bench).

    The first backend connects (starting a local instance when RAY_ADDRESS is empty); the last
    one to let go disconnects, and stops the local instance if it started one.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="studybot-ray")
        self.users = 0
        self.address: str | None = None  # RAY_ADDRESS of the current connection ("" = local)
        self.started_locally = False

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``function`` on the Ray thread and wait for it without blocking the loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(function, *args, **kwargs))

    def acquire(self, settings: Settings) -> None:
        """Connect (or join the existing connection); raises ClusterUnavailable."""
        import ray

        check_reachable(settings.ray_address)
        if ray.is_initialized():
            if self.address is not None and self.address != settings.ray_address:
                raise ClusterUnavailable(
                    f"This process is already connected to {self.address or 'a local Ray instance'}; "
                    f"it cannot also use {settings.ray_address or 'a local one'}."
                )
        else:
            self._init(settings)
        self.users += 1

    def _init(self, settings: Settings) -> None:
        import ray

        _hide_expected_sigterm_warning()
        from ray import serve

        options: dict[str, Any] = {
            "namespace": NAMESPACE,
            "logging_level": logging.WARNING,
            "log_to_driver": False,  # replica logs stay in Ray's session logs (ray logs / the dashboard)
            "configure_logging": False,  # Ray's messages go through the bot's own logging
        }
        try:
            if settings.ray_address:
                ray.init(address=settings.ray_address, **options)
            else:
                ray.init(address="local", num_cpus=local_cpus(settings), include_dashboard=False, **options)
            # No HTTP proxy: the bot calls its deployments through handles.
            serve.start(proxy_location="Disabled")
        except ClusterUnavailable:
            raise
        except Exception as error:
            hint = (
                " (Ray's RAY_AUTH_MODE and token must match the cluster's: a head started by `ray start` "
                "with a token asks for RAY_AUTH_MODE=token and its ~/.ray/auth_token or RAY_AUTH_TOKEN; "
                "README, Scaling out)"
                if settings.ray_address
                else ""
            )
            log.warning("Could not connect to %s: %s%s", where(settings), error, hint)
            if ray.is_initialized():
                ray.shutdown()
            raise ClusterUnavailable(
                f"The model cluster could not be joined ({type(error).__name__}), so model demos are off "
                "for now; everything else works."
            ) from None
        logging.getLogger("ray").setLevel(logging.WARNING)
        logging.getLogger("ray.serve").setLevel(logging.WARNING)
        self.address = settings.ray_address
        self.started_locally = not settings.ray_address
        log.info("Connected to %s", where(settings))

    def release(self) -> None:
        """One backend is done; the last one disconnects (and stops a local instance)."""
        import ray
        from ray import serve

        self.users = max(0, self.users - 1)
        if self.users or not ray.is_initialized():
            return
        if self.started_locally:
            try:
                serve.shutdown()
            except Exception as error:  # shutting down anyway
                log.warning("Serve did not shut down cleanly: %s", error)
        ray.shutdown()
        self.address, self.started_locally = None, False


def _is_not_the_sigterm_notice(record: logging.LogRecord) -> bool:
    return not record.getMessage().startswith("SIGTERM handler is not set")


def _hide_expected_sigterm_warning() -> None:
    """``ray.init`` outside the main thread warns that it set no SIGTERM handler. That is by
    design here (Ray lives on its own thread; the bot handles SIGTERM and SIGINT itself and
    disconnects from Ray on the way out), so the notice is dropped; Ray's other warnings stay."""
    worker_log = logging.getLogger("ray._private.worker")
    if _is_not_the_sigterm_notice not in worker_log.filters:
        worker_log.addFilter(_is_not_the_sigterm_notice)


#: The process's connection (``ray.init`` is per process).
CONNECTION = RayConnection()


# --- deploying ---------------------------------------------------------------------------------------


def code_fingerprint() -> str:
    """A hash of the inference code: a bot restarted on the same code and settings reuses the
    running replicas (warm models) instead of replacing them."""
    import ray

    import bot

    digest = hashlib.sha256(f"{bot.__version__} ray {ray.__version__}".encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")) + sorted(root.glob("*.toml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def deployment_options(settings: Settings, name: str, tasks: tuple[str, ...]) -> dict[str, Any]:
    """Serve options of a deployment: resources, replicas or autoscaling bounds."""
    from bot.inference.runners import RUNNER_TYPES

    needs_model = any(RUNNER_TYPES[task].auto_model_class is not None for task in tasks)
    options: dict[str, Any] = {
        "name": name,
        "ray_actor_options": {
            "num_cpus": settings.ray_cpus_per_replica,
            # A tokenizer-only task never needs a GPU.
            "num_gpus": settings.ray_gpus_per_replica if needs_model else 0,
        },
        "max_ongoing_requests": MAX_ONGOING_CALLS,
        "health_check_period_s": 5.0,
        "health_check_timeout_s": 30.0,
        "graceful_shutdown_timeout_s": 10.0,
    }
    low, high = settings.ray_replicas_min, settings.ray_replicas_max
    if low == high:
        options["num_replicas"] = low
    else:
        options["autoscaling_config"] = {
            "min_replicas": low,
            "max_replicas": high,
            "initial_replicas": max(low, 1),
            # One chunk (about one batch) per replica: more waiting means another replica helps.
            "target_ongoing_requests": 1,
            "upscale_delay_s": 10.0,
            "downscale_delay_s": 300.0,
        }
    return options


@dataclass(frozen=True)
class Plan:
    """One deployment as the bot wants it."""

    name: str
    config: ReplicaConfig
    options: dict[str, Any]
    fingerprint: str


def make_plan(settings: Settings, config: ReplicaConfig, code: str) -> Plan:
    options = deployment_options(settings, config.name, config.tasks)
    text = f"{code} {config!r} {sorted(options.items())!r}"
    return Plan(config.name, config, options, hashlib.sha256(text.encode()).hexdigest()[:16])


def deploy(plans: list[Plan]) -> list[str]:
    """Start deploying (without waiting) every plan whose application is not already running with
    the same fingerprint; returns the names of the deployments that were (re)deployed."""
    from ray import serve
    from ray.serve import RunTarget

    declare: Any = serve.deployment  # typed for use as a decorator, not called on a class

    running = _running_fingerprints()
    targets, names = [], []
    for plan in plans:
        if running.get(app_name(plan.name)) == plan.fingerprint:
            continue
        deployment = declare(TaskReplica).options(
            **plan.options, user_config={"fingerprint": plan.fingerprint}
        )
        targets.append(
            RunTarget(target=deployment.bind(plan.config), name=app_name(plan.name), route_prefix=None)
        )
        names.append(plan.name)
    if targets:
        serve.run_many(targets, wait_for_applications_running=False)
    return names


def _running_fingerprints() -> dict[str, str]:
    """{application: fingerprint} of this bot's applications that are RUNNING now."""
    found: dict[str, str] = {}
    try:
        details = _details()
    except Exception:
        return found
    for name, app in details.get("applications", {}).items():
        if not name.startswith(APP_PREFIX) or _text(app.get("status")) != "RUNNING":
            continue
        for deployment in app.get("deployments", {}).values():
            user_config = (deployment.get("deployment_config") or {}).get("user_config") or {}
            if user_config.get("fingerprint"):
                found[name] = user_config["fingerprint"]
    return found


def app_status(name: str) -> tuple[str, str]:
    """(status, message) of a deployment's application: DEPLOYING, RUNNING, DEPLOY_FAILED, NOT_STARTED, …"""
    from ray import serve

    app = serve.status().applications.get(app_name(name))
    if app is None:
        return "NOT_STARTED", ""
    messages = [app.message] + [d.message for d in app.deployments.values()]
    return _text(app.status), " ".join(message for message in messages if message)


def get_handle(name: str) -> Any:
    """A handle on the deployment ``name``."""
    from ray import serve

    return serve.get_app_handle(app_name(name))


# --- reading the state --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaView:
    """One replica as Serve reports it."""

    replica_id: str
    state: str
    pid: int | None
    node_ip: str
    ongoing: int | None  # requests the replica holds now (None: it did not answer in time)


@dataclass(frozen=True)
class DeploymentView:
    """One deployment as Serve reports it."""

    name: str
    status: str
    target: int
    replicas: list[ReplicaView] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)  # recently stopped or dead replica ids

    @property
    def running(self) -> int:
        return sum(1 for replica in self.replicas if replica.state == "RUNNING")


def read_deployments(names: list[str]) -> dict[str, DeploymentView]:
    """The deployments ``names``: replicas, their state and ongoing requests (Serve's details)."""
    import ray

    details = _details()
    views: dict[str, DeploymentView] = {}
    asks: list[tuple[str, int, Any]] = []
    for name in names:
        app = details.get("applications", {}).get(app_name(name))
        if app is None:
            continue
        deployment = app.get("deployments", {}).get(name, {})
        replicas = []
        for replica in deployment.get("replicas", []):
            state = _text(replica.get("state"))
            replicas.append(
                ReplicaView(
                    str(replica.get("replica_id", "")),
                    state,
                    replica.get("pid"),
                    str(replica.get("node_ip", "")),
                    None,
                )
            )
            if state == "RUNNING" and replica.get("actor_name"):
                ask = _ask_ongoing(str(replica["actor_name"]))
                if ask is not None:
                    asks.append((name, len(replicas) - 1, ask))
        dead = [str(replica.get("replica_id", "")) for replica in deployment.get("recent_dead_replicas", [])]
        views[name] = DeploymentView(
            name,
            _text(deployment.get("status")),
            int(deployment.get("target_num_replicas") or 0),
            replicas,
            dead,
        )
    if asks:
        ready, _ = ray.wait([ref for _, _, ref in asks], num_returns=len(asks), timeout=ONGOING_TIMEOUT_S)
        answered = set(ready)
        for name, index, ref in asks:
            if ref not in answered:
                continue
            try:
                ongoing = int(ray.get(ref, timeout=0))
            except Exception:
                continue
            view = views[name]
            replica = view.replicas[index]
            view.replicas[index] = ReplicaView(
                replica.replica_id, replica.state, replica.pid, replica.node_ip, ongoing
            )
    return views


# --- Ray Serve internals (no public Python API in Ray 2.60; see the module's docstring) -----------

#: Set once a Ray Serve internal the bot reads is found missing (warned about once, not every read).
_MISSING_INTERNALS: set[str] = set()


def _missing_internal(what: str, error: BaseException) -> None:
    if what not in _MISSING_INTERNALS:
        _MISSING_INTERNALS.add(what)
        log.warning("Ray Serve's %s is unavailable in this Ray release (%s); /status shows less", what, error)


def _details() -> dict[str, Any]:
    """Serve's detailed status (``ServeInstanceDetails``, a public schema: what the REST API
    ``GET /api/serve/applications/`` returns): replicas with ids, states, pids and actor names.

    Read from Serve's controller client (private: ``ray.serve.context._get_global_client``), which
    is also what the public ``serve.status()`` reads before reducing it to counts per state. Should
    a Ray release move it, those public counts are used instead: /status then shows the replicas'
    states without their ids, pids or ongoing counts.
    """
    try:
        from ray.serve.context import _get_global_client

        client = _get_global_client()
        if client is None:
            raise TypeError("Serve has no controller client")
        read = client.get_serve_details
    except (ImportError, AttributeError, TypeError) as error:
        _missing_internal("controller client (replica details)", error)
        return _public_details()
    return read()


def _ask_ongoing(actor_name: str) -> Any | None:
    """Ask a replica's actor how many requests it holds (an object ref), or None when it cannot be
    asked. ``get_num_ongoing_requests`` is a method of Serve's private replica actor class; the
    actor's name comes from the public ``ReplicaDetails``."""
    import ray

    try:
        actor = ray.get_actor(actor_name, namespace="serve")
    except Exception:  # the replica is gone meanwhile
        return None
    try:
        return actor.get_num_ongoing_requests.remote()
    except AttributeError as error:
        _missing_internal("replica ongoing-request count", error)
        return None
    except Exception:  # the replica is gone meanwhile
        return None


def _public_details() -> dict[str, Any]:
    """What ``serve.status()`` (public API) tells, in the shape of Serve's detailed status."""
    from ray import serve

    applications: dict[str, Any] = {}
    for app_name_, app in serve.status().applications.items():
        deployments = {}
        for name, overview in app.deployments.items():
            replicas = [
                {"replica_id": f"{_text(state).lower()}-{number}", "state": state}
                for state, count in overview.replica_states.items()
                for number in range(1, count + 1)
            ]
            deployments[name] = {
                "status": overview.status,
                "target_num_replicas": len(replicas),
                "replicas": replicas,
            }
        applications[app_name_] = {"deployments": deployments}
    return {"applications": applications}


def _text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")
