"""The persistent components of ``/papers`` (ids ``papers:<action>:…``): the remove confirmation,
the reading list's page buttons and its Read / Vote menus, and Undo under a member's confirmation.

The list's components carry the page and the filter (``papers:page:<page>:<week or 0>:<p|n>:<theme>``,
``papers:read:<page>:<week>:<theme>`` with the chosen paper as the menu's value), so they work
after a restart; :class:`~cogs.homework._papers_cog.PapersCog` answers them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.components import Feature, persistent_view
from bot.db.papers import Paper
from bot.replies import truncate

PAPERS = Feature("papers", "Reading lists")
#: Papers per page of the reading list (and options in its menus).
PAGE_SIZE = 8


def confirm_remove_view(paper_id: int) -> discord.ui.View:
    return persistent_view(
        PAPERS.button("remove", paper_id, label="Remove", style=discord.ButtonStyle.danger),
        PAPERS.button("keep", paper_id, label="Keep it"),
    )


def undo_view(action: str, paper_id: int) -> discord.ui.View:
    """The **Undo** under a member's confirmation: ``unread`` or ``unvote``."""
    return persistent_view(PAPERS.button(action, paper_id, label="Undo", emoji="↩️"))


def list_view(
    shown: Sequence[Paper], *, page: int, pages: int, week: int | None, theme: str | None
) -> discord.ui.View:
    """Page buttons (when there are several pages) and the Read / Vote menus for ``shown``."""
    where = (week or 0, theme or "")
    items: list[discord.ui.Item[Any] | None] = []
    if pages > 1:
        previous, following = max(page - 1, 0), min(page + 1, pages - 1)
        items.append(
            PAPERS.button("page", previous, where[0], "p", where[1], label="◀ Previous", disabled=page == 0)
        )
        items.append(
            PAPERS.button(
                "page", following, where[0], "n", where[1], label="Next ▶", disabled=page >= pages - 1
            )
        )
    options = [
        discord.SelectOption(
            label=truncate(paper.title, 100), value=str(paper.id), description=truncate(paper.group, 100)
        )
        for paper in shown[:25]
    ]
    items.append(PAPERS.select("read", page, *where, options=options, placeholder="Mark one as read…", row=1))
    items.append(
        PAPERS.select("vote", page, *where, options=options, placeholder="Vote for the next one…", row=2)
    )
    return persistent_view(*items)


__all__ = ["PAGE_SIZE", "PAPERS", "confirm_remove_view", "list_view", "undo_view"]
