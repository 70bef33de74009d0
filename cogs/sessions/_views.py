"""The persistent buttons of ``/session``: Remind me, list pages, the cancel confirmation.

Their ids carry what they act on (``session:remind:<id>``, ``session:list:<page>``,
``session:cancel:<id>:<one|series>``), so they work after a restart;
:class:`~cogs.sessions._session_cog.SessionCog` answers them.
"""

from __future__ import annotations

import discord

from bot.components import Feature, link_button, persistent_view
from bot.db.sessions import Session

SESSIONS = Feature("session", "Sessions")


def session_view(session: Session, *, remind: bool = True) -> discord.ui.View:
    """Under a session post: Remind me (persistent) and a link to the call."""
    return persistent_view(
        SESSIONS.button("remind", session.id, label="Remind me", emoji="🔔", disabled=session.cancelled)
        if remind
        else None,
        link_button("Join the call", session.link),
    )


def undo_remind_view(session_id: int) -> discord.ui.View:
    """The **Undo** under a member's Remind me confirmation."""
    return persistent_view(SESSIONS.button("unremind", session_id, label="Undo", emoji="↩️"))


def list_view(page: int, pages: int) -> discord.ui.View | None:
    """Previous / next page buttons (none for a single page)."""
    if pages <= 1:
        return None
    return persistent_view(
        SESSIONS.button("list", max(page - 1, 0), label="◀ Previous", disabled=page == 0),
        SESSIONS.button("list", min(page + 1, pages - 1), label="Next ▶", disabled=page >= pages - 1),
    )


def cancel_view(session_id: int, scope: str, count: int) -> discord.ui.View:
    label = f"Cancel {count} session{'s' if count != 1 else ''}"
    return persistent_view(
        SESSIONS.button("cancel", session_id, scope, label=label, style=discord.ButtonStyle.danger),
        SESSIONS.button("keep", session_id, label="Keep them"),
    )


__all__ = ["SESSIONS", "cancel_view", "list_view", "session_view", "undo_remind_view"]
