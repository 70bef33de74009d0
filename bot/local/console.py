"""``studybot console`` and ``studybot try``: the bot answering in a terminal, no Discord needed."""

from __future__ import annotations

import asyncio
import json
import logging
import shlex
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.local.commandline import CommandLineError
from bot.local.render import render_choices, render_message, render_modal
from bot.local.session import Exchange, LocalFailure, LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings

log = logging.getLogger(__name__)

CONSOLE_HELP = """\
Type a slash command as in Discord, options as name:value, e.g.
  /about
  /sentiment text:I love this course!
Other inputs (messages with buttons are numbered: #2 studybot: …):
  click <label>                     press a button on the last message with buttons
  click <number> <label>            press a button on an earlier message, e.g. click 2 Mark done
  select [<number>] <placeholder> <value>
                                    pick a value in a select menu (quote words with spaces)
  as <member>                       act as another member (as Ada: a moderator)
  members | commands | help | quit"""


def banner(session: LocalSession, notes: list[str]) -> str:
    """The console's opening lines: where we are, who we are, what runs the models."""
    world = session.double.world
    people = ", ".join(
        f"{user.name}{' (moderator)' if world.moderator_role_id in user.role_ids else ''}"
        for user in world.users.values()
        if not user.bot
    )
    lines = [
        "studybot local console: the real bot, talking to a Discord double on this machine.",
        f"Server: {world.guild_name} · channel #general · members: {people}",
        *notes,
        "Type help for help; end of input or quit leaves.",
    ]
    return "\n".join(lines)


def save_files(exchange: Exchange, folder: Path) -> list[Path]:
    """Write every file the bot attached while answering into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for message in exchange.messages:
        for attachment in message.attachments:
            upload = exchange.double.uploads[int(attachment["id"])]
            target = folder / Path(upload.filename).name
            target.write_bytes(upload.data)
            saved.append(target)
    return saved


async def _read_line(stream: TextIO) -> str | None:
    line = await asyncio.to_thread(stream.readline)
    return line if line else None


class Console:
    """The interactive loop: commands in, rendered replies out."""

    def __init__(self, session: LocalSession, out: TextIO, stdin: TextIO) -> None:
        self.session = session
        self.out = out
        self.stdin = stdin
        self.member = session.member().name
        self.last: Exchange | None = None
        #: Messages with components, by the number the console shows them with.
        self.numbered: dict[int, int] = {}
        self._numbers: dict[int, int] = {}

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def loop(self) -> None:
        """Read and answer lines until end of input or ``quit``."""
        while True:
            if self.stdin.isatty():
                print(f"{self.member}> ", end="", file=self.out, flush=True)
            line = await _read_line(self.stdin)
            if line is None:
                return
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if text in ("quit", "exit"):
                return
            try:
                await self.handle(text)
            except (CommandLineError, LocalFailure) as exc:
                self.say(f"! {exc}")

    async def handle(self, text: str) -> None:
        """One console input."""
        word, _, rest = text.partition(" ")
        if text.startswith("/"):
            self.say(f"{self.member}: {text}")
            await self.show(await self.session.run(text, user=self.member))
        elif word == "help":
            self.say(CONSOLE_HELP)
        elif word == "members":
            self.say(", ".join(u.name for u in self.session.double.world.users.values() if not u.bot))
        elif word == "commands":
            self.say("\n".join(f"/{s['name']}: {s.get('description', '')}" for s in self.session.schemas()))
        elif word == "as":
            self.member = self.session.member(rest.strip()).name
            self.say(f"(now acting as {self.member})")
        elif word == "click":
            message, label = self._target(rest)
            await self.show(await self.session.click(message, label, user=self.member))
        elif word == "select":
            message, rest = self._target(rest)
            placeholder, *values = shlex.split(rest)
            await self.show(await self.session.choose(message, placeholder, values, user=self.member))
        else:
            self.say("! commands start with '/'; type help for help")

    def _target(self, rest: str) -> tuple[StoredMessage, str]:
        """The message ``click`` / ``select`` acts on, and the rest of the input: ``2 Mark done``
        (or ``#2 …``) names message 2, anything else the last message with components."""
        first, _, after = rest.strip().partition(" ")
        number = first.removeprefix("#")
        if number.isdecimal() and after.strip():
            message_id = self.numbered.get(int(number))
            if message_id is None:
                shown = ", ".join(f"#{n}" for n in self.numbered) or "none yet"
                raise LocalFailure(f"there is no message #{number} with buttons (shown: {shown})")
            return self.session.double.messages[message_id], after.strip()
        return self._last_message(), rest

    def _last_message(self) -> StoredMessage:
        if self.last is None or not self.last.messages:
            raise LocalFailure("there is no message to act on yet")
        with_components = [m for m in self.last.messages if m.components]
        return (with_components or self.last.messages)[-1]

    def number(self, message: StoredMessage) -> int:
        """The console's number for a message with components (kept when it is edited)."""
        if message.id not in self._numbers:
            self._numbers[message.id] = len(self._numbers) + 1
            self.numbered[self._numbers[message.id]] = message.id
        return self._numbers[message.id]

    def render(self, exchange: Exchange) -> str:
        """What a member would read, each message with buttons numbered for ``click N``."""
        parts = []
        for message in exchange.messages:
            text = render_message(message)
            parts.append(f"#{self.number(message)} {text}" if message.components else text)
        if exchange.modal is not None:
            parts.append(render_modal(exchange.modal))
        if exchange.state.choices is not None:
            parts.append(render_choices(exchange.choices))
        return "\n".join(parts) if parts else "(the bot did not answer)"

    async def show(self, exchange: Exchange) -> None:
        """Print the reply; fill in any form the bot opened, reading one line per field."""
        self.say(self.render(exchange))
        self.last = exchange if exchange.messages else self.last
        if exchange.modal is not None:
            values = await self._fill(exchange.modal)
            if values is not None:
                await self.show(await self.session.submit(exchange, values, user=self.member))

    async def _fill(self, modal: dict[str, Any]) -> dict[str, str] | None:
        values = {}
        for row in modal.get("components") or []:
            for item in [row] if row.get("type") == 18 else row.get("components") or []:
                inner = item.get("component", item)
                label = item.get("label") or inner.get("label") or inner["custom_id"]
                print(f"  {label}: ", end="", file=self.out, flush=True)
                line = await _read_line(self.stdin)
                if line is None:
                    return None
                values[inner["custom_id"]] = line.rstrip("\n")
        return values


async def run_console(
    settings: Settings, notes: list[str], out: TextIO = sys.stdout, stdin: TextIO = sys.stdin
) -> int:
    """``studybot console``: exits 0 at the end of input."""
    async with LocalSession(settings) as session:
        print(banner(session, notes), file=out, flush=True)
        await Console(session, out, stdin).loop()
    return 0


async def run_try(
    settings: Settings,
    command: str | None,
    *,
    payload: dict[str, Any] | None = None,
    as_json: bool = False,
    moderator: bool = False,
    files_dir: Path | None = None,
    notes: list[str] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """``studybot try``: one command against the double; 0 when the bot answered.

    The bot loads no library in the background: for one command, that would only compete with it
    for the interpreter (a cold ``/about``: 2.0 s median with dateparser warming beside it, 1.7 s
    without; the README's start-up figures).
    """
    async with LocalSession(settings, warm_up=False) as session:
        for note in notes or []:
            print(note, file=err)
        try:
            if payload is not None:
                exchange = await session.send(payload)
            else:
                assert command is not None
                exchange = await session.run(command, moderator=moderator)
        except (CommandLineError, LocalFailure) as exc:
            print(f"studybot try: {exc}", file=err)
            return 2
        if as_json:
            for line in exchange.requests_json():
                print(json.dumps(line), file=out)
        else:
            print(exchange.render(), file=out)
        if files_dir is not None:
            for path in save_files(exchange, files_dir):
                print(f"saved {path}", file=err)
        for breach in session.double.breaches:
            print(f"studybot try: Discord would refuse this: {breach}", file=err)
        if not exchange.answered or session.double.breaches:
            if not exchange.answered:
                print("studybot try: the bot did not answer the interaction", file=err)
            return 1
        return 0
