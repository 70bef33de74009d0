"""The live-job service: how every model command posts, follows and finishes its message.

A model command reads as *check → acknowledge → submit → follow → render*:

1. **check** — :meth:`LiveJobs.admit` applies the demo channels and the per-member rate, and the
   engine's ``check`` validates the request and reserves its place in the line. Every refusal
   happens here, before anything is posted, and reaches the member as an ephemeral sentence.
2. **acknowledge** — the status message ("⏳ Waiting in the queue: #3 in line (about 20 s)", with
   Cancel) is the interaction's first response. A request whose inputs need slow work first
   (reading an attached file, fetching a linked message) is acknowledged with a "thinking…"
   defer instead, which the status then replaces; a refusal found by that work (or by a
   ``precheck`` after the status) takes the public message back and answers ephemerally.
3. **submit** — the checked request goes to the engine, which never validates it again.
4. **follow** — the engine calls back (throttled by its notifier) as the request moves: queued
   #N with its expected wait → loading the model → running; each call edits the message.
5. **render** — the task's presenter (:mod:`cogs._live.presenters`) turns the result into the
   message: embed, the full text attached when cut, Show code / Run again / Learn more. The call
   is stored only now (its buttons need it), so a refused, cancelled or failed request leaves no
   row; when storing fails the result is shown without those buttons, saying why.

Whatever happens after the acknowledgement, the message is finished: with the result, with
"Cancelled.", with the engine's sentence (timeout, worker lost …), or — for anything unexpected —
"Something went wrong (error code …)", the code logged with the traceback and repeated to the
member ephemerally.

Every edit goes through :meth:`LiveJobs.edit`, the one place that talks to the message.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands
from discord.utils import MISSING

from bot.db.demo_runs import DemoRun, DemoRunStore
from bot.db.faults import classify
from bot.errors import UserFacingError, describe_error, fault_log
from bot.inference.backend import CheckedRequest, InferenceBackend, JobUpdate
from bot.inference.errors import RequestCancelled
from bot.replies import NO_MENTIONS, Upload, delete_original, edit_original, follow_up
from cogs._live.controls import send_code, stored_run, waiting_view
from cogs._live.presenter import CodeCall, Finished
from cogs._live.presenters import presenter_for
from cogs._live.status import error_embed, status_embed

log = logging.getLogger(__name__)

MODELS_DOWN = "The models are not running right now; try again in a minute."
UNEXPECTED = "Something went wrong while running the model (error code `{code}`)."

#: Slow work done after acknowledging, returning the request (e.g. reading an attached file).
Prepare = Callable[[], Awaitable["ModelRequest"]]
#: A check run after the status is posted, before the request is submitted; raise to refuse.
Precheck = Callable[[CheckedRequest], Awaitable[None]]


@dataclass(frozen=True)
class ModelRequest:
    """One model call a member asked for; ``extra`` is stored with it but not sent to the engine."""

    task: str
    inputs: list[Any]
    params: dict[str, Any] = field(default_factory=dict)
    model: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, run: DemoRun, *, extra_keys: tuple[str, ...] = ()) -> ModelRequest:
        """The call ``run`` stored (its ``extra_keys`` were stored among its params)."""
        params = {key: value for key, value in run.params.items() if key not in extra_keys}
        extra = {key: run.params[key] for key in extra_keys if key in run.params}
        return cls(run.task, list(run.inputs), params, run.model, extra)


class LiveJobs:
    """The model commands' service, one per bot (see :func:`live_jobs`)."""

    def __init__(self, client: discord.Client) -> None:
        self.client: Any = client  # a StudyBot: settings, backend, db
        rate, per = client.settings.demo_rate  # type: ignore[attr-defined]
        self._cooldown = app_commands.Cooldown(rate, per)
        self._cooldowns: dict[int, app_commands.Cooldown] = {}

    @property
    def backend(self) -> InferenceBackend:
        """The inference backend, or a refusal while it is not running."""
        backend: InferenceBackend | None = self.client.backend
        if backend is None:
            raise UserFacingError(MODELS_DOWN)
        return backend

    # --- 1. check ------------------------------------------------------------------------------

    def check_channel(self, interaction: discord.Interaction[Any]) -> None:
        """Refuse model commands outside the allowed channels (when the operator set some)."""
        allowed = self.client.settings.demo_channel_ids
        if not allowed or interaction.guild_id is None:
            return
        channel = interaction.channel
        ids = {interaction.channel_id, getattr(channel, "parent_id", None)}
        if not ids & set(allowed):
            where = ", ".join(f"<#{channel_id}>" for channel_id in allowed)
            raise UserFacingError(f"Model demos run in {where} on this server.")

    def check_rate(self, interaction: discord.Interaction[Any]) -> None:
        """At most DEMO_RATE model requests per member, over every model command."""
        bucket = self._cooldowns.setdefault(interaction.user.id, self._cooldown.copy())
        retry_after = bucket.update_rate_limit()
        if retry_after:
            raise app_commands.CommandOnCooldown(bucket, retry_after)

    def admit(self, interaction: discord.Interaction[Any]) -> None:
        """The channel and rate checks of a new model request (buttons and forms too)."""
        self.check_channel(interaction)
        self.check_rate(interaction)

    def check(self, interaction: discord.Interaction[Any], request: ModelRequest) -> CheckedRequest:
        """Validate ``request`` and reserve its place, or raise the sentence that refuses it."""
        return self.backend.check(
            request.task, request.model, request.inputs, request.params, user=interaction.user.id
        )

    # --- the whole way of a new message ----------------------------------------------------------

    async def run(
        self,
        interaction: discord.Interaction[Any],
        request: ModelRequest | None = None,
        *,
        prepare: Prepare | None = None,
        precheck: Precheck | None = None,
        kind: str = "demo",
    ) -> None:
        """Post ``request``'s status message as the first response, follow it, show the result.

        Give ``prepare`` instead of ``request`` when the inputs need slow work first (reading a
        file): it runs after a "thinking…" acknowledgement. ``kind`` names the request's id.
        """
        if prepare is not None:
            await interaction.response.defer(thinking=True)
            try:
                request = await prepare()
                checked = self.check(interaction, request)
            except UserFacingError as refusal:
                await self._take_back(interaction, refusal.message)
                return
        else:
            assert request is not None
            checked = self.check(interaction, request)
        presenter = presenter_for(request.task)
        request_id = f"{kind}-{interaction.id}"
        with checked:  # its reserved place is given back if the acknowledgement fails
            status = status_embed(presenter.title, checked.status, checked.model.entry.id)
            view = waiting_view(request_id, interaction.user.id)
            if interaction.response.is_done():
                await self.edit(interaction, embed=status, view=view)
            else:
                await interaction.response.send_message(embed=status, view=view, allowed_mentions=NO_MENTIONS)
        try:
            if precheck is not None:
                try:
                    await precheck(checked)
                except UserFacingError as refusal:
                    checked.release()
                    await self._take_back(interaction, refusal.message)
                    return
            await self._follow(interaction, request, checked, request_id)
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            checked.release()
            raise
        except BaseException as error:  # tokenizers' Rust panics (pyo3's PanicException) included
            checked.release()
            await self._fail(interaction, presenter.title, error)

    async def _follow(
        self,
        interaction: discord.Interaction[Any],
        request: ModelRequest,
        checked: CheckedRequest,
        request_id: str,
    ) -> None:
        """Submit, edit the status as it changes, then store the call and show the result."""
        presenter = presenter_for(request.task)
        title, checkpoint = presenter.title, checked.model.entry.id
        owner = interaction.user.id

        async def on_update(update: JobUpdate) -> None:
            view = waiting_view(request_id, owner) if update.state == "queued" else None
            await self.edit(
                interaction, embed=status_embed(title, update, checkpoint), view=view, progress=True
            )

        started = time.monotonic()
        try:
            results = await self.backend.submit(checked, on_update=on_update, request_id=request_id)
        except RequestCancelled:
            await self.edit(interaction, embed=error_embed(title, "Cancelled."), view=None)
            return
        except UserFacingError as error:
            await self.edit(interaction, embed=error_embed(title, error.message), view=None)
            return
        meta = presenter.meta(checkpoint, checked.model.tiny, time.monotonic() - started)
        done = Finished(meta, checked.inputs[0], results[0], checked.params, request.extra)
        key = await self._store(interaction, request, checked)
        shown = await presenter.present(done, key)
        await self.edit(interaction, embed=shown.embed, view=shown.view, attachments=shown.files)

    async def _store(
        self, interaction: discord.Interaction[Any], request: ModelRequest, checked: CheckedRequest
    ) -> str | None:
        """Store the finished call for its buttons; None (logged as a fault) when the database refuses."""
        try:
            run = await DemoRunStore(self.client.db).add(
                interaction.guild_id,
                interaction.user.id,
                request.task,
                request.model,
                checked.inputs,
                {**checked.params, **request.extra},
            )
        except sqlite3.Error as error:
            fault = classify(error)
            if fault is None:
                raise
            fault_log.note(fault, f"storing a {request.task} demo")
            return None
        return run.reference

    # --- a message shown again, changed in place (the attention map's menus) ---------------------

    async def rerun(
        self, interaction: discord.Interaction[Any], request: ModelRequest, key: str, *, kind: str = "demo"
    ) -> None:
        """Run a stored call again with other params and edit the message it is on (a menu's choice).

        A refusal or failure is said ephemerally; the message keeps what it showed.
        """
        checked = self.check(interaction, request)
        presenter = presenter_for(request.task)
        with checked:  # its reserved place is given back if the acknowledgement fails
            await interaction.response.defer()
        started = time.monotonic()
        try:
            results = await self.backend.submit(checked, request_id=f"{kind}-{interaction.id}")
            meta = presenter.meta(checked.model.entry.id, checked.model.tiny, time.monotonic() - started)
            done = Finished(meta, checked.inputs[0], results[0], checked.params, request.extra)
            shown = await presenter.present(done, key)
            await self.edit(interaction, embed=shown.embed, view=shown.view, attachments=shown.files)
        except UserFacingError as error:
            await follow_up(interaction, error.message)
        except Exception as error:
            message, _code = self._log_unexpected(interaction, error, presenter.title)
            await follow_up(interaction, message)

    # --- Show code -------------------------------------------------------------------------------

    async def show_code(
        self,
        interaction: discord.Interaction[Any],
        key: str,
        *,
        too_old: str,
        task: str | None = None,
        params: Callable[[DemoRun], dict[str, Any]] | None = None,
    ) -> None:
        """Show code: the transformers code of a stored call, ephemerally.

        Acknowledged first (the code is built from the model's files, in a thread); ``params``
        picks what the code shows from the stored call (default: its params).
        """
        await interaction.response.defer(ephemeral=True, thinking=True)
        run = await stored_run(interaction, key, too_old, task=task)
        settings = self.client.settings
        resolved = self.backend.catalog.resolve(
            run.task, run.model, profile=settings.model_profile, tiny_dir=settings.tiny_models_dir
        )
        shown = params(run) if params is not None else run.params
        call = CodeCall(resolved.ref, resolved.entry.id, run.inputs[0], shown, settings.model_cache_dir)
        snippet = await asyncio.to_thread(presenter_for(run.task).snippet, call)
        await send_code(interaction, snippet)

    # --- talking to the message -------------------------------------------------------------------

    async def edit(
        self,
        interaction: discord.Interaction[Any],
        *,
        embed: discord.Embed,
        view: discord.ui.View | None = MISSING,
        attachments: Sequence[discord.File] | None = None,
        progress: bool = False,
    ) -> None:
        """Edit the request's message (the interaction's original response); nothing pings.

        A demo queued behind others can outlive its 15-minute token: the answer is then posted in
        the channel instead, and a mere ``progress`` update is dropped (:func:`edit_original`).
        """
        uploads = None if attachments is None else [Upload.of(file) for file in attachments]
        await edit_original(interaction, embeds=[embed], view=view, uploads=uploads, fallback=not progress)

    async def _take_back(self, interaction: discord.Interaction[Any], message: str) -> None:
        """A refusal found after the acknowledgement: remove the public message, say it ephemerally."""
        log.info("Refused a model request for user %s: %s", interaction.user.id, message)
        await delete_original(interaction)
        await follow_up(interaction, message)

    def _log_unexpected(
        self, interaction: discord.Interaction[Any], error: BaseException, title: str
    ) -> tuple[str, str | None]:
        """The member's sentence for ``error`` and its code (unexpected errors are logged with it)."""
        message, code = describe_error(error)
        fault = classify(error)
        if fault is not None:
            fault_log.note(fault, f"a {title} request")
        elif code is not None:
            log.error(
                "Unexpected error %s in a %s request (user %s, guild %s)",
                code,
                title,
                interaction.user.id,
                interaction.guild_id,
                exc_info=error,
            )
        return message, code

    async def _fail(self, interaction: discord.Interaction[Any], title: str, error: BaseException) -> None:
        """Finish the message after an unexpected error, and tell the member its code."""
        message, code = self._log_unexpected(interaction, error, title)
        ending = UNEXPECTED.format(code=code) if code is not None else message
        try:
            await self.edit(interaction, embed=error_embed(title, ending), view=None, attachments=[])
            await follow_up(interaction, message)
        except discord.HTTPException:
            log.warning("Could not finish the message of a failed %s request", title, exc_info=True)


_SERVICES: weakref.WeakKeyDictionary[discord.Client, LiveJobs] = weakref.WeakKeyDictionary()


def live_jobs(client: discord.Client) -> LiveJobs:
    """The bot's live-job service (made on first use; its rate limits are the bot's)."""
    service = _SERVICES.get(client)
    if service is None:
        service = _SERVICES[client] = LiveJobs(client)
    return service


__all__ = ["LiveJobs", "ModelRequest", "live_jobs"]
