"""The pool's handle on one worker process: start, pipe threads, kill.

A worker is a fresh ``python -c`` process that receives one end of a pipe (and its
:class:`~bot.inference.worker_process.WorkerConfig` as the first message). Not multiprocessing's
``spawn``: that runs the parent's ``__main__`` again in the child, and for the ``studybot`` script
that means importing the whole bot (about a second of every worker's start, for nothing).

The pipe is read and written by two threads, so the event loop never blocks on a worker: the
reader hands each message to the loop with ``call_soon_threadsafe``, and reports the worker's end
(an EOF on the pipe) the same way; the writer drains a queue, so a large batch never stalls the
loop while the worker is busy. A worker whose bot dies sees the pipe close and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from bot.inference.protocol import WorkerStatus
from bot.inference.worker_process import WorkerConfig

log = logging.getLogger(__name__)

#: What the worker process runs: its pipe's file descriptor is its one argument.
_CHILD = "import sys; from bot.inference.worker_process import child_main; child_main(int(sys.argv[1]))"


class WorkerProcess:
    """A running worker process, with the few calls the pool makes on it."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self._popen = popen

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def exitcode(self) -> int | None:
        """None while it runs; minus the signal's number when a signal ended it."""
        return self._popen.poll()

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def join(self, timeout: float | None = None) -> None:
        """Wait (at most ``timeout`` seconds) for it to end."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout)


def start_process(config: WorkerConfig) -> tuple[WorkerProcess, Connection]:
    """Start a worker process; returns it and the pool's end of its pipe."""
    parent, child = multiprocessing.Pipe()
    descriptor = child.fileno()
    popen = subprocess.Popen([sys.executable, "-c", _CHILD, str(descriptor)], pass_fds=(descriptor,))
    child.close()  # only the worker holds this end now: its exit means EOF for the reader
    parent.send(config)
    return WorkerProcess(popen), parent


@dataclass
class WorkerHandle:
    """One worker slot: the process currently filling it and what the pool knows of it."""

    index: int
    config: WorkerConfig
    on_message: Callable[[WorkerHandle, Any], None]
    on_exit: Callable[[WorkerHandle, int | None], None]
    process: Any = None
    conn: Connection | None = None
    ready: bool = False
    device_name: str = ""
    batch: Any = None  # the batch it is running, if any
    status: WorkerStatus = field(default_factory=WorkerStatus)
    restarts: int = 0
    failures: int = 0  # exits since it was last ready (for the restart back-off)
    generation: int = 0
    _outbox: queue.Queue[Any] | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def loaded(self, task: str, ref: str) -> bool:
        return (task, ref) in self.status.loaded

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the process and its pipe threads (blocking for a few milliseconds)."""
        process, parent = start_process(self.config)
        self.generation += 1
        self.process, self.conn, self.ready, self.batch = process, parent, False, None
        self._outbox = queue.Queue()
        generation = self.generation
        threading.Thread(
            target=self._read,
            args=(loop, parent, generation),
            name=f"worker-{self.index}-reader",
            daemon=True,
        ).start()
        threading.Thread(
            target=self._write, args=(parent, self._outbox), name=f"worker-{self.index}-writer", daemon=True
        ).start()
        log.info("Started worker %d on %s (pid %s)", self.index, self.config.device, process.pid)

    def send(self, message: Any) -> None:
        """Queue a message for the worker (never blocks)."""
        if self._outbox is not None:
            self._outbox.put(message)

    def kill(self) -> None:
        """End the process at once (a hung or runaway worker); the reader then reports its exit."""
        if self.process is not None and self.process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)

    def stop_threads(self) -> None:
        if self._outbox is not None:
            self._outbox.put(None)
            self._outbox = None

    def _read(self, loop: asyncio.AbstractEventLoop, conn: Connection, generation: int) -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                break
            try:
                loop.call_soon_threadsafe(self._deliver, generation, message)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                return
        process = self.process
        if process is not None and generation == self.generation:
            process.join(timeout=5)
        code = process.exitcode if process is not None else None
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._exited, generation, code)

    def _deliver(self, generation: int, message: Any) -> None:
        if generation == self.generation:
            self.on_message(self, message)

    def _exited(self, generation: int, code: int | None) -> None:
        if generation == self.generation:
            self.ready = False
            self.stop_threads()
            self.on_exit(self, code)

    @staticmethod
    def _write(conn: Connection, outbox: queue.Queue[Any]) -> None:
        while True:
            message = outbox.get()
            if message is None:
                return
            try:
                conn.send(message)
            except (BrokenPipeError, OSError):
                return  # the reader reports the worker's end
