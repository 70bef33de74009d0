"""Embeds for ``/session`` (pure functions of plain data)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.db.sessions import Session
from bot.replies import truncate
from cogs.sessions._materials import WeekMaterials
from cogs.sessions._timing import local_text

SESSION_COLOUR = discord.Colour(0x5865F2)
LIVE_COLOUR = discord.Colour(0xED4245)
FIELD_MAX = 1024
LIST_PAGE_SIZE = 8


def when_text(session: Session) -> str:
    """``<t:…:F> (<t:…:R>)``: every member reads it in their own time zone."""
    start = discord.utils.format_dt(session.starts_at, "F")
    return f"{start} ({discord.utils.format_dt(session.starts_at, 'R')}) · {session.minutes} min"


def _lines_field(lines: Sequence[str], empty: str) -> str:
    if not lines:
        return empty
    text = ""
    for number, line in enumerate(lines):
        more = f"\n… and {len(lines) - number} more"
        if len(text) + len(line) + 1 + len(more) > FIELD_MAX:
            return text + more
        text += ("\n" if text else "") + line
    return text


def homework_lines(materials: WeekMaterials) -> list[str]:
    lines = []
    for item in materials.homework:
        title = truncate(item.title, 100)
        name = f"[{title}]({item.url})" if item.url else f"**{title}**"
        extra = " (optional)" if item.optional else ""
        state = " · closed" if item.closed else f" · due {discord.utils.format_dt(item.due_at, 'R')}"
        lines.append(f"• {name}{extra}{state}")
    return lines


def paper_lines(materials: WeekMaterials) -> list[str]:
    lines = []
    for paper in materials.papers:
        line = f"• [{truncate(paper.title, 120)}]({paper.url})"
        if paper.companion_url:
            companion = truncate(paper.companion_title or "a companion read", 80)
            line += f" · with [{companion}]({paper.companion_url})"
        lines.append(line)
    return lines


def session_embed(
    session: Session,
    now: datetime,
    *,
    materials: WeekMaterials | None = None,
    heading: str | None = None,
    note: str | None = None,
) -> discord.Embed:
    """One session: when (Discord timestamps), topic, call link, and the week's homework and papers."""
    live = session.is_live(now)
    prefix = heading or ("Live now" if live else "Next session")
    embed = discord.Embed(
        title=truncate(f"{prefix}: {session.title}", 256),
        description=truncate(note, 1000) if note else None,
        colour=LIVE_COLOUR if live else SESSION_COLOUR,
        url=session.link,
    )
    if session.topic:
        embed.add_field(name="Topic", value=truncate(session.topic, FIELD_MAX), inline=False)
    if live:
        ends = discord.utils.format_dt(session.ends_at, "R")
        started = discord.utils.format_dt(session.starts_at, "R")
        embed.add_field(name="When", value=f"Started {started}, ends {ends}", inline=False)
    else:
        embed.add_field(name="When", value=when_text(session), inline=False)
    embed.add_field(name="Join", value=session.link, inline=False)
    if materials is not None:
        embed.add_field(
            name=f"Homework · week {materials.week}",
            value=_lines_field(homework_lines(materials), "No homework filed for this week."),
            inline=False,
        )
        embed.add_field(
            name=f"Papers · week {materials.week}",
            value=_lines_field(paper_lines(materials), "No papers filed for this week."),
            inline=False,
        )
    embed.set_footer(text=f"Session #{session.id} · course week {session.week} · questions: /ask")
    return embed


def schedule_line(session: Session, zone: ZoneInfo) -> str:
    """``#12 · Thu 20 Mar 2031, 18:00 · <t:…:F> · topic``."""
    topic = f" · {truncate(session.topic, 80)}" if session.topic else ""
    return (
        f"**#{session.id}** · {local_text(session.starts_at, zone)} "
        f"({discord.utils.format_dt(session.starts_at, 'R')}){topic}"
    )


def schedule_embed(sessions: Sequence[Session], zone: ZoneInfo, notes: Sequence[str]) -> discord.Embed:
    """What ``/session schedule`` created (times also in the server's zone, to check them)."""
    first = sessions[0]
    embed = discord.Embed(
        title=truncate(f"Scheduled: {first.title}", 256),
        description=_lines_field([schedule_line(session, zone) for session in sessions], "(none)")[:4000],
        colour=SESSION_COLOUR,
    )
    embed.add_field(name="Length", value=f"{first.minutes} minutes", inline=True)
    embed.add_field(name="Time zone", value=zone.key, inline=True)
    embed.add_field(name="Call link", value=first.link, inline=False)
    if notes:
        embed.add_field(name="Notes", value=_lines_field(list(notes), "-"), inline=False)
    embed.set_footer(text="Members: /session next and /session list · edit with /session edit")
    return embed


def list_embed(
    sessions: Sequence[Session], now: datetime, page: int, pages: int, total: int
) -> discord.Embed:
    """One page of upcoming sessions."""
    lines = []
    for session in sessions:
        state = "🔴 live now · " if session.is_live(now) else ""
        topic = f"\n  {truncate(session.topic, 150)}" if session.topic else ""
        lines.append(
            f"**#{session.id} {truncate(session.title, 80)}** · {state}"
            f"{discord.utils.format_dt(session.starts_at, 'F')} "
            f"({discord.utils.format_dt(session.starts_at, 'R')}){topic}"
        )
    embed = discord.Embed(
        title="Upcoming sessions",
        description="\n".join(lines) if lines else "No session is scheduled.",
        colour=SESSION_COLOUR,
    )
    embed.set_footer(text=f"Page {page + 1} of {max(pages, 1)} · {total} upcoming")
    return embed


def cancel_embed(sessions: Sequence[Session], zone: ZoneInfo) -> discord.Embed:
    """What a cancellation will remove, for the moderator to confirm."""
    count = len(sessions)
    embed = discord.Embed(
        title=f"Cancel {count} session{'s' if count != 1 else ''}?",
        description=_lines_field([schedule_line(session, zone) for session in sessions], "(none)"),
        colour=LIVE_COLOUR,
    )
    embed.set_footer(text="Their Discord events and reminders are removed too.")
    return embed


def channel_reminder_embed(session: Session, now: datetime) -> discord.Embed:
    """The reminder posted in the sessions channel shortly before a session."""
    return session_embed(session, now, heading="Starting soon")


def member_reminder_embed(session: Session, guild_name: str, now: datetime) -> discord.Embed:
    """The reminder a member asked for."""
    embed = session_embed(session, now, heading="Reminder")
    embed.set_author(name=truncate(guild_name, 256))
    return embed


def choice_name(session: Session, zone: ZoneInfo) -> str:
    """An autocomplete label: ``#12 · Thu 20 Mar 2031, 18:00 · Title — topic`` (≤ 100 characters)."""
    return truncate(f"#{session.id} · {local_text(session.starts_at, zone)} · {session.name}", 100)


__all__ = [
    "LIST_PAGE_SIZE",
    "cancel_embed",
    "channel_reminder_embed",
    "choice_name",
    "list_embed",
    "member_reminder_embed",
    "schedule_embed",
    "session_embed",
]
