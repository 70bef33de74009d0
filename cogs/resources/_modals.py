"""The form a moderator fills in when ``/resources add`` is used without options."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.checks import ensure_moderator
from bot.db.resources import CATEGORIES, DESCRIPTION_MAX, TITLE_MAX, URL_MAX
from bot.errors import StudyModal

#: ``ResourcesCog.add_and_reply``: validates, saves and confirms.
AddResource = Callable[..., Awaitable[None]]


class AddResourceModal(StudyModal, title="Add a resource"):
    """Title, link, category, description and tags; validated like the command's options."""

    resource_title: discord.ui.TextInput[AddResourceModal] = discord.ui.TextInput(
        label="Title", max_length=TITLE_MAX, placeholder="Hugging Face course, chapter 1"
    )
    url: discord.ui.TextInput[AddResourceModal] = discord.ui.TextInput(
        label="Link", max_length=URL_MAX, placeholder="https://huggingface.co/learn/llm-course/chapter1/1"
    )
    category: discord.ui.TextInput[AddResourceModal] = discord.ui.TextInput(
        label="Category", max_length=32, placeholder=", ".join(CATEGORIES)[:100]
    )
    description: discord.ui.TextInput[AddResourceModal] = discord.ui.TextInput(
        label="Description (optional)",
        style=discord.TextStyle.paragraph,
        max_length=DESCRIPTION_MAX,
        required=False,
    )
    tags: discord.ui.TextInput[AddResourceModal] = discord.ui.TextInput(
        label="Tags, comma-separated (optional)", max_length=400, required=False, placeholder="nlp, beginner"
    )

    def __init__(self, add: AddResource) -> None:
        super().__init__(timeout=15 * 60)
        self.add = add

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        ensure_moderator(interaction)
        await self.add(
            interaction,
            title=self.resource_title.value,
            url=self.url.value,
            category=self.category.value,
            description=self.description.value,
            tags=self.tags.value,
        )
