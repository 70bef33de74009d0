"""The model demo commands: each checks its options, then hands the call to the live-job service.

Everything after the options — channel and rate checks, the engine's check, the status message,
following the job, the result — is :class:`~cogs._live.service.LiveJobs`, shared with every model
command; how each task's result looks is its presenter's (:mod:`cogs._live.presenters`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.components import NUMBER, Action, text
from bot.interactions import Interaction
from cogs._live.controls import DEMOS, REQUEST_ID, RUN_KEY, cancel_request, stored_run
from cogs._live.inputs import Source, parse_labels, source_of
from cogs._live.options import MessageLink, ModelName, model_autocomplete
from cogs._live.service import LiveJobs, ModelRequest, live_jobs

log = logging.getLogger(__name__)

TOO_OLD_CODE = "This demo is too old: its code is no longer kept. Run the command again."
TOO_OLD_AGAIN = "This demo is too old to run again. Use the command instead."


class DemosCog(commands.Cog):
    """Run the Hugging Face course's pipelines from Discord."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client
        self.live: LiveJobs = live_jobs(client)

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

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        try:
            self.live.check_channel(interaction)
        except Exception as error:  # a check must fail with a CheckFailure to reach the error handler
            raise app_commands.CheckFailure(str(error)) from None
        self.live.check_rate(interaction)
        return True

    async def code_button(self, interaction: Interaction, key: str) -> None:
        """Show code under a result."""
        await self.live.show_code(interaction, key, too_old=TOO_OLD_CODE)

    async def again_button(self, interaction: Interaction, key: str) -> None:
        """Run again under a sampled result: the same call, as a new message, for whoever pressed it."""
        run = await stored_run(interaction, key, TOO_OLD_AGAIN)
        self.live.admit(interaction)
        await self.live.run(interaction, ModelRequest.of(run))

    async def run_on(
        self, interaction: discord.Interaction, source: Source, build: Callable[[str], ModelRequest]
    ) -> None:
        """Run what ``build`` makes of the member's text: at once when typed, once read otherwise
        (a file or a linked message is read after the acknowledgement)."""
        read = source.read
        if read is None:
            assert source.text is not None
            await self.live.run(interaction, build(source.text))
            return

        async def prepare() -> ModelRequest:
            return build(await read())

        await self.live.run(interaction, prepare=prepare)

    # --- commands ------------------------------------------------------------------------------------

    @app_commands.command(name="sentiment")
    @app_commands.describe(text="The sentence to classify", model="A sentiment model from the catalog")
    @app_commands.autocomplete(model=model_autocomplete("sentiment-analysis"))
    async def sentiment(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 1000],
        model: ModelName | None = None,
    ) -> None:
        """Is this text positive or negative? (the course's first pipeline)"""
        await self.live.run(interaction, ModelRequest("sentiment-analysis", [text], model=model))

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
        model: ModelName | None = None,
    ) -> None:
        """Classify a text with labels you choose, no training needed"""
        candidates = parse_labels(labels, multi_label=multi_label)
        item = {"text": text, "candidate_labels": candidates}
        await self.live.run(
            interaction, ModelRequest("zero-shot-classification", [item], {"multi_label": multi_label}, model)
        )

    @app_commands.command(name="generate")
    @app_commands.describe(
        prompt="The start of the text",
        max_new_tokens="How many tokens to add (1–100)",
        num_return_sequences="How many continuations (1–3)",
        do_sample="Sample (true) or always take the likeliest token (false); default: as the model says",
        temperature="Sampling temperature: low is safe, high is wild (0.1–2; turns sampling on)",
        top_k="Sample among the k likeliest tokens (turns sampling on)",
        top_p="Sample within this share of probability (0.1–1; turns sampling on)",
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
        do_sample: bool | None = None,
        temperature: app_commands.Range[float, 0.1, 2.0] | None = None,
        top_k: app_commands.Range[int, 1, 100] | None = None,
        top_p: app_commands.Range[float, 0.1, 1.0] | None = None,
        num_beams: app_commands.Range[int, 1, 4] = 1,
        model: ModelName | None = None,
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
        await self.live.run(interaction, ModelRequest("text-generation", [prompt], params, model))

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
        model: ModelName | None = None,
    ) -> None:
        """Guess the missing word in a sentence"""
        await self.live.run(interaction, ModelRequest("fill-mask", [text], {"top_k": top_k}, model))

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
        model: ModelName | None = None,
    ) -> None:
        """Find named entities: people, organisations, places"""
        params = {"aggregation_strategy": "simple" if grouped else "none"}
        await self.live.run(interaction, ModelRequest("ner", [text], params, model))

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
        context_link: MessageLink | None = None,
        context_file: discord.Attachment | None = None,
        model: ModelName | None = None,
    ) -> None:
        """Find the answer to a question inside a text (extractive question answering)"""
        options = ("context", "context_link", "context_file")
        source = source_of(interaction, "context", options, context, context_link, context_file)
        await self.run_on(
            interaction,
            source,
            lambda text: ModelRequest(
                "question-answering", [{"question": question, "context": text}], model=model
            ),
        )

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
        link: MessageLink | None = None,
        max_length: app_commands.Range[int, 5, 256] | None = None,
        min_length: app_commands.Range[int, 0, 200] | None = None,
        model: ModelName | None = None,
    ) -> None:
        """Summarize a text, a file or a message"""
        source = source_of(interaction, "text", ("text", "link", "file"), text, link, file)
        params = {
            key: value
            for key, value in (("max_length", max_length), ("min_length", min_length))
            if value is not None
        }
        await self.run_on(
            interaction, source, lambda text: ModelRequest("summarization", [text], params, model)
        )

    @app_commands.command(name="translate")
    @app_commands.describe(text="The text to translate", pair="The language pair (default: French → English)")
    @app_commands.autocomplete(pair=model_autocomplete("translation"))
    async def translate(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 2000],
        pair: ModelName | None = None,
    ) -> None:
        """Translate a text with a MarianMT model"""
        await self.live.run(interaction, ModelRequest("translation", [text], model=pair))

    @app_commands.command(name="tokenize")
    @app_commands.describe(
        text="The text to split into tokens", model="Whose tokenizer (default: bert-base-cased)"
    )
    @app_commands.autocomplete(model=model_autocomplete("tokenize"))
    async def tokenize(
        self,
        interaction: discord.Interaction,
        text: app_commands.Range[str, 1, 2000],
        model: ModelName | None = None,
    ) -> None:
        """See how a tokenizer splits text into tokens and ids"""
        await self.live.run(interaction, ModelRequest("tokenize", [text], model=model))
