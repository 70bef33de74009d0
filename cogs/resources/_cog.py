"""``/resources``: the links, courses and tools a study group keeps, per server."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.acknowledge import acknowledge, acknowledge_update, update_message
from bot.checks import moderator_only
from bot.components import NUMBER, Action, marker, text
from bot.db.resources import (
    CATEGORIES,
    Resource,
    ResourceDraft,
    ResourceStore,
    check_category,
    check_description,
    check_title,
    check_url,
    parse_tags,
)
from bot.errors import UserFacingError
from bot.guild_feature import CachedFeature, guild_id_of, guild_of
from bot.interactions import Interaction
from bot.replies import reply, truncate
from cogs.resources._embeds import import_embed, list_embed, page_count, resource_embed, search_embed
from cogs.resources._files import MAX_FILE_BYTES, export_resources, read_resource_file
from cogs.resources._modals import AddResourceModal
from cogs.resources._refs import ResourceRef
from cogs.resources._search import only_small_words, rank
from cogs.resources._views import RESOURCES, confirm_remove_view, page_view

log = logging.getLogger(__name__)

STARTER_PACK = Path(__file__).with_name("starter_pack.json")
CLEAR = "-"  # an edit value that empties a field
AnyResource = app_commands.Transform[Resource, ResourceRef]
Title = app_commands.Range[str, 1, 100]
Link = app_commands.Range[str, 1, 512]
Category = app_commands.Range[str, 1, 32]  # the longest is 9 characters; typos get a hint
Description = app_commands.Range[str, 1, 1000]
Tags = app_commands.Range[str, 1, 400]


def starter_entries() -> list[Any]:
    """The starter pack's entries, from the data file next to this module."""
    data = json.loads(STARTER_PACK.read_text(encoding="utf-8"))
    return list(data["resources"])


def share_mentions(member: discord.abc.Snowflake | None) -> discord.AllowedMentions:
    """Mentions for a shared resource: only the member it is shared with, never anyone else."""
    if member is None:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(everyone=False, roles=False, users=[member], replied_user=False)


@app_commands.guild_only()
class ResourcesCog(CachedFeature[ResourceStore, Resource], commands.GroupCog, group_name="resources"):
    """Links, courses and tools the study group keeps."""

    feature = RESOURCES
    store_type = ResourceStore

    def actions(self) -> Sequence[Action]:
        return (
            Action("page", self.turn_page, NUMBER, NUMBER, marker("[pn]"), text("[a-z]*")),
            Action("remove", self.remove_now, NUMBER, moderators=True),
            Action.dismiss("keep", "Kept: nothing was removed.", NUMBER),
        )

    # --- shared steps --------------------------------------------------------------------

    async def turn_page(self, interaction: Interaction, owner_id: int, page: int, category: str) -> None:
        """Previous / Next on a list: only the member who asked for the list can turn its pages."""
        if interaction.user.id != owner_id:
            raise UserFacingError(
                "These buttons turn the pages for whoever ran the list; use /resources list to get your own."
            )
        wanted = category or None
        resources = await self.store.find(guild_id_of(interaction), wanted)
        if not resources:
            where = f" in **{wanted}**" if wanted else ""
            raise UserFacingError(f"There are no resources{where} any more.")
        pages = page_count(len(resources))
        page = min(max(page, 0), pages - 1)
        await interaction.response.edit_message(
            embed=list_embed(resources, page, wanted), view=page_view(owner_id, page, pages, wanted)
        )

    async def add_and_reply(
        self,
        interaction: Interaction,
        *,
        title: str,
        url: str,
        category: str,
        description: str | None,
        tags: str | None,
    ) -> None:
        """Validate, save (committed), refresh the cache, then confirm: for the command and the form."""
        guild_id = guild_id_of(interaction)
        draft = ResourceDraft.build(
            title=title, url=url, category=category, description=description, tags=tags
        )
        await acknowledge(interaction)  # before the write (issue 13)
        saved = await self.store.add(guild_id, draft, user_id=interaction.user.id)
        await self.cache.refresh(guild_id)
        await reply(
            interaction,
            f"Saved **{saved.title}** in {saved.category}.",
            embed=resource_embed(saved),
            ephemeral=True,
        )

    async def remove_now(self, interaction: Interaction, resource_id: int) -> None:
        """The confirmation button: delete the resource (no-op if it was already gone)."""
        guild_id = guild_id_of(interaction)
        await acknowledge_update(interaction)  # before the write (issue 13)
        removed = await self.store.remove(guild_id, resource_id, user_id=interaction.user.id)
        await self.cache.refresh(guild_id)
        text = (
            f"Removed **{removed.title}**."
            if removed
            else "That resource was already removed; nothing changed."
        )
        await update_message(interaction, content=text, embed=None, view=None)

    # --- everyone ------------------------------------------------------------------------

    @app_commands.command(name="list")
    @app_commands.describe(category="Only this category (setup, course, fastai, libraries, papers …)")
    async def list_(self, interaction: Interaction, category: Category | None = None) -> None:
        """Browse the server's resources, page by page."""
        guild_id = guild_id_of(interaction)
        wanted = check_category(category) if category else None
        resources = await self.store.find(guild_id, wanted)
        if not resources:
            if wanted:
                raise UserFacingError(f"There are no resources in **{wanted}** yet.")
            raise UserFacingError(
                "There are no resources yet. Moderators can add some with /resources add or "
                "/resources starter-pack."
            )
        pages = page_count(len(resources))
        view = page_view(interaction.user.id, 0, pages, wanted)
        await reply(interaction, embed=list_embed(resources, 0, wanted), view=view, ephemeral=True)

    @app_commands.command(name="search")
    @app_commands.describe(query="Words from the title, tags or description; typos are fine")
    async def search(self, interaction: Interaction, query: app_commands.Range[str, 1, 100]) -> None:
        """Find resources by title, tags or description, best matches first."""
        guild_id = guild_id_of(interaction)
        if only_small_words(query):
            raise UserFacingError(
                f"{truncate(query, 60)!r} has only small words (like and, how, to), which every resource "
                "has: add a word that says what you are looking for."
            )
        results = rank(query, await self.cache.get(guild_id), limit=10)
        if not results:
            raise UserFacingError(
                f"Nothing matches {truncate(query, 60)!r}. Try fewer words, or browse with /resources list."
            )
        await reply(interaction, embed=search_embed(query, results), ephemeral=True)

    @app_commands.command(name="show")
    @app_commands.rename(resource="name")
    @app_commands.describe(
        resource="The resource (start typing to search)", public="Show it to the whole channel"
    )
    async def show(self, interaction: Interaction, resource: AnyResource, public: bool = False) -> None:
        """Show one resource, to you alone or to the channel."""
        await reply(interaction, embed=resource_embed(resource), ephemeral=not public)

    @app_commands.command(name="share")
    @app_commands.rename(resource="name")
    @app_commands.describe(resource="The resource (start typing to search)", to="Mention this member with it")
    async def share(
        self, interaction: Interaction, resource: AnyResource, to: discord.Member | None = None
    ) -> None:
        """Post a resource in this channel, optionally for one member."""
        if to is not None and to.bot:
            raise UserFacingError("Bots don't read links; share it with a member instead.")
        sharer = interaction.user.display_name
        content = f"{to.mention}, {interaction.user.mention} thought this would help you:" if to else None
        await reply(
            interaction,
            content,
            embed=resource_embed(resource, shared_by=sharer),
            allowed_mentions=share_mentions(to),
        )

    # --- moderators ----------------------------------------------------------------------

    @app_commands.command(name="add")
    @app_commands.describe(
        title="Its name, as members will search for it",
        url="The link (http or https)",
        category="setup, course, fastai, libraries, papers, podcasts, tools or community",
        description="What it is and why it helps (optional)",
        tags="Comma-separated keywords (optional)",
    )
    @moderator_only()
    async def add(
        self,
        interaction: Interaction,
        title: Title | None = None,
        url: Link | None = None,
        category: Category | None = None,
        description: Description | None = None,
        tags: Tags | None = None,
    ) -> None:
        """Add a resource (moderators); with no options a form opens."""
        given = [title, url, category, description, tags]
        if all(value is None for value in given):
            await interaction.response.send_modal(AddResourceModal(self.add_and_reply))
            return
        if title is None or url is None or category is None:
            raise UserFacingError(
                "Give title, url and category (description and tags are optional), or no options "
                "at all to fill in a form."
            )
        await self.add_and_reply(
            interaction, title=title, url=url, category=category, description=description, tags=tags
        )

    @app_commands.command(name="edit")
    @app_commands.rename(resource="name")
    @app_commands.describe(
        resource="The resource to change",
        title="New title",
        url="New link (http or https)",
        description='New description ("-" to clear it)',
        tags='New comma-separated tags ("-" to clear them)',
    )
    @moderator_only()
    async def edit(
        self,
        interaction: Interaction,
        resource: AnyResource,
        title: Title | None = None,
        url: Link | None = None,
        description: Description | None = None,
        tags: Tags | None = None,
    ) -> None:
        """Change a resource's title, link, description or tags (moderators)."""
        guild_id = guild_id_of(interaction)
        if all(value is None for value in (title, url, description, tags)):
            raise UserFacingError("Give at least one of title, url, description or tags to change.")
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = check_title(title)
        if url is not None:
            changes["url"] = check_url(url)
        if description is not None:
            changes["description"] = "" if description.strip() == CLEAR else check_description(description)
        if tags is not None:
            changes["tags"] = () if tags.strip() == CLEAR else parse_tags(tags)
        await acknowledge(interaction)  # before the write (issue 13)
        updated = await self.store.update(guild_id, resource.id, user_id=interaction.user.id, **changes)
        await self.cache.refresh(guild_id)
        await reply(
            interaction, f"Updated **{updated.title}**.", embed=resource_embed(updated), ephemeral=True
        )

    @app_commands.command(name="remove")
    @app_commands.rename(resource="name")
    @app_commands.describe(resource="The resource to remove")
    @moderator_only()
    async def remove(self, interaction: Interaction, resource: AnyResource) -> None:
        """Remove a resource, after a confirmation (moderators)."""
        await reply(
            interaction,
            f"Remove **{resource.title}** for everyone? This can't be undone.",
            embed=resource_embed(resource),
            view=confirm_remove_view(resource.id),
            ephemeral=True,
        )

    @app_commands.command(name="move")
    @app_commands.rename(resource="name")
    @app_commands.describe(resource="The resource to move", category="The category to file it under")
    @moderator_only()
    async def move(self, interaction: Interaction, resource: AnyResource, category: Category) -> None:
        """File a resource under another category (moderators)."""
        guild_id = guild_id_of(interaction)
        target = check_category(category)
        if target == resource.category:
            raise UserFacingError(f"**{resource.title}** is already in {target}.")
        await acknowledge(interaction)  # before the write (issue 13)
        moved = await self.store.move(guild_id, resource.id, target, user_id=interaction.user.id)
        await self.cache.refresh(guild_id)
        await reply(
            interaction, f"Moved **{moved.title}** from {resource.category} to {target}.", ephemeral=True
        )

    @app_commands.command(name="import")
    @app_commands.describe(
        file="A .json or .yaml list of resources (as /resources export writes)",
        skip_invalid="Save the valid entries even if some are invalid (default: all or nothing)",
    )
    @moderator_only()
    async def import_(
        self, interaction: Interaction, file: discord.Attachment, skip_invalid: bool = False
    ) -> None:
        """Add resources from a JSON or YAML file, all or nothing (moderators)."""
        guild_id = guild_id_of(interaction)
        if file.size > MAX_FILE_BYTES:
            raise UserFacingError(
                f"That file is {file.size // 1024} KB; the limit is {MAX_FILE_BYTES // 1024} KB."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        entries = await read_resource_file(file.filename, await file.read())
        report = await self.store.import_entries(
            guild_id,
            entries,
            user_id=interaction.user.id,
            source=file.filename,
            skip_invalid=skip_invalid,
        )
        if report.written:
            await self.cache.refresh(guild_id)
        await reply(interaction, embed=import_embed(report, file.filename), ephemeral=True)

    @app_commands.command(name="export")
    @app_commands.describe(format="json (default) or yaml")
    @moderator_only()
    async def export(self, interaction: Interaction, format: Literal["json", "yaml"] = "json") -> None:
        """Download the server's resources as a file to back up or import elsewhere (moderators)."""
        guild = guild_of(interaction)
        resources = await self.store.find(guild.id)
        if not resources:
            raise UserFacingError("There is nothing to export yet: this server has no resources.")
        filename, data = export_resources(resources, format, guild_name=guild.name, now=self.bot.clock.now())
        noun = "resource" if len(resources) == 1 else "resources"
        await reply(
            interaction,
            f"{len(resources)} {noun}, as {format.upper()}. Import it anywhere with /resources import.",
            files=[discord.File(io.BytesIO(data), filename=filename)],
            ephemeral=True,
        )

    @app_commands.command(name="starter-pack")
    @moderator_only()
    async def starter_pack(self, interaction: Interaction) -> None:
        """Add the course study group's starter resources; running it again adds nothing twice."""
        guild_id = guild_id_of(interaction)
        await acknowledge(interaction)  # before the write (issue 13)
        report = await self.store.import_entries(
            guild_id,
            starter_entries(),
            user_id=interaction.user.id,
            source="starter pack",
            action="resources.starter_pack",
        )
        if report.written:
            await self.cache.refresh(guild_id)
        await reply(interaction, embed=import_embed(report, "starter pack", starter=True), ephemeral=True)

    # --- autocomplete --------------------------------------------------------------------

    @search.autocomplete("query")
    async def query_choices(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not current.strip():
            return []
        found = rank(current, await self.cache.get(interaction.guild_id), limit=25)
        return [app_commands.Choice(name=item.title, value=item.title) for item in found]

    @list_.autocomplete("category")
    @add.autocomplete("category")
    @move.autocomplete("category")
    async def category_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower()
        found = [name for name in CATEGORIES if wanted in name]
        found.sort(key=lambda name: not name.startswith(wanted))
        return [app_commands.Choice(name=name, value=name) for name in found[:25]]
