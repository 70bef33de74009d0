"""Load: bursts of interactions from distinct members against the real bot, measured from outside.

    .venv/bin/python benchmarks/load.py [--bursts 200,1000] [--burn] [--profile DIR] [--json]

The Discord double runs in this process; the real, unmodified bot runs in a process of its own
(``--serve``, started here), so the bot's event loop is measured alone. The bot uses the tiny offline
models on one CPU worker, a fresh database, the default limits (QUEUE_LIMIT, MEMBER_INFLIGHT_LIMIT,
DEMO_RATE) and INFO logging, as an operator would run it.

Each burst sends N interactions at once, each from a different member, mixing the model demos
(/sentiment, /fillmask, /ner, /tokenize: half of them), /ask (a fifth), /homework list and
/resources search. For each burst it prints:

- the fraction acknowledged within Discord's 3 seconds (the double refuses a later first response),
  and the acknowledgement latency p50 / p99 (first response as received by the double);
- the bot's event-loop lag p99 / max during the burst (a 5 ms ticker inside the bot process);
- final answers (a demo's result, a list, a queued question) and refusals by reason (ephemeral
  answers such as a full model queue), and what was left unfinished;
- the load average (``uptime``) at the start: the machine is shared;
- which event loop the bot ran on (``EVENT_LOOP``, uvloop by default, as ``studybot run``).

``--burn`` runs every burst again with one CPU-burning process beside it. ``--profile DIR`` writes a
cProfile of the bot's event-loop thread during each burst (``DIR/<burst>.txt``, by own time); the
bot then runs on asyncio's own loop, whose callbacks the profile times one by one.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import io
import json
import logging
import multiprocessing
import os
import pstats
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("benchmarks.load")

DEADLINE_S = 3.0
TICK_S = 0.005
#: Commands of a burst, by share: (share, a function of the member's number giving the command line)
DEMOS = [
    "/sentiment text:I love this course, number {n}",
    "/fillmask text:This course will teach you all about [MASK] models. top_k:3",
    "/ner text:My name is Sylvain {n} and I work at Hugging Face in Brooklyn.",
    "/tokenize text:Using a Transformer network is simple ({n})",
]
#: The other commands of a burst and their default shares (the demos take the rest).
COMMANDS = {
    "ask": "/ask question:What does the attention mask do in example {n}?",
    "homework": "/homework list",
    "search": "/resources search query:tokenizers",
}
DEFAULT_MIX = "demos=0.5,ask=0.2,homework=0.15,search=0.15"


def parse_mix(text: str) -> list[tuple[float, str | None]]:
    """``demos=0.5,ask=0.2,…`` → (share, command line or None for the demos), shares summing to 1."""
    parts = []
    for item in text.split(","):
        name, _, share = item.partition("=")
        if name.strip() != "demos" and name.strip() not in COMMANDS:
            raise SystemExit(f"--mix: unknown command {name!r}; use demos, {', '.join(COMMANDS)}")
        parts.append((float(share), None if name.strip() == "demos" else COMMANDS[name.strip()]))
    total = sum(share for share, _ in parts)
    return [(share / total, line) for share, line in parts]


# --- the bot's process ------------------------------------------------------------------------------


class LagMonitor:
    """The event loop's lag: how late a 5 ms sleep wakes up, sampled between start() and stop()."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.recording = False
        self.profile: cProfile.Profile | None = None
        self.slow_steps: Counter[str] = Counter()
        self.slow_seconds: defaultdict[str, float] = defaultdict(float)
        self.cpu_began = 0.0
        #: The garbage collector's pauses while recording: (generation, seconds).
        self.gc_pauses: list[tuple[int, float]] = []
        self._gc_began = 0.0

    def watch_the_collector(self) -> None:
        """Time each of the garbage collector's runs (``gc.callbacks``): a full collection stops the
        loop for as long as it takes to scan every tracked object."""

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                self._gc_began = time.perf_counter()
            elif self.recording:
                self.gc_pauses.append((info["generation"], time.perf_counter() - self._gc_began))

        gc.callbacks.append(on_gc)

    def time_every_step(self) -> None:
        """Record each loop callback that runs longer than a tick (CPU time of the loop thread).

        Profiling only: it wraps ``asyncio.Handle._run``, so every callback pays for two clock reads.
        A task's step is named by its coroutine, other callbacks by their function.
        """
        original = asyncio.Handle._run
        monitor = self

        def timed(handle: asyncio.Handle) -> None:
            began = time.thread_time()
            original(handle)
            spent = time.thread_time() - began
            if monitor.recording and spent > TICK_S:
                name = step_name(handle)
                monitor.slow_steps[name] += 1
                monitor.slow_seconds[name] += spent

        asyncio.Handle._run = timed  # type: ignore[method-assign,assignment]

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            began = loop.time()
            await asyncio.sleep(TICK_S)
            if self.recording:
                self.samples.append(loop.time() - began - TICK_S)


def step_name(handle: asyncio.Handle) -> str:
    """What a loop callback runs: a task's coroutine, or the callback's qualified name."""
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        return f"task {owner.get_coro().__qualname__}"  # type: ignore[union-attr]
    return getattr(callback, "__qualname__", repr(callback))


def serve(api_base: str, gateway_url: str, stats_path: str, profile: bool) -> None:
    """Run the bot against the double at ``api_base`` / ``gateway_url`` until SIGTERM.

    SIGUSR1 starts a measurement (lag samples, and a profile with ``profile``); SIGUSR2 ends it and
    writes its figures as JSON to ``stats_path``.
    """
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    from bot import event_loop
    from bot.app import StudyBot
    from bot.local.session import LOCAL_TOKEN
    from bot.logs import configure_logging
    from bot.settings import load_settings

    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    settings = load_settings(dotenv_path=None).replace(discord_token=LOCAL_TOKEN)
    if profile:  # the step timer wraps asyncio's own handles, which uvloop does not use
        settings = settings.replace(event_loop="asyncio")
    configure_logging(settings.log_level)
    monitor = LagMonitor()
    monitor.watch_the_collector()

    if profile:
        monitor.time_every_step()

    def begin() -> None:
        monitor.samples.clear()
        monitor.gc_pauses.clear()
        monitor.slow_steps.clear()
        monitor.slow_seconds.clear()
        monitor.recording = True
        monitor.cpu_began = time.process_time()
        if profile:
            monitor.profile = cProfile.Profile(time.thread_time)  # CPU of the loop thread: no GIL waits
            monitor.profile.enable()

    def end() -> None:
        monitor.recording = False
        figures: dict[str, Any] = {
            "lag_samples": len(monitor.samples),
            "bot_cpu_s": time.process_time() - monitor.cpu_began,  # the bot's process, its threads included
            "gc_runs": len(monitor.gc_pauses),
            "gc_total_ms": sum(seconds for _, seconds in monitor.gc_pauses) * 1000,
            "gc_max_ms": max((seconds for _, seconds in monitor.gc_pauses), default=0.0) * 1000,
            "gc_full_runs": sum(1 for generation, _ in monitor.gc_pauses if generation == 2),
            # end() runs on the loop (a signal handler): the loop that really runs, fallback included
            "event_loop": type(asyncio.get_running_loop()).__module__.split(".")[0],
        }
        if monitor.samples:
            ordered = sorted(monitor.samples)
            figures["lag_p99_ms"] = ordered[int(0.99 * (len(ordered) - 1))] * 1000
            figures["lag_max_ms"] = ordered[-1] * 1000
            figures["lag_p50_ms"] = statistics.median(ordered) * 1000
        if monitor.profile is not None:
            monitor.profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(monitor.profile, stream=out)
            stats.sort_stats("tottime").print_stats(40)
            stats.sort_stats("cumulative").print_stats(60)
            out.write("\nLoop steps longer than a tick (count, CPU seconds):\n")
            for name, count in monitor.slow_steps.most_common(30):
                out.write(f"{count:6d} {monitor.slow_seconds[name]:8.3f}  {name}\n")
            figures["profile"] = out.getvalue()
            monitor.profile = None
        Path(stats_path).write_text(json.dumps(figures))

    async def main() -> None:
        bot = StudyBot(settings, guild_ready_timeout=0.05)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGUSR1, begin)
        loop.add_signal_handler(signal.SIGUSR2, end)
        ticker = asyncio.create_task(monitor.run())
        async with bot:
            await bot.start(LOCAL_TOKEN.reveal(), reconnect=False)
        ticker.cancel()

    event_loop.run(main(), settings.event_loop)  # as `studybot run` does


# --- this process: the double, the members, the bursts ------------------------------------------------


@dataclass
class Outcome:
    """What one interaction of a burst came to."""

    command: str
    acked_s: float | None  # first response after the interaction was sent (None: none within 3 s)
    kind: str  # "answer", "refused", "failed", "unfinished"
    reason: str = ""


@dataclass
class BurstFigures:
    size: int
    burning: bool
    load_average: str
    #: The bot's event loop (``uvloop`` or ``asyncio``: ``EVENT_LOOP``, asyncio's with ``--profile``).
    event_loop: str
    within_3s: float
    ack_p50_ms: float
    ack_p99_ms: float
    ack_max_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    answers: int
    refusals: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    unfinished: int = 0
    seconds_to_last_answer: float = 0.0
    requests: dict[str, int] = field(default_factory=dict)  # the bot's HTTP requests, by route
    bot_cpu_s: float = 0.0  # CPU the bot's process used from the burst to its last answer
    double_cpu_s: float = 0.0  # and this process (the double and the members)
    last_first_response_s: float = 0.0  # from the burst to its last first response
    #: Edits, followups and deletions of interactions sent before the burst's last first response.
    follow_ups_before_last_ack: int = 0
    gc_runs: int = 0  # the bot's garbage-collector runs during the burst, all generations
    gc_full_runs: int = 0  # of which full (generation 2)
    gc_total_ms: float = 0.0
    gc_max_ms: float = 0.0


#: The parts of a request's path that name one object (ids, interaction and webhook tokens).
_ONE_OBJECT = re.compile(r"/(?:\d{5,}|local-[\w-]+|[\w-]{40,})")


def route_of(method: str, path: str) -> str:
    """A request's route: ``PATCH /webhooks/{}/{}/messages/@original``."""
    return f"{method} {_ONE_OBJECT.sub('/{}', path.split('?')[0].removeprefix('/api/v10'))}"


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{load:.2f}" for load in os.getloadavg())


def burn() -> None:  # pragma: no cover - runs in its own process
    while True:
        pass


def reason_of(text: str) -> str:
    """A refusal's sentence with its numbers and names taken out, to group them."""
    text = re.sub(r"<t:\d+(:\w)?>", "<time>", text)
    text = re.sub(r"\d[\d,.]*", "N", text)
    return text.split(";")[0].split(". ")[0][:90]


def messages_by_interaction(double: Any) -> dict[int, list[Any]]:
    """The double's messages that are not deleted, by the interaction they answer (one pass: the
    bench polls outcomes while the double serves the bot on the same loop, so that poll must be
    cheap, or it delays the double's reading of the bot's responses and inflates the latencies)."""
    found: dict[int, list[Any]] = defaultdict(list)
    for message in double.messages.values():
        if not message.deleted and message.interaction_id is not None:
            found[message.interaction_id].append(message)
    return found


def outcome_of(double: Any, state: Any, command: str, by_interaction: dict[int, list[Any]]) -> Outcome:
    acked = state.responded_at - state.sent_at if state.responded and state.responded_at else None
    messages = list(by_interaction.get(state.id, ()))
    original = double.messages.get(state.original_message_id) if state.original_message_id else None
    if original is not None and not original.deleted and original not in messages:
        messages.append(original)
    messages.sort(key=lambda message: message.id)
    if not messages:
        return Outcome(command, acked, "unfinished", "no message")
    shown = messages[-1]
    embeds = shown.embeds or []
    description = str(embeds[0].get("description", "")) if embeds else ""
    if shown.flags & 128 and not shown.edits:  # still "thinking…"
        return Outcome(command, acked, "unfinished", "thinking")
    if description.startswith(("⏳", "📦", "⚙️")):
        return Outcome(command, acked, "unfinished", "waiting")
    if description.startswith("❌"):
        return Outcome(command, acked, "failed", reason_of(description[2:]))
    if embeds or "is in the queue for" in shown.content:
        return Outcome(command, acked, "answer")
    return Outcome(command, acked, "refused", reason_of(shown.content))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else float("nan")


class Bench:
    """The double, its members, and the bot process."""

    def __init__(self, members: int, profile_dir: Path | None, mix: list[tuple[float, str | None]]) -> None:
        from bot.local.payloads import PayloadFactory
        from bot.local.server import DiscordDouble

        self.double = DiscordDouble()
        self.payloads = PayloadFactory(self.double)
        self.members = [self.double.world.add_user(self.double.ids, f"member{n:05d}") for n in range(members)]
        self.next_member = 0
        self.profile_dir = profile_dir
        self.mix = mix
        self.folder = Path(tempfile.mkdtemp(prefix="studybot-load-"))
        self.stats_path = self.folder / "stats.json"
        self.log_file = (self.folder / "bot.log").open("wb")
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, tiny_dir: Path) -> None:
        await self.double.start()
        env = {
            **os.environ,
            "DATABASE_PATH": str(self.folder / "studybot.sqlite3"),
            "MODEL_PROFILE": "tiny",
            "TINY_MODELS_DIR": str(tiny_dir),
            "HEALTH_FILE": str(self.folder / "health.json"),
            "DEVICES": "cpu",
            "TORCH_THREADS": "1",
            "DEV_GUILD_ID": str(self.double.world.guild_id),
            "LOG_LEVEL": "INFO",
        }
        command = [sys.executable, __file__, "--serve", self.double.api_base, self.double.gateway_url]
        command += [str(self.stats_path)] + (["--profile-loop"] if self.profile_dir else [])
        self.process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        guild = self.double.world.guild_id
        deadline = time.monotonic() + 120
        while guild not in self.double.synced_commands:
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bot did not start; see {self.folder / 'bot.log'}")
            await asyncio.sleep(0.1)
        self.schemas = self.double.synced_commands[guild]

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.log_file.close()
        await self.double.stop()

    def payload(self, line: str, member: Any) -> dict[str, Any]:
        from bot.local.commandline import parse_command_line

        parsed = parse_command_line(line, self.schemas)
        return self.payloads.command(parsed, member, self.double.world.channel("general"))

    async def run_one(self, line: str, *, moderator: bool = False) -> Outcome:
        member = self.double.world.user("Ada") if moderator else self.fresh_member()
        (outcome,) = await self.send([(line, member)], wait_s=120)
        return outcome

    def fresh_member(self) -> Any:
        member = self.members[self.next_member]
        self.next_member += 1
        return member

    async def send(self, lines: list[tuple[str, Any]], wait_s: float) -> list[Outcome]:
        payloads = [self.payload(line, member) for line, member in lines]
        states = await self.double.send_interactions(payloads)  # one burst, as Discord sends it
        deadline = time.monotonic() + wait_s
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            now = time.monotonic()
            index = messages_by_interaction(self.double)
            waiting = [
                state
                for state, (line, _) in zip(states, lines, strict=True)
                if (state.responded or now - state.sent_at <= DEADLINE_S)  # an unanswered one never will be
                and outcome_of(self.double, state, line, index).kind == "unfinished"
            ]
            if not self.double.is_quiet:
                quiet_since = time.monotonic()
            if not waiting and time.monotonic() - quiet_since > 0.5:
                break
            await asyncio.sleep(0.05)
        self.last_request_at = max((r.at for r in self.double.requests), default=time.monotonic())
        self.first_sent_at = min(s.sent_at for s in states)
        index = messages_by_interaction(self.double)
        return [outcome_of(self.double, s, line, index) for s, (line, _) in zip(states, lines, strict=True)]

    def signal_bot(self, number: int) -> None:
        assert self.process is not None
        os.kill(self.process.pid, number)

    async def burst(self, size: int, *, burning: bool) -> BurstFigures:
        lines: list[tuple[str, Any]] = []
        counts = [round(share * size) for share, _ in self.mix]
        counts[0] += size - sum(counts)
        for (_, line), count in zip(self.mix, counts, strict=True):
            for number in range(count):
                template = line if line is not None else DEMOS[number % len(DEMOS)]
                lines.append((template.format(n=number), self.fresh_member()))
        random.Random(size).shuffle(lines)  # commands interleaved, not in blocks
        load = uptime()
        burner = multiprocessing.Process(target=burn, daemon=True) if burning else None
        if burner is not None:
            burner.start()
            await asyncio.sleep(1.0)
        self.stats_path.unlink(missing_ok=True)
        self.signal_bot(signal.SIGUSR1)
        await asyncio.sleep(0.2)
        cpu_began = time.process_time()
        try:
            outcomes = await self.send(lines, wait_s=600)
        finally:
            self.signal_bot(signal.SIGUSR2)
            if burner is not None:
                burner.terminate()
                burner.join()
        for _ in range(100):
            if self.stats_path.exists():
                break
            await asyncio.sleep(0.05)
        double_cpu_s = time.process_time() - cpu_began
        stats = json.loads(self.stats_path.read_text())
        if self.profile_dir is not None and "profile" in stats:
            self.profile_dir.mkdir(parents=True, exist_ok=True)
            name = f"{size}{'-burning' if burning else ''}.txt"
            (self.profile_dir / name).write_text(stats["profile"])
        acks = [o.acked_s for o in outcomes if o.acked_s is not None]
        sent = self.double.requests_since(self.first_sent_at)
        last_ack_at = max((r.at for r in sent if r.path.endswith("/callback")), default=self.first_sent_at)
        return BurstFigures(
            size=size,
            burning=burning,
            load_average=load.split("load average:")[-1].strip(),
            event_loop=stats.get("event_loop", "?"),
            within_3s=sum(1 for a in acks if a <= DEADLINE_S) / size,
            ack_p50_ms=statistics.median(acks) * 1000 if acks else float("nan"),
            ack_p99_ms=percentile(acks, 0.99) * 1000,
            ack_max_ms=max(acks) * 1000 if acks else float("nan"),
            lag_p99_ms=stats.get("lag_p99_ms", float("nan")),
            lag_max_ms=stats.get("lag_max_ms", float("nan")),
            gc_runs=stats.get("gc_runs", 0),
            gc_full_runs=stats.get("gc_full_runs", 0),
            gc_total_ms=stats.get("gc_total_ms", 0.0),
            gc_max_ms=stats.get("gc_max_ms", 0.0),
            answers=sum(1 for o in outcomes if o.kind == "answer"),
            refusals=dict(Counter(o.reason for o in outcomes if o.kind == "refused").most_common()),
            failed=dict(Counter(o.reason for o in outcomes if o.kind == "failed").most_common()),
            unfinished=sum(1 for o in outcomes if o.kind == "unfinished"),
            seconds_to_last_answer=self.last_request_at - self.first_sent_at,
            last_first_response_s=last_ack_at - self.first_sent_at,
            follow_ups_before_last_ack=sum(1 for r in sent if "/webhooks/" in r.path and r.at < last_ack_at),
            bot_cpu_s=stats.get("bot_cpu_s", float("nan")),
            double_cpu_s=double_cpu_s,
            requests=dict(Counter(route_of(request.method, request.path) for request in sent).most_common()),
        )


async def prepare(bench: Bench) -> None:
    """What the commands of a burst need: a session to ask for, homework, resources, warm models."""
    for line in (
        "/session schedule title:Study group weekday:Thursday time:18:00 duration:90 weeks:2 "
        "link:https://example.com/call",
        "/resources starter-pack",
        "/homework post week:1 title:Read chapter 1 due:2031-03-25 18:00",
        "/homework post week:1 title:Try the pipelines due:2031-03-27 18:00",
    ):
        outcome = await bench.run_one(line, moderator=True)
        if outcome.kind != "answer" and outcome.kind != "refused":
            raise RuntimeError(f"{line}: {outcome}")
    for line in DEMOS:  # load every model once: bursts measure the bot, not first loads
        await bench.run_one(line.format(n=0))


def print_figures(figures: BurstFigures) -> None:
    beside = " with a CPU burner beside it" if figures.burning else ""
    print(
        f"\n{figures.size} interactions at once{beside} "
        f"(load average {figures.load_average}; the bot on {figures.event_loop}'s event loop)"
    )
    print(
        f"  acknowledged within 3 s: {figures.within_3s:.1%}   ack p50 {figures.ack_p50_ms:.0f} ms, "
        f"p99 {figures.ack_p99_ms:.0f} ms, max {figures.ack_max_ms:.0f} ms"
    )
    print(f"  event-loop lag: p99 {figures.lag_p99_ms:.1f} ms, max {figures.lag_max_ms:.1f} ms")
    print(
        f"  garbage collector: {figures.gc_runs} runs ({figures.gc_full_runs} full), "
        f"{figures.gc_total_ms:.0f} ms in all, longest {figures.gc_max_ms:.1f} ms"
    )
    print(
        f"  last first response after {figures.last_first_response_s:.2f} s; "
        f"edits and followups before it: {figures.follow_ups_before_last_ack}"
    )
    print(
        f"  final answers: {figures.answers}   unfinished: {figures.unfinished}   "
        f"last answer after {figures.seconds_to_last_answer:.1f} s"
    )
    for title, counts in (("refused", figures.refusals), ("failed", figures.failed)):
        for reason, count in counts.items():
            print(f"  {title} ×{count}: {reason}")
    print(
        f"  CPU: the bot {figures.bot_cpu_s:.1f} s, the double {figures.double_cpu_s:.1f} s, "
        f"in {figures.seconds_to_last_answer:.1f} s"
    )
    print(f"  HTTP requests from the bot: {sum(figures.requests.values())}")
    for route, count in figures.requests.items():
        print(f"    {count:6d}  {route}")


async def drive(args: argparse.Namespace) -> list[BurstFigures]:
    from bot.inference.tiny import build_tiny_models

    sizes = [int(size) for size in args.bursts.split(",")]
    tiny_dir = Path(args.tiny_dir)
    if not (tiny_dir / ".complete").exists():
        build_tiny_models(tiny_dir)
        (tiny_dir / ".complete").write_text("built\n")
    rounds = [False, True] if args.burn else [False]
    profile = Path(args.profile) if args.profile else None
    bench = Bench(sum(sizes) * len(rounds) + len(DEMOS) + 10, profile, parse_mix(args.mix))
    results: list[BurstFigures] = []
    try:
        await bench.start(tiny_dir)
        await prepare(bench)
        for burning in rounds:
            for size in sizes:
                figures = await bench.burst(size, burning=burning)
                results.append(figures)
                if not args.json:
                    print_figures(figures)
                await asyncio.sleep(2.0)  # let the queue drain before the next burst
    finally:
        await bench.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bursts", default="200,1000", help="burst sizes, e.g. 200,1000")
    parser.add_argument("--burn", action="store_true", help="run every burst again beside a CPU burner")
    parser.add_argument("--profile", help="write a cProfile of the bot's loop during each burst here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"shares of the commands (default {DEFAULT_MIX})")
    parser.add_argument(
        "--tiny-dir", default="data/tiny-models", help="where the tiny models are (built once)"
    )
    parser.add_argument("--serve", nargs=3, metavar=("API", "GATEWAY", "STATS"), help=argparse.SUPPRESS)
    parser.add_argument("--profile-loop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        api, gateway, stats = args.serve
        serve(api, gateway, stats, profile=args.profile_loop)
        return 0
    logging.basicConfig(level=logging.WARNING)
    results = asyncio.run(drive(args))
    if args.json:
        print(json.dumps([asdict(figures) for figures in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
