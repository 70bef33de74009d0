"""``/resources``: the links, courses and tools a study group keeps, per server."""

from __future__ import annotations

import difflib
import io
import json
import logging
from pathlib import Path
from typing import Any, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.checks import moderator_only
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
from bot.guild_cache import GuildCache
from bot.replies import reply, truncate
from cogs.resources._embeds import import_embed, list_embed, page_count, resource_embed, search_embed
from cogs.resources._files import MAX_FILE_BYTES, export_resources, parse_resource_file
from cogs.resources._modals import AddResourceModal
from cogs.resources._search import rank
from cogs.resources._views import DYNAMIC_ITEMS, confirm_remove_view, page_view

log = logging.getLogger(__name__)

STARTER_PACK = Path(__file__).with_name("starter_pack.json")
CLEAR = "-"  # an edit value that empties a field


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
class Resources(commands.GroupCog, group_name="resources"):
    """Links, courses and tools the study group keeps."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client
        self.cache: GuildCache[Resource] = GuildCache(lambda guild_id: self.store.find(guild_id))

    @property
    def store(self) -> ResourceStore:
        return ResourceStore(self.bot.db)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Server only, checked here too: Discord hides the commands in DMs, a stale client may not."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return True

    # --- shared steps --------------------------------------------------------------------

    async def resolve(self, guild_id: int, name: str) -> Resource:
        """The resource a member named (its title, as autocomplete fills it in, or ``#id``)."""
        wanted = name.strip()
        resources = await self.cache.get(guild_id)
        for item in resources:
            if item.title.lower() == wanted.lower():
                return item
        if wanted.startswith("#") and wanted[1:].isdigit():
            for item in resources:
                if item.id == int(wanted[1:]):
                    return item
        if not resources:
            raise UserFacingError("This server has no resources yet.")
        titles = {item.title.lower(): item.title for item in resources}
        close = difflib.get_close_matches(wanted.lower(), list(titles), n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(f'**{titles[c]}**' for c in close)}?" if close else ""
        raise UserFacingError(
            f"There is no resource called {truncate(wanted, 60)!r}.{hint} Pick one from the suggestions."
        )

    async def list_page(
        self, guild_id: int, category: str | None, page: int, owner_id: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        """A page of the list, with the buttons that turn it (for ``owner_id``)."""
        resources = await self.store.find(guild_id, category)
        if not resources:
            where = f" in **{category}**" if category else ""
            raise UserFacingError(f"There are no resources{where} any more.")
        pages = page_count(len(resources))
        page = min(max(page, 0), pages - 1)
        return list_embed(resources, page, category), page_view(owner_id, page, pages, category)

    async def add_and_reply(
        self,
        interaction: discord.Interaction,
        *,
        title: str,
        url: str,
        category: str,
        description: str | None,
        tags: str | None,
    ) -> None:
        """Validate, save (committed), refresh the cache, then confirm: for the command and the form."""
        assert interaction.guild_id is not None
        draft = ResourceDraft.build(
            title=title, url=url, category=category, description=description, tags=tags
        )
        saved = await self.store.add(interaction.guild_id, draft, user_id=interaction.user.id)
        await self.cache.refresh(interaction.guild_id)
        await reply(
            interaction,
            f"Saved **{saved.title}** in {saved.category}.",
            embed=resource_embed(saved),
            ephemeral=True,
        )

    async def remove_now(self, guild_id: int, resource_id: int, user_id: int) -> Resource | None:
        """Delete (after the confirmation button); None if it was already gone."""
        removed = await self.store.remove(guild_id, resource_id, user_id=user_id)
        await self.cache.refresh(guild_id)
        return removed

    # --- everyone ------------------------------------------------------------------------

    @app_commands.command(name="list")
    @app_commands.describe(category="Only this category (setup, course, fastai, libraries, papers …)")
    async def list_(self, interaction: discord.Interaction, category: str | None = None) -> None:
        """Browse the server's resources, page by page."""
        assert interaction.guild_id is not None
        wanted = check_category(category) if category else None
        resources = await self.store.find(interaction.guild_id, wanted)
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
    async def search(self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 100]) -> None:
        """Find resources by title, tags or description, best matches first."""
        assert interaction.guild_id is not None
        results = rank(query, await self.cache.get(interaction.guild_id), limit=10)
        if not results:
            raise UserFacingError(
                f"Nothing matches {truncate(query, 60)!r}. Try fewer words, or browse with /resources list."
            )
        await reply(interaction, embed=search_embed(query, results), ephemeral=True)

    @app_commands.command(name="show")
    @app_commands.describe(
        name="The resource (start typing to search)", public="Show it to the whole channel"
    )
    async def show(self, interaction: discord.Interaction, name: str, public: bool = False) -> None:
        """Show one resource, to you alone or to the channel."""
        assert interaction.guild_id is not None
        resource = await self.resolve(interaction.guild_id, name)
        await reply(interaction, embed=resource_embed(resource), ephemeral=not public)

    @app_commands.command(name="share")
    @app_commands.describe(name="The resource (start typing to search)", to="Mention this member with it")
    async def share(
        self, interaction: discord.Interaction, name: str, to: discord.Member | None = None
    ) -> None:
        """Post a resource in this channel, optionally for one member."""
        assert interaction.guild_id is not None
        resource = await self.resolve(interaction.guild_id, name)
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
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 100] | None = None,
        url: app_commands.Range[str, 1, 512] | None = None,
        category: str | None = None,
        description: app_commands.Range[str, 1, 1000] | None = None,
        tags: app_commands.Range[str, 1, 400] | None = None,
    ) -> None:
        """Add a resource (moderators); with no options a form opens."""
        given = [title, url, category, description, tags]
        if all(value is None for value in given):
            await interaction.response.send_modal(AddResourceModal(self))
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
    @app_commands.describe(
        name="The resource to change",
        title="New title",
        url="New link (http or https)",
        description='New description ("-" to clear it)',
        tags='New comma-separated tags ("-" to clear them)',
    )
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction,
        name: str,
        title: app_commands.Range[str, 1, 100] | None = None,
        url: app_commands.Range[str, 1, 512] | None = None,
        description: app_commands.Range[str, 1, 1000] | None = None,
        tags: app_commands.Range[str, 1, 400] | None = None,
    ) -> None:
        """Change a resource's title, link, description or tags (moderators)."""
        assert interaction.guild_id is not None
        if all(value is None for value in (title, url, description, tags)):
            raise UserFacingError("Give at least one of title, url, description or tags to change.")
        resource = await self.resolve(interaction.guild_id, name)
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = check_title(title)
        if url is not None:
            changes["url"] = check_url(url)
        if description is not None:
            changes["description"] = "" if description.strip() == CLEAR else check_description(description)
        if tags is not None:
            changes["tags"] = () if tags.strip() == CLEAR else parse_tags(tags)
        updated = await self.store.update(
            interaction.guild_id, resource.id, user_id=interaction.user.id, **changes
        )
        await self.cache.refresh(interaction.guild_id)
        await reply(
            interaction, f"Updated **{updated.title}**.", embed=resource_embed(updated), ephemeral=True
        )

    @app_commands.command(name="remove")
    @app_commands.describe(name="The resource to remove")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction, name: str) -> None:
        """Remove a resource, after a confirmation (moderators)."""
        assert interaction.guild_id is not None
        resource = await self.resolve(interaction.guild_id, name)
        await reply(
            interaction,
            f"Remove **{resource.title}** for everyone? This can't be undone.",
            embed=resource_embed(resource),
            view=confirm_remove_view(resource.id),
            ephemeral=True,
        )

    @app_commands.command(name="move")
    @app_commands.describe(name="The resource to move", category="The category to file it under")
    @moderator_only()
    async def move(self, interaction: discord.Interaction, name: str, category: str) -> None:
        """File a resource under another category (moderators)."""
        assert interaction.guild_id is not None
        resource = await self.resolve(interaction.guild_id, name)
        target = check_category(category)
        if target == resource.category:
            raise UserFacingError(f"**{resource.title}** is already in {target}.")
        moved = await self.store.move(interaction.guild_id, resource.id, target, user_id=interaction.user.id)
        await self.cache.refresh(interaction.guild_id)
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
        self, interaction: discord.Interaction, file: discord.Attachment, skip_invalid: bool = False
    ) -> None:
        """Add resources from a JSON or YAML file, all or nothing (moderators)."""
        assert interaction.guild_id is not None
        if file.size > MAX_FILE_BYTES:
            raise UserFacingError(
                f"That file is {file.size // 1024} KB; the limit is {MAX_FILE_BYTES // 1024} KB."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        entries = parse_resource_file(file.filename, await file.read())
        report = await self.store.import_entries(
            interaction.guild_id,
            entries,
            user_id=interaction.user.id,
            source=file.filename,
            skip_invalid=skip_invalid,
        )
        if report.written:
            await self.cache.refresh(interaction.guild_id)
        await reply(interaction, embed=import_embed(report, file.filename), ephemeral=True)

    @app_commands.command(name="export")
    @app_commands.describe(format="json (default) or yaml")
    @moderator_only()
    async def export(
        self, interaction: discord.Interaction, format: Literal["json", "yaml"] = "json"
    ) -> None:
        """Download the server's resources as a file to back up or import elsewhere (moderators)."""
        assert interaction.guild is not None
        resources = await self.store.find(interaction.guild.id)
        if not resources:
            raise UserFacingError("There is nothing to export yet: this server has no resources.")
        filename, data = export_resources(
            resources, format, guild_name=interaction.guild.name, now=self.bot.clock.now()
        )
        noun = "resource" if len(resources) == 1 else "resources"
        await reply(
            interaction,
            f"{len(resources)} {noun}, as {format.upper()}. Import it anywhere with /resources import.",
            files=[discord.File(io.BytesIO(data), filename=filename)],
            ephemeral=True,
        )

    @app_commands.command(name="starter-pack")
    @moderator_only()
    async def starter_pack(self, interaction: discord.Interaction) -> None:
        """Add the course study group's starter resources; running it again adds nothing twice."""
        assert interaction.guild_id is not None
        report = await self.store.import_entries(
            interaction.guild_id,
            starter_entries(),
            user_id=interaction.user.id,
            source="starter pack",
            action="resources.starter_pack",
        )
        if report.written:
            await self.cache.refresh(interaction.guild_id)
        await reply(interaction, embed=import_embed(report, "starter pack", starter=True), ephemeral=True)

    # --- autocomplete --------------------------------------------------------------------

    @show.autocomplete("name")
    @share.autocomplete("name")
    @edit.autocomplete("name")
    @remove.autocomplete("name")
    @move.autocomplete("name")
    async def name_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        resources = await self.cache.get(interaction.guild_id)
        found = rank(current, resources, limit=25) if current.strip() else resources[:25]
        return [
            app_commands.Choice(name=truncate(f"{item.title} · {item.category}", 100), value=item.title)
            for item in found
        ]

    @search.autocomplete("query")
    async def query_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not current.strip():
            return []
        found = rank(current, await self.cache.get(interaction.guild_id), limit=25)
        return [app_commands.Choice(name=item.title, value=item.title) for item in found]

    @list_.autocomplete("category")
    @add.autocomplete("category")
    @move.autocomplete("category")
    async def category_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower()
        found = [name for name in CATEGORIES if wanted in name]
        found.sort(key=lambda name: not name.startswith(wanted))
        return [app_commands.Choice(name=name, value=name) for name in found[:25]]
