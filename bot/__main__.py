"""The ``studybot`` command: run the bot, try it locally, sync commands, manage models and data."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import discord

import bot
from bot import event_loop
from bot.app import StudyBot
from bot.db import MigrationError
from bot.db.faults import DatabaseUnavailable, classify
from bot.inference.catalog import CatalogError
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")

Handler = Callable[[argparse.Namespace, Settings], int]


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.discord_token is None and args.no_console:
        print(
            "studybot: configuration error: DISCORD_TOKEN must be set (in the environment or .env) "
            "to connect to Discord.",
            file=sys.stderr,
        )
        return 2
    if settings.discord_token is None:
        print(
            "No DISCORD_TOKEN is set: starting the local console instead of connecting to Discord.",
            file=sys.stderr,
        )
        return _cmd_console(args, settings)
    configure_logging(settings.log_level)
    return event_loop.run(_run_bot(settings), settings.event_loop)


async def _run_bot(settings: Settings) -> int:
    """Run until Discord closes the connection or SIGINT/SIGTERM asks for a clean shutdown."""
    assert settings.discord_token is not None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    try:
        async with StudyBot(settings) as client:
            runner = asyncio.create_task(client.start(settings.discord_token.reveal()), name="studybot")
            stopper = asyncio.create_task(stop.wait(), name="studybot-signals")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("Signal received: shutting down")
                await client.close()
            else:
                stopper.cancel()
            try:
                await runner
            except discord.LoginFailure:
                print(
                    "studybot: Discord refused DISCORD_TOKEN; copy it again from the developer portal.",
                    file=sys.stderr,
                )
                return 2
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
    return 0


def _local_settings(args: argparse.Namespace, settings: Settings) -> tuple[Settings, list[str]]:
    """Settings for the console and ``try``, with the model profile they can really use."""
    from bot.local.profile import choose_profile

    level = "DEBUG" if getattr(args, "verbose", False) else "WARNING"
    configure_logging(level)
    return choose_profile(settings.replace(log_level=level), requested=getattr(args, "models", None))


def _cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.local.console import run_console

    local, notes = _local_settings(args, settings)
    return event_loop.run(run_console(local, notes), local.event_loop)


def _cmd_try(args: argparse.Namespace, settings: Settings) -> int:
    from bot.local.console import run_try

    if (args.command is None) == (args.payload is None):
        print('studybot try: give either a command such as "/about" or --payload FILE', file=sys.stderr)
        return 2
    payload = None
    if args.payload is not None:
        try:
            payload = json.loads(args.payload.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"studybot try: cannot read the payload {args.payload}: {exc}", file=sys.stderr)
            return 2
    local, notes = _local_settings(args, settings)
    return event_loop.run(
        run_try(
            local,
            args.command,
            payload=payload,
            as_json=args.json,
            moderator=args.moderator,
            files_dir=args.files,
            notes=notes,
        ),
        local.event_loop,
    )


def _cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    if settings.discord_token is None:
        print("studybot sync: set DISCORD_TOKEN first (in the environment or .env).", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    return event_loop.run(_sync(settings, args.guild, clear=args.clear), settings.event_loop)


async def _sync(settings: Settings, guild_id: int | None, *, clear: bool) -> int:
    from bot.sync import sync_commands

    assert settings.discord_token is not None
    async with StudyBot(settings, start_services=False) as client:
        await client.login(settings.discord_token.reveal())
        names = await sync_commands(client, guild_id, clear=clear)
    where = (
        f"server {guild_id}" if guild_id else "every server (global commands can take up to an hour to show)"
    )
    print(f"Synced {len(names)} commands to {where}: {', '.join('/' + n for n in names) or 'none'}")
    return 0


def _cmd_db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.backup import backup_database

    configure_logging(settings.log_level)
    try:
        pages = backup_database(settings.database_path, args.path)
    except FileNotFoundError as exc:
        print(f"studybot db backup: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:
        fault = classify(exc)
        why = f"{fault.reason}; {fault.advice}" if fault else str(exc)
        print(
            f"studybot db backup: cannot copy {settings.database_path} to {args.path}: {why}", file=sys.stderr
        )
        return 2
    print(f"Backed up {settings.database_path} to {args.path} ({pages} pages)")
    return 0


def _cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    from bot.health import check

    problems = check(settings.health_file)
    for problem in problems:
        print(f"unhealthy: {problem}", file=sys.stderr)
    if not problems:
        print("healthy")
    return 1 if problems else 0


def _cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    from bot.settings import describe, env_example, markdown_table

    if args.env_example:
        print(env_example(), end="")
    elif args.markdown:
        print(markdown_table(), end="")
    else:
        print(describe(settings), end="")
    return 0


def _snowflake(text: str) -> int:
    if not text.isdigit() or not 15 <= len(text) <= 21:
        raise argparse.ArgumentTypeError("a Discord server ID is 15 to 21 digits")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    """The ``studybot`` argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="studybot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"studybot {bot.__version__}")
    commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND")

    run = commands.add_parser("run", help="connect to Discord (the local console when no token is set)")
    run.add_argument(
        "--no-console",
        action="store_true",
        help="without DISCORD_TOKEN, exit with an error instead of opening the local console (servers)",
    )
    run.set_defaults(handler=_cmd_run)

    console = commands.add_parser("console", help="talk to the bot in this terminal, no Discord needed")
    console.add_argument("--models", choices=("hub", "tiny"), help="model profile (default: MODEL_PROFILE)")
    console.add_argument("--verbose", action="store_true", help="show the bot's log")
    console.set_defaults(handler=_cmd_console)

    tryout = commands.add_parser("try", help='send one command, e.g. studybot try "/about", print the reply')
    tryout.add_argument("command", nargs="?", help='the command as typed in Discord: "/name option:value …"')
    tryout.add_argument(
        "--json", action="store_true", help="print the bot's HTTP requests, one JSON per line"
    )
    tryout.add_argument("--payload", type=Path, help="send this INTERACTION_CREATE 'd' object (a JSON file)")
    tryout.add_argument("--moderator", action="store_true", help="ask as a member with Manage Server")
    tryout.add_argument("--models", choices=("hub", "tiny"), help="model profile (default: MODEL_PROFILE)")
    tryout.add_argument("--files", type=Path, metavar="DIR", help="save the files the bot attached here")
    tryout.add_argument("--verbose", action="store_true", help="show the bot's log")
    tryout.set_defaults(handler=_cmd_try)

    sync = commands.add_parser("sync", help="register the slash commands with Discord")
    sync.add_argument("--guild", type=_snowflake, help="only this server (instant); default: global")
    sync.add_argument("--clear", action="store_true", help="remove the commands instead")
    sync.set_defaults(handler=_cmd_sync)

    db = commands.add_parser("db", help="database tools")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    backup = db_commands.add_parser("backup", help="copy the live database safely (SQLite online backup)")
    backup.add_argument("path", type=Path, help="the backup file to write")
    backup.set_defaults(handler=_cmd_db_backup)

    config = commands.add_parser(
        "config", help="print the effective settings as a .env file the bot reads back (the token hidden)"
    )
    shown = config.add_mutually_exclusive_group()
    shown.add_argument("--env-example", action="store_true", help="print a .env.example with every variable")
    shown.add_argument("--markdown", action="store_true", help="print the README's configuration table")
    config.set_defaults(handler=_cmd_config)

    health = commands.add_parser("health", help="exit 0 if the running bot reports itself healthy")
    health.set_defaults(handler=_cmd_health)

    for register in _extra_registrations():
        register(commands)
    return parser


def _extra_registrations() -> list[Callable[[argparse._SubParsersAction], None]]:
    """Subcommands that live with their subsystem (models, infer, bench)."""
    from bot.inference import bench_command
    from bot.inference import cli as inference_cli

    return [inference_cli.register, bench_command.register]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``studybot`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        return handler(args, settings)
    except SettingsError as exc:
        print(f"studybot: configuration error: {exc}", file=sys.stderr)
        return 2
    except (MigrationError, DatabaseUnavailable) as exc:
        print(f"studybot: database error: {exc}", file=sys.stderr)
        return 2
    except CatalogError as exc:
        print(f"studybot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
