"""``/papers``: reading lists per week or theme, what members have read, votes for the next paper."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.acknowledge import (
    acknowledge,
    acknowledge_in_place,
    acknowledge_update,
    answer_in_place,
    update_message,
)
from bot.checks import moderator_only
from bot.components import NUMBER, Action, marker, selected_number, text
from bot.db.papers import TITLE_MAX, Paper, PaperDraft, PaperStore
from bot.errors import UserFacingError
from bot.guild_feature import CachedFeature, guild_id_of, guild_of
from bot.interactions import Interaction
from bot.replies import follow_up, reply, truncate
from cogs.homework._papers_embeds import paper_links, progress_embed, reading_list_embed, votes_embed
from cogs.homework._papers_views import PAGE_SIZE, PAPERS, confirm_remove_view, list_view, undo_view
from cogs.homework._refs import PaperRef

log = logging.getLogger(__name__)

STARTER_LIST = Path(__file__).with_name("papers_starter.json")
AnyPaper = app_commands.Transform[Paper, PaperRef]
#: A member's mark on a paper.
Mark = Literal["read", "vote"]
#: What taking back a mark says, by mark: when it was there, and when it was not.
TAKEN_BACK: dict[Mark, tuple[str, str]] = {
    "read": ("**{title}** is no longer marked read.", "**{title}** was not marked read."),
    "vote": ("You took back your vote for **{title}**.", "You had not voted for **{title}**."),
}


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
class PapersCog(CachedFeature[PaperStore, Paper], commands.GroupCog, group_name="papers"):
    """Reading lists: papers per week or theme, what you have read, votes for the next one."""

    feature = PAPERS
    store_type = PaperStore

    def actions(self) -> Sequence[Action]:
        where = (NUMBER, text(".*"))  # the list's week (0: any) and theme
        return (
            Action("remove", self.remove_now, NUMBER, moderators=True),
            Action.dismiss("keep", "Kept: nothing was removed.", NUMBER),
            Action("page", self.show_page, NUMBER, NUMBER, marker("[pn]"), text(".*")),
            Action("read", self.pick_read, NUMBER, *where),
            Action("vote", self.pick_vote, NUMBER, *where),
            Action("unread", self.undo_read, NUMBER),
            Action("unvote", self.undo_vote, NUMBER),
        )

    async def remove_now(self, interaction: Interaction, paper_id: int) -> None:
        """The confirmation button: remove the paper with its reads and votes."""
        guild_id = guild_id_of(interaction)
        await acknowledge_update(interaction)  # before the write (issue 13)
        removed = await self.store.remove(guild_id, paper_id, user_id=interaction.user.id)
        await self.cache.refresh(guild_id)
        text = (
            f"Removed **{removed.title}** from the reading list."
            if removed
            else "That paper was already removed; nothing changed."
        )
        await update_message(interaction, content=text, embed=None, view=None)

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
        interaction: Interaction,
        title: app_commands.Range[str, 1, TITLE_MAX],
        url: app_commands.Range[str, 1, 300] | None = None,
        week: app_commands.Range[int, 1, 52] | None = None,
        theme: app_commands.Range[str, 1, 50] | None = None,
        companion: app_commands.Range[str, 1, 300] | None = None,
        companion_title: app_commands.Range[str, 1, 100] | None = None,
        arxiv: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        """Add a paper to the reading list (moderators)."""
        guild_id = guild_id_of(interaction)
        draft = PaperDraft.build(
            title=title,
            url=url,
            week=week,
            theme=theme,
            companion_url=companion,
            companion_title=companion_title,
            arxiv=arxiv,
        )
        await acknowledge(interaction)  # before the write (issue 13)
        paper = await self.store.add(guild_id, draft, user_id=interaction.user.id)
        await self.cache.refresh(guild_id)
        await reply(
            interaction, f"Added **{paper.title}** ({paper.group}): {paper_links(paper)}", ephemeral=True
        )

    @app_commands.command(name="remove")
    @app_commands.describe(paper="The paper to remove")
    @moderator_only()
    async def remove(self, interaction: Interaction, paper: AnyPaper) -> None:
        """Remove a paper with its reads and votes, after a confirmation (moderators)."""
        await reply(
            interaction,
            f"Remove **{paper.title}** ({paper.group}) and everyone's reads and votes for it?",
            view=confirm_remove_view(paper.id),
            ephemeral=True,
        )

    @app_commands.command(name="starter-list")
    @moderator_only()
    async def starter_list(self, interaction: Interaction) -> None:
        """Add the week 1 reading list (Transformer, BERT, T5); running it again adds nothing twice."""
        guild_id = guild_id_of(interaction)
        await acknowledge(interaction)  # before the write (issue 13)
        added, present = await self.store.add_missing(
            guild_id, starter_drafts(), user_id=interaction.user.id, action="papers.starter_list"
        )
        if added:
            await self.cache.refresh(guild_id)
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
        self, interaction: Interaction, week: app_commands.Range[int, 1, 52] | None = None
    ) -> None:
        """Who has read which paper (moderators)."""
        guild = guild_of(interaction)
        papers = await self.store.find(guild.id, week=week)
        if not papers:
            raise UserFacingError("There are no papers on that list yet.")
        readers = {
            paper.id: self.display_names(guild, await self.store.readers(guild.id, paper.id))
            for paper in papers
        }
        embed = progress_embed(papers, readers, "Reading progress" + (f" · week {week}" if week else ""))
        await reply(interaction, embed=embed, ephemeral=True)

    # --- members -------------------------------------------------------------------------

    @app_commands.command(name="list")
    @app_commands.describe(week="Only this week's papers", theme="Only this theme")
    async def list_(
        self,
        interaction: Interaction,
        week: app_commands.Range[int, 1, 52] | None = None,
        theme: app_commands.Range[str, 1, 50] | None = None,
    ) -> None:
        """The reading list page by page, with what you have read and the votes; mark or vote below."""
        guild_id = guild_id_of(interaction)
        papers = await self.store.find(guild_id, week=week, theme=theme)
        if not papers:
            if week is None and theme is None:
                raise UserFacingError(
                    "The reading list is empty; moderators can add papers with /papers add or "
                    "/papers starter-list."
                )
            raise UserFacingError("No papers match that week or theme.")
        embed, view = await self._list_page(guild_id, interaction.user.id, papers, 0, week, theme)
        await reply(interaction, embed=embed, view=view, ephemeral=True)

    async def _list_page(
        self,
        guild_id: int,
        user_id: int,
        papers: list[Paper],
        page: int,
        week: int | None,
        theme: str | None,
    ) -> tuple[discord.Embed, discord.ui.View]:
        pages = max(1, -(-len(papers) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        shown = papers[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        embed = reading_list_embed(
            shown,
            read=await self.store.read_ids(guild_id, user_id),
            voted=await self.store.vote_ids(guild_id, user_id),
            read_counts=await self.store.read_counts(guild_id),
            vote_counts=await self.store.vote_counts(guild_id),
            heading=heading(week, theme),
            page=page,
            pages=pages,
            total=len(papers),
        )
        return embed, list_view(shown, page=page, pages=pages, week=week, theme=theme)

    async def _redraw(self, interaction: Interaction, page: int, week: int, theme: str) -> None:
        """Edit the list the member is looking at (``week`` 0: any week)."""
        guild_id = guild_id_of(interaction)
        papers = await self.store.find(guild_id, week=week or None, theme=theme or None)
        if not papers:
            gone = "No papers match that list any more."
            await update_message(interaction, content=gone, embed=None, view=None)
            return
        embed, view = await self._list_page(
            guild_id, interaction.user.id, papers, page, week or None, theme or None
        )
        await update_message(interaction, embed=embed, view=view)

    async def show_page(self, interaction: Interaction, page: int, week: int, theme: str) -> None:
        """The list's page buttons."""
        await self._redraw(interaction, page, week, theme)

    async def _picked(self, interaction: Interaction) -> Paper:
        return await self._listed(interaction, selected_number(interaction))

    async def pick_read(self, interaction: Interaction, page: int, week: int, theme: str) -> None:
        """The list's "Mark one as read" menu: marks it, redraws the list, confirms with Undo."""
        await acknowledge_update(interaction)  # before the write (issue 13)
        paper = await self._picked(interaction)
        changed = await self.store.set_read(guild_id_of(interaction), paper.id, interaction.user.id, True)
        await self._redraw(interaction, page, week, theme)
        await follow_up(interaction, self.read_text(paper, changed), view=undo_view("unread", paper.id))

    async def pick_vote(self, interaction: Interaction, page: int, week: int, theme: str) -> None:
        """The list's "Vote for the next one" menu: votes, redraws the list, confirms with Undo."""
        await acknowledge_update(interaction)  # before the write (issue 13)
        paper = await self._picked(interaction)
        changed = await self.store.set_vote(guild_id_of(interaction), paper.id, interaction.user.id, True)
        await self._redraw(interaction, page, week, theme)
        await follow_up(interaction, self.vote_text(paper, changed), view=undo_view("unvote", paper.id))

    def read_text(self, paper: Paper, changed: bool) -> str:
        return (
            f"📖 Marked **{paper.title}** as read." if changed else f"You had already read **{paper.title}**."
        )

    def vote_text(self, paper: Paper, changed: bool) -> str:
        return (
            f"👍 You voted for **{paper.title}**."
            if changed
            else f"👍 You had already voted for **{paper.title}**."
        )

    async def undo_read(self, interaction: Interaction, paper_id: int) -> None:
        """Undo under a read confirmation."""
        await self.take_back(interaction, await self._listed(interaction, paper_id), "read")

    async def undo_vote(self, interaction: Interaction, paper_id: int) -> None:
        """Undo under a vote confirmation."""
        await self.take_back(interaction, await self._listed(interaction, paper_id), "vote")

    async def _listed(self, interaction: Interaction, paper_id: int) -> Paper:
        """The paper ``paper_id`` of this server, or the sentence that it is gone."""
        paper = await self.store.get(guild_id_of(interaction), paper_id)
        if paper is None:
            raise UserFacingError("That paper is no longer on the reading list.")
        return paper

    async def take_back(self, interaction: Interaction, paper: Paper, mark: Mark) -> None:
        """Remove the member's ``mark`` on ``paper``, acknowledged first."""
        await acknowledge_in_place(interaction)
        unmark = self.store.set_read if mark == "read" else self.store.set_vote
        changed = await unmark(guild_id_of(interaction), paper.id, interaction.user.id, False)
        done, not_done = TAKEN_BACK[mark]
        await answer_in_place(interaction, (done if changed else not_done).format(title=paper.title))

    @app_commands.command(name="read")
    @app_commands.describe(paper="The paper you have read")
    async def read(self, interaction: Interaction, paper: AnyPaper) -> None:
        """Mark a paper as read."""
        guild_id = guild_id_of(interaction)
        await acknowledge(interaction)  # before the write (issue 13)
        changed = await self.store.set_read(guild_id, paper.id, interaction.user.id, True)
        await reply(
            interaction, self.read_text(paper, changed), view=undo_view("unread", paper.id), ephemeral=True
        )

    @app_commands.command(name="unread")
    @app_commands.describe(paper="The paper to unmark")
    async def unread(self, interaction: Interaction, paper: AnyPaper) -> None:
        """Unmark a paper you marked read by mistake."""
        await self.take_back(interaction, paper, "read")

    @app_commands.command(name="vote")
    @app_commands.describe(paper="The paper you'd like to read next")
    async def vote(self, interaction: Interaction, paper: AnyPaper) -> None:
        """Vote for the paper to read next (once; /papers unvote takes it back)."""
        guild_id = guild_id_of(interaction)
        await acknowledge(interaction)  # before the write (issue 13)
        changed = await self.store.set_vote(guild_id, paper.id, interaction.user.id, True)
        tally = votes_embed(await self.store.find(guild_id), await self.store.vote_counts(guild_id))
        await reply(
            interaction,
            self.vote_text(paper, changed),
            embed=tally,
            view=undo_view("unvote", paper.id),
            ephemeral=True,
        )

    @app_commands.command(name="unvote")
    @app_commands.describe(paper="The paper whose vote you take back")
    async def unvote(self, interaction: Interaction, paper: AnyPaper) -> None:
        """Take back your vote for a paper."""
        await self.take_back(interaction, paper, "vote")

    # --- autocomplete ---------------------------------------------------------------------

    @list_.autocomplete("theme")
    async def theme_choices(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        wanted = current.strip().lower()
        themes = sorted({paper.theme for paper in await self.cache.get(interaction.guild_id) if paper.theme})
        return [app_commands.Choice(name=theme, value=theme) for theme in themes if wanted in theme.lower()][
            :25
        ]
