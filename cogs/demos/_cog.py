"""The model demo commands: each validates, then hands the call to :meth:`DemosCog.run`."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.components import NUMBER, Action, text
from bot.db.demo_runs import DemoRun, DemoRunStore
from bot.errors import UserFacingError
from bot.inference.backend import InferenceBackend, JobUpdate
from bot.inference.errors import RequestCancelled
from bot.interactions import Interaction
from cogs.demos import _embeds as embeds
from cogs.demos._inputs import parse_labels, read_source
from cogs.demos._render import render_result
from cogs.demos._snippets import build_snippet
from cogs.demos._views import (
    DEMOS,
    REQUEST_ID,
    RUN_KEY,
    cancel_request,
    result_view,
    send_code,
    stored_run,
    waiting_view,
)

log = logging.getLogger(__name__)

#: Member text and model output are echoed in every demo message: nothing in them may ping.
NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True)
class DemoRequest:
    """One model call a member asked for."""

    task: str
    inputs: list[Any]
    params: dict[str, Any] = field(default_factory=dict)
    model: str | None = None


def model_autocomplete(task: str) -> Any:
    """An autocomplete callback offering the catalog's models for ``task`` (≤ 25, from memory)."""

    async def complete(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        pool = interaction.client.pool
        if pool is None:
            return []
        wanted = current.strip().casefold()
        choices = []
        for entry in pool.catalog.choices(task):  # type: ignore[attr-defined]  # both backends have one
            name = f"{entry.label} ({entry.id})"
            if wanted in name.casefold():
                choices.append(app_commands.Choice(name=name[:100], value=entry.id))
        return choices[:25]

    return complete


class DemosCog(commands.Cog):
    """Run the Hugging Face course's pipelines from Discord."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client
        rate, per = client.settings.demo_rate
        self._cooldown = app_commands.Cooldown(rate, per)
        self._cooldowns: dict[int, app_commands.Cooldown] = {}

    async def cog_load(self) -> None:
        self.bot.actions.add(
            DEMOS,
            (
                Action("cancel", cancel_request, text(REQUEST_ID), NUMBER),
                Action("code", self.code_button, RUN_KEY),
                Action("again", self.again_button, RUN_KEY),
            ),
        )

    async def cog_unload(self) -> None:
        self.bot.actions.remove(DEMOS)

    async def code_button(self, interaction: Interaction, key: str) -> None:
        """Show code under a result."""
        too_old = "This demo is too old: its code is no longer kept. Run the command again."
        await self.show_code(interaction, await stored_run(interaction, key, too_old))

    async def again_button(self, interaction: Interaction, key: str) -> None:
        """Run again under a sampled result."""
        too_old = "This demo is too old to run again. Use the command instead."
        await self.run_again(interaction, await stored_run(interaction, key, too_old))

    @property
    def pool(self) -> InferenceBackend:
        if self.bot.pool is None:
            raise UserFacingError("The models are not running right now; try again in a minute.")
        return self.bot.pool

    # --- shared checks -------------------------------------------------------------------------

    def check_channel(self, interaction: discord.Interaction) -> None:
        """Refuse demos outside the allowed channels (when the operator set some)."""
        allowed = self.bot.settings.demo_channel_ids
        if not allowed or interaction.guild_id is None:
            return
        channel = interaction.channel
        ids = {interaction.channel_id, getattr(channel, "parent_id", None)}
        if not ids & set(allowed):
            where = ", ".join(f"<#{channel_id}>" for channel_id in allowed)
            raise UserFacingError(f"Model demos run in {where} on this server.")

    def check_cooldown(self, interaction: discord.Interaction) -> None:
        """At most DEMO_RATE demos per member, over all the demo commands."""
        bucket = self._cooldowns.setdefault(interaction.user.id, self._cooldown.copy())
        retry_after = bucket.update_rate_limit()
        if retry_after:
            raise app_commands.CommandOnCooldown(bucket, retry_after)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:  # type: ignore[override]
        try:
            self.check_channel(interaction)
        except UserFacingError as error:  # a check must fail with a CheckFailure to reach the error handler
            raise app_commands.CheckFailure(error.message) from None
        if interaction.command is not None and interaction.command.name != "model":
            self.check_cooldown(interaction)
        return True

    # --- the one way a demo runs -------------------------------------------------------------------

    async def run(self, interaction: discord.Interaction, request: DemoRequest) -> None:
        """Check, acknowledge at once, report queue state, then show the result in the same message."""
        pool = self.pool
        user = interaction.user.id
        checked = pool.check(request.task, request.model, request.inputs, request.params, user=user)
        with checked:  # its reserved place is given back if anything fails before it is submitted
            entry, title = checked.model.entry, checked.spec.title
            run = await DemoRunStore(self.bot.db).add(
                interaction.guild_id, user, request.task, request.model, checked.inputs, checked.params
            )
            request_id = f"demo-{interaction.id}"
            started = time.monotonic()
            await interaction.response.send_message(
                embed=embeds.status_embed(title, checked.status, entry.id),
                view=waiting_view(request_id, user),
                allowed_mentions=NO_MENTIONS,
            )

        async def on_update(update: JobUpdate) -> None:
            view = waiting_view(request_id, user) if update.state == "queued" else None
            await interaction.edit_original_response(
                embed=embeds.status_embed(title, update, entry.id), view=view, allowed_mentions=NO_MENTIONS
            )

        async def show_error(message: str) -> None:
            await interaction.edit_original_response(
                embed=embeds.error_embed(title, message), view=None, allowed_mentions=NO_MENTIONS
            )

        try:
            results = await pool.submit(checked, on_update=on_update, request_id=request_id)
            meta = embeds.ResultMeta(
                title, entry.id, checked.model.tiny, time.monotonic() - started, checked.spec.course_url
            )
            item, result = checked.inputs[0], results[0]
            embed = render_result(request.task, meta, item, result, checked.params)
            overflow = embeds.overflow_text(request.task, result)
        except RequestCancelled:
            await show_error("Cancelled.")
            return
        except UserFacingError as error:
            await show_error(error.message)
            return
        except Exception:
            # Never leave the message saying "running": say it failed; the tree's error handler
            # logs the error and tells the member its code.
            await show_error("Something went wrong while running the model.")
            raise
        files = [discord.File(io.BytesIO(overflow.encode()), filename="output.txt")] if overflow else []
        await interaction.edit_original_response(
            embed=embed,
            view=result_view(run.reference, request.task, checked.params, checked.spec.course_url),
            attachments=files,
            allowed_mentions=NO_MENTIONS,
        )

    async def run_again(self, interaction: discord.Interaction, run: DemoRun) -> None:
        """The Run again button: the same call, as a new message, for whoever pressed it."""
        self.check_channel(interaction)
        self.check_cooldown(interaction)
        await self.run(interaction, DemoRequest(run.task, run.inputs, run.params, run.model))

    async def show_code(self, interaction: discord.Interaction, run: DemoRun) -> None:
        """The Show code button: the transformers code for this exact call, ephemerally."""
        settings = self.bot.settings
        resolved = self.pool.catalog.resolve(
            run.task, run.model, profile=settings.model_profile, tiny_dir=settings.tiny_models_dir
        )
        snippet = await asyncio.to_thread(
            build_snippet,
            run.task,
            resolved.ref,
            resolved.entry.id,
            run.inputs[0],
            run.params,
            settings.model_cache_dir,
        )
        await send_code(interaction, snippet)

    # --- commands ------------------------------------------------------------------------------------

    @app_commands.command(name="sentiment")
    @app_commands.describe(text="The sentence to classify", model="A sentiment model from the catalog")
    @app_commands.autocomplete(model=model_autocomplete("sentiment-analysis"))
    async def sentiment(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000],
        model: str | None = None,
    ) -> None:
        """Is this text positive or negative? (the course's first pipeline)"""
        await self.run(interaction, DemoRequest("sentiment-analysis", [text], model=model))

    @app_commands.command(name="zeroshot")
    @app_commands.describe(
        text="The text to classify",
        labels="Candidate labels, separated by commas (2 to 10)",
        multi_label="Score each label on its own instead of sharing 100% between them",
        model="A zero-shot model from the catalog",
    )
    @app_commands.autocomplete(model=model_autocomplete("zero-shot-classification"))
    async def zeroshot(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000],
        labels: app_commands.Range[str, 1, 600],
        multi_label: bool = False,
        model: str | None = None,
    ) -> None:
        """Classify a text with labels you choose, no training needed"""
        candidates = parse_labels(labels, multi_label=multi_label)
        item = {"text": text, "candidate_labels": candidates}
        await self.run(
            interaction, DemoRequest("zero-shot-classification", [item], {"multi_label": multi_label}, model)
        )

    @app_commands.command(name="generate")
    @app_commands.describe(
        prompt="The start of the text",
        max_new_tokens="How many tokens to add (1–100)",
        num_return_sequences="How many continuations (1–3)",
        do_sample="Sample instead of always taking the likeliest next token",
        temperature="Sampling temperature: low is safe, high is wild (0.1–2)",
        top_k="Sample among the k likeliest tokens",
        top_p="Sample within this share of probability (0.1–1)",
        num_beams="Beam search width (1–4)",
        model="A text generation model from the catalog",
    )
    @app_commands.autocomplete(model=model_autocomplete("text-generation"))
    async def generate(
        self,
        interaction: discord.Interaction,
        prompt: app_commands.Range[str, 1, 1000],
        max_new_tokens: app_commands.Range[int, 1, 100] = 30,
        num_return_sequences: app_commands.Range[int, 1, 3] = 1,
        do_sample: bool = False,
        temperature: app_commands.Range[float, 0.1, 2.0] = 1.0,
        top_k: app_commands.Range[int, 1, 100] = 50,
        top_p: app_commands.Range[float, 0.1, 1.0] = 1.0,
        num_beams: app_commands.Range[int, 1, 4] = 1,
        model: str | None = None,
    ) -> None:
        """Continue a text with GPT-2 (the course's text-generation pipeline)"""
        params = {
            "max_new_tokens": max_new_tokens,
            "num_return_sequences": num_return_sequences,
            "do_sample": do_sample,
            "temperature": temperature,
            "top_k": top_k,
            "top_p": top_p,
            "num_beams": num_beams,
        }
        await self.run(interaction, DemoRequest("text-generation", [prompt], params, model))

    @app_commands.command(name="fillmask")
    @app_commands.describe(
        text="A sentence with one [MASK] (or <mask>) where a word is missing",
        top_k="How many guesses (1–10)",
        model="A fill-mask model from the catalog",
    )
    @app_commands.autocomplete(model=model_autocomplete("fill-mask"))
    async def fillmask(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000],
        top_k: app_commands.Range[int, 1, 10] = 5,
        model: str | None = None,
    ) -> None:
        """Guess the missing word in a sentence"""
        await self.run(interaction, DemoRequest("fill-mask", [text], {"top_k": top_k}, model))

    @app_commands.command(name="ner")
    @app_commands.describe(
        text="The text to find people, places and organisations in",
        grouped="Group the pieces of each entity (true), or show every sub-word token with its tag (false)",
        model="An NER model from the catalog",
    )
    @app_commands.autocomplete(model=model_autocomplete("ner"))
    async def ner(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000],
        grouped: bool = True,
        model: str | None = None,
    ) -> None:
        """Find named entities: people, organisations, places"""
        params = {"aggregation_strategy": "simple" if grouped else "none"}
        await self.run(interaction, DemoRequest("ner", [text], params, model))

    @app_commands.command(name="qa")
    @app_commands.describe(
        question="What to ask about the context",
        context="The text that holds the answer",
        context_link="Or: a link to a message in this server that holds the answer",
        context_file="Or: a text file that holds the answer",
        model="A question-answering model from the catalog",
    )
    @app_commands.autocomplete(model=model_autocomplete("question-answering"))
    async def qa(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 500],
        context: app_commands.Range[str, 1, 6000] | None = None,
        context_link: str | None = None,
        context_file: discord.Attachment | None = None,
        model: str | None = None,
    ) -> None:
        """Find the answer to a question inside a text (extractive question answering)"""
        options = ("context", "context_link", "context_file")
        context = await read_source(interaction, "context", options, context, context_link, context_file)
        item = {"question": question, "context": context}
        await self.run(interaction, DemoRequest("question-answering", [item], model=model))

    @app_commands.command(name="summarize")
    @app_commands.describe(
        text="The text to summarize",
        file="Or: a text file to summarize",
        link="Or: a link to a message in this server to summarize",
        max_length="Longest summary, in tokens (5–256)",
        min_length="Shortest summary, in tokens (0–200)",
        model="A summarization model from the catalog",
    )
    @app_commands.autocomplete(model=model_autocomplete("summarization"))
    async def summarize(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 6000] | None = None,
        file: discord.Attachment | None = None,
        link: str | None = None,
        max_length: app_commands.Range[int, 5, 256] | None = None,
        min_length: app_commands.Range[int, 0, 200] | None = None,
        model: str | None = None,
    ) -> None:
        """Summarize a text, a file or a message"""
        text = await read_source(interaction, "text", ("text", "link", "file"), text, link, file)
        params = {
            key: value
            for key, value in (("max_length", max_length), ("min_length", min_length))
            if value is not None
        }
        await self.run(interaction, DemoRequest("summarization", [text], params, model))

    @app_commands.command(name="translate")
    @app_commands.describe(text="The text to translate", pair="The language pair (default: French → English)")
    @app_commands.autocomplete(pair=model_autocomplete("translation"))
    async def translate(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 2000],
        pair: str | None = None,
    ) -> None:
        """Translate a text with a MarianMT model"""
        await self.run(interaction, DemoRequest("translation", [text], model=pair))

    @app_commands.command(name="tokenize")
    @app_commands.describe(
        text="The text to split into tokens", model="Whose tokenizer (default: bert-base-cased)"
    )
    @app_commands.autocomplete(model=model_autocomplete("tokenize"))
    async def tokenize(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 2000],
        model: str | None = None,
    ) -> None:
        """See how a tokenizer splits text into tokens and ids"""
        await self.run(interaction, DemoRequest("tokenize", [text], model=model))
