"""``/papers``: reading lists per week or theme, what members have read, votes for the next paper."""

from __future__ import annotations

import difflib
import json
import logging
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.checks import moderator_only
from bot.db.papers import Paper, PaperDraft, PaperStore
from bot.errors import UserFacingError
from bot.guild_cache import GuildCache
from bot.replies import reply, truncate
from cogs.homework._papers_embeds import paper_links, progress_embed, reading_list_embed, votes_embed
from cogs.homework._papers_views import DYNAMIC_ITEMS, confirm_remove_view

log = logging.getLogger(__name__)

STARTER_LIST = Path(__file__).with_name("papers_starter.json")


def starter_drafts() -> list[PaperDraft]:
    """The week 1 reading list, from the data file next to this module."""
    data = json.loads(STARTER_LIST.read_text(encoding="utf-8"))
    return [PaperDraft.from_mapping(entry) for entry in data["papers"]]


def heading(week: int | None, theme: str | None) -> str:
    parts = ["Reading list"]
    if week is not None:
        parts.append(f"week {week}")
    if theme:
        parts.append(theme)
    return " · ".join(parts)


@app_commands.guild_only()
class PapersCog(commands.GroupCog, group_name="papers"):
    """Reading lists: papers per week or theme, what you have read, votes for the next one."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client
        self.cache: GuildCache[Paper] = GuildCache(lambda guild_id: self.store.find(guild_id))

    @property
    def store(self) -> PaperStore:
        return PaperStore(self.bot.db)

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

    async def resolve(self, guild_id: int, value: str) -> Paper:
        """The paper an option names: its id (as autocomplete fills it in) or its title."""
        papers = await self.cache.get(guild_id)
        wanted = value.strip().lstrip("#")
        for paper in papers:
            if (wanted.isdigit() and paper.id == int(wanted)) or paper.title.lower() == wanted.lower():
                return paper
        if not papers:
            raise UserFacingError(
                "The reading list is empty; moderators can start it with /papers starter-list."
            )
        titles = {paper.title.lower(): paper.title for paper in papers}
        close = difflib.get_close_matches(wanted.lower(), list(titles), n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(f'**{titles[c]}**' for c in close)}?" if close else ""
        raise UserFacingError(
            f"There is no paper called {truncate(value.strip(), 60)!r} on the list.{hint} "
            "Pick one from the suggestions."
        )

    async def remove_now(self, guild_id: int, paper_id: int, user_id: int) -> Paper | None:
        removed = await self.store.remove(guild_id, paper_id, user_id=user_id)
        await self.cache.refresh(guild_id)
        return removed

    def display_names(self, guild: discord.Guild, user_ids: list[int]) -> list[str]:
        names = []
        for user_id in user_ids:
            member = guild.get_member(user_id)
            names.append(discord.utils.escape_markdown(member.display_name) if member else f"<@{user_id}>")
        return names

    # --- moderators ----------------------------------------------------------------------

    @app_commands.command(name="add")
    @app_commands.describe(
        title="The paper's title",
        url="Link to the paper (optional with an arxiv id)",
        week="Course week it belongs to",
        theme="Theme, e.g. Transformers",
        companion="Link to a companion read, such as an illustrated guide",
        companion_title="Title of the companion read",
        arxiv="arXiv id, e.g. 1706.03762: links the abstract",
    )
    @moderator_only()
    async def add(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 150],
        url: app_commands.Range[str, 1, 300] | None = None,
        week: app_commands.Range[int, 1, 52] | None = None,
        theme: app_commands.Range[str, 1, 50] | None = None,
        companion: app_commands.Range[str, 1, 300] | None = None,
        companion_title: app_commands.Range[str, 1, 100] | None = None,
        arxiv: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        """Add a paper to the reading list (moderators)."""
        assert interaction.guild_id is not None
        draft = PaperDraft.build(
            title=title,
            url=url,
            week=week,
            theme=theme,
            companion_url=companion,
            companion_title=companion_title,
            arxiv=arxiv,
        )
        paper = await self.store.add(interaction.guild_id, draft, user_id=interaction.user.id)
        await self.cache.refresh(interaction.guild_id)
        await reply(
            interaction, f"Added **{paper.title}** ({paper.group}): {paper_links(paper)}", ephemeral=True
        )

    @app_commands.command(name="remove")
    @app_commands.describe(paper="The paper to remove")
    @moderator_only()
    async def remove(self, interaction: discord.Interaction, paper: str) -> None:
        """Remove a paper with its reads and votes, after a confirmation (moderators)."""
        assert interaction.guild_id is not None
        found = await self.resolve(interaction.guild_id, paper)
        await reply(
            interaction,
            f"Remove **{found.title}** ({found.group}) and everyone's reads and votes for it?",
            view=confirm_remove_view(found.id),
            ephemeral=True,
        )

    @app_commands.command(name="starter-list")
    @moderator_only()
    async def starter_list(self, interaction: discord.Interaction) -> None:
        """Add the week 1 reading list (Transformer, BERT, T5); running it again adds nothing twice."""
        assert interaction.guild_id is not None
        added, present = await self.store.add_missing(
            interaction.guild_id, starter_drafts(), user_id=interaction.user.id, action="papers.starter_list"
        )
        if added:
            await self.cache.refresh(interaction.guild_id)
            text = f"Added {len(added)} papers for week 1: " + "; ".join(f"**{t}**" for t in added) + "."
            if present:
                text += f" {len(present)} were already on the list."
        else:
            text = (
                f"The starter list is already here: all {len(present)} papers are on the list, nothing added."
            )
        await reply(interaction, truncate(text, 2000), ephemeral=True)

    @app_commands.command(name="progress")
    @app_commands.describe(week="Only this week's papers")
    @moderator_only()
    async def progress(
        self, interaction: discord.Interaction, week: app_commands.Range[int, 1, 52] | None = None
    ) -> None:
        """Who has read which paper (moderators)."""
        assert interaction.guild is not None
        papers = await self.store.find(interaction.guild.id, week=week)
        if not papers:
            raise UserFacingError("There are no papers on that list yet.")
        readers = {
            paper.id: self.display_names(
                interaction.guild, await self.store.readers(interaction.guild.id, paper.id)
            )
            for paper in papers
        }
        embed = progress_embed(papers, readers, "Reading progress" + (f" · week {week}" if week else ""))
        await reply(interaction, embed=embed, ephemeral=True)

    # --- members -------------------------------------------------------------------------

    @app_commands.command(name="list")
    @app_commands.describe(week="Only this week's papers", theme="Only this theme")
    async def list_(
        self,
        interaction: discord.Interaction,
        week: app_commands.Range[int, 1, 52] | None = None,
        theme: app_commands.Range[str, 1, 50] | None = None,
    ) -> None:
        """The reading list, with what you have read and the votes."""
        assert interaction.guild_id is not None
        guild_id, user_id = interaction.guild_id, interaction.user.id
        papers = await self.store.find(guild_id, week=week, theme=theme)
        if not papers:
            if week is None and theme is None:
                raise UserFacingError(
                    "The reading list is empty; moderators can add papers with /papers add or "
                    "/papers starter-list."
                )
            raise UserFacingError("No papers match that week or theme.")
        embed = reading_list_embed(
            papers,
            read=await self.store.read_ids(guild_id, user_id),
            voted=await self.store.vote_ids(guild_id, user_id),
            read_counts=await self.store.read_counts(guild_id),
            vote_counts=await self.store.vote_counts(guild_id),
            heading=heading(week, theme),
        )
        await reply(interaction, embed=embed, ephemeral=True)

    @app_commands.command(name="read")
    @app_commands.describe(paper="The paper you have read")
    async def read(self, interaction: discord.Interaction, paper: str) -> None:
        """Mark a paper as read."""
        assert interaction.guild_id is not None
        found = await self.resolve(interaction.guild_id, paper)
        changed = await self.store.set_read(interaction.guild_id, found.id, interaction.user.id, True)
        text = (
            f"📖 Marked **{found.title}** as read." if changed else f"You had already read **{found.title}**."
        )
        await reply(interaction, text, ephemeral=True)

    @app_commands.command(name="unread")
    @app_commands.describe(paper="The paper to unmark")
    async def unread(self, interaction: discord.Interaction, paper: str) -> None:
        """Unmark a paper you marked read by mistake."""
        assert interaction.guild_id is not None
        found = await self.resolve(interaction.guild_id, paper)
        changed = await self.store.set_read(interaction.guild_id, found.id, interaction.user.id, False)
        text = (
            f"**{found.title}** is no longer marked read."
            if changed
            else f"**{found.title}** was not marked read."
        )
        await reply(interaction, text, ephemeral=True)

    @app_commands.command(name="vote")
    @app_commands.describe(paper="The paper you'd like to read next (vote again to take it back)")
    async def vote(self, interaction: discord.Interaction, paper: str) -> None:
        """Vote for the paper to read next; voting again takes the vote back."""
        assert interaction.guild_id is not None
        found = await self.resolve(interaction.guild_id, paper)
        voted = await self.store.toggle_vote(interaction.guild_id, found.id, interaction.user.id)
        text = (
            f"👍 You voted for **{found.title}**. Vote again to take it back."
            if voted
            else f"You took back your vote for **{found.title}**."
        )
        tally = votes_embed(
            await self.store.find(interaction.guild_id), await self.store.vote_counts(interaction.guild_id)
        )
        await reply(interaction, text, embed=tally, ephemeral=True)

    # --- autocomplete --------------------------------------------------------------------

    @remove.autocomplete("paper")
    @read.autocomplete("paper")
    @unread.autocomplete("paper")
    @vote.autocomplete("paper")
    async def paper_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        wanted = current.strip().lower()
        papers = [
            paper
            for paper in await self.cache.get(interaction.guild_id)
            if wanted in paper.title.lower() or wanted in paper.group.lower() or wanted == paper.arxiv_id
        ]
        return [
            app_commands.Choice(name=truncate(f"{paper.title} · {paper.group}", 100), value=str(paper.id))
            for paper in papers[:25]
        ]

    @list_.autocomplete("theme")
    async def theme_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        wanted = current.strip().lower()
        themes = sorted({paper.theme for paper in await self.cache.get(interaction.guild_id) if paper.theme})
        return [app_commands.Choice(name=theme, value=theme) for theme in themes if wanted in theme.lower()][
            :25
        ]
