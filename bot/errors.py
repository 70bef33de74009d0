"""Errors meant for members, and the one place that turns any error into an ephemeral reply."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

import discord
from discord import app_commands

from bot.db.faults import Fault, classify
from bot.replies import reply
from bot.user_facing import UserFacingError  # defined apart so the workers import no discord.py

log = logging.getLogger(__name__)


class ModeratorOnly(app_commands.CheckFailure):
    """A member without moderator rights used a moderator command."""

    def __init__(self, roles: tuple[str, ...]) -> None:
        names = " or ".join(f"**{name}**" for name in roles)
        extra = f" or the {names} role" if roles else ""
        super().__init__(f"This is for moderators: you need the Manage Server permission{extra}.")


def _permission_names(names: list[str]) -> str:
    """``["manage_guild", "kick_members"]`` → "the Manage Server and Kick Members permissions"."""
    shown = [name.replace("_", " ").replace("guild", "server").title() for name in names]
    if len(shown) <= 1:
        return f"the {''.join(shown)} permission"
    return f"the {', '.join(shown[:-1])} and {shown[-1]} permissions"


def check_text_input(item: discord.ui.TextInput) -> None:
    """Refuse a submitted form field outside its declaration: required, min and max length.

    Discord's client enforces these, but a submission is only a payload (a field may even be
    missing from it, and then keeps its default).
    """
    value = item._value  # what the submission carried (None: the field was not in it)
    # The component's label, not the deprecated ``TextInput.label`` property (it warns).
    label = str(item._underlying.label or item.placeholder or "this field")[:45]
    if value is not None and not isinstance(value, str):
        raise UserFacingError(f"The field **{label}** arrived in a form I cannot read; fill it in again.")
    text = value or ""
    low, high = item.min_length or 0, item.max_length or 4000
    if item.required and not text:
        raise UserFacingError(f"The field **{label}** is required; fill it in and send the form again.")
    if text and not low <= len(text) <= high:
        shown = f"{low:,} to {high:,}" if low else f"at most {high:,}"
        raise UserFacingError(f"The field **{label}** must be {shown} characters long; it has {len(text):,}.")


#: A database fault is logged once per this many seconds and kind, not once per interaction.
FAULT_LOG_EVERY_S = 600.0


class FaultLog:
    """Logs each kind of database fault once, then again only after :data:`FAULT_LOG_EVERY_S`."""

    def __init__(
        self, every_s: float = FAULT_LOG_EVERY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every_s = every_s
        self.clock = clock
        self._last: dict[str, float] = {}
        #: How many times each kind of fault was met (logged or not).
        self.seen: dict[str, int] = {}

    def note(self, fault: Fault, where: str) -> None:
        """Count the fault; log it if this kind was not logged in the last ``every_s`` seconds."""
        self.seen[fault.kind] = self.seen.get(fault.kind, 0) + 1
        now = self.clock()
        last = self._last.get(fault.kind)
        if last is not None and now - last < self.every_s:
            log.debug("Database fault (%s) refused %s again", fault.reason, where)
            return
        self._last[fault.kind] = now
        log.warning(
            "Database fault: %s (first seen in %s). To fix: %s. Members are told that nothing was "
            "changed; this is logged again in %d minutes at the earliest.",
            fault.reason,
            where,
            fault.advice,
            round(self.every_s / 60),
        )


fault_log = FaultLog()


def fault_message(fault: Fault) -> str:
    """What a member reads when the database refused their change (or their read)."""
    if fault.reads_fail:
        return (
            f"The bot cannot use its database right now ({fault.reason}); nothing was changed. "
            "A moderator can see why in the bot's log."
        )
    return f"The bot cannot save right now ({fault.reason}); nothing was changed. Try again later."


#: Discord still offers a command (or its old options) that this version of the bot no longer has.
OUT_OF_DATE = (
    "This command has changed since Discord last heard of it, so I can't run it as sent. "
    "A moderator can bring Discord up to date with `studybot sync`; until then, try again in a "
    "little while or reload Discord (Ctrl+R)."
)


def describe_error(error: BaseException) -> tuple[str, str | None]:
    """The sentence to show for ``error``, and an error code when it was unexpected (and is logged)."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, UserFacingError):
        return error.message, None
    fault = classify(error)
    if fault is not None:
        return fault_message(fault), None
    if isinstance(error, app_commands.CommandOnCooldown):
        retry = discord.utils.utcnow() + timedelta(seconds=error.retry_after)
        return f"Slow down a little: you can use this again {discord.utils.format_dt(retry, 'R')}.", None
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need {_permission_names(error.missing_permissions)} for this.", None
    if isinstance(error, app_commands.BotMissingPermissions):
        names = _permission_names(error.missing_permissions)
        return f"I need {names} in this channel; ask a moderator to change its permissions.", None
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return OUT_OF_DATE, None
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server, not in direct messages.", None
    if isinstance(error, app_commands.TransformerError):
        return f"{str(error.value)[:100]!r} is not a valid {error.type.name.replace('_', ' ')} here.", None
    if isinstance(error, app_commands.CheckFailure) and str(error):
        return str(error), None
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here.", None
    code = secrets.token_hex(3)
    return (
        f"Something went wrong on our side (error code `{code}`). "
        "It has been logged; tell a moderator the code if it keeps happening."
    ), code


#: Discord's answer to a first response sent after its 3 seconds: the interaction is gone.
UNKNOWN_INTERACTION = 10062


def gone(error: BaseException) -> bool:
    """Whether Discord refused a response because the interaction had already expired."""
    return isinstance(error, discord.NotFound) and error.code == UNKNOWN_INTERACTION


async def report_error(interaction: discord.Interaction, error: BaseException, where: str) -> None:
    """Tell the member what went wrong, ephemerally; log unexpected errors with a short code."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if gone(original):
        # Too late: nothing can reach the member any more. One line, no traceback and no second
        # request — under a burst, tracebacks for every late answer made the next ones later still.
        log.warning(
            "Answered %s too late for user %s: Discord had given up on it", where, interaction.user.id
        )
        return
    message, code = describe_error(error)
    fault = classify(original)
    if fault is not None:
        fault_log.note(fault, where)
    elif isinstance(original, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        log.warning("Refused %s: %s (the commands registered with Discord are out of date)", where, original)
    elif code is not None:
        log.error(
            "Unexpected error %s in %s (user %s, guild %s)",
            code,
            where,
            interaction.user.id,
            interaction.guild_id,
            exc_info=original,
        )
    else:
        log.info("Refused %s for user %s: %s", where, interaction.user.id, message)
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            # An autocomplete can only be answered with choices: offer none.
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
        else:
            await reply(interaction, message, ephemeral=True)
    except discord.HTTPException as failed:
        if gone(failed):  # refused before it could be answered (a full queue), then answered too late
            log.warning(
                "Answered %s too late for user %s: Discord had given up on it", where, interaction.user.id
            )
        else:
            log.warning("Could not deliver an error message for %s", where, exc_info=True)


class StudyTree(app_commands.CommandTree):
    """The command tree: every option is checked against its command's declaration before anything
    else runs (:mod:`bot.option_checks`), and every app-command error goes through
    :func:`report_error`."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        from bot.option_checks import check_command_payload  # it builds on this module's errors

        check_command_payload(self, interaction)
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        command = interaction.command
        where = f"/{command.qualified_name}" if command is not None else "an application command"
        await report_error(interaction, error, where)


class StudyModal(discord.ui.Modal):
    """A modal whose fields are checked against their declarations (required, lengths) before
    ``on_submit`` runs, and whose errors reach the member the same way as command errors."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        for item in self.walk_children():
            if isinstance(item, discord.ui.TextInput):
                check_text_input(item)
        return True

    # discord.py's own Modal.on_error drops the ``item`` argument of View.on_error, and mypy holds
    # every override to View's: the ignore is for that mismatch inside discord.py.
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error, f"the form {self.title!r}")
