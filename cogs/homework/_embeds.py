"""Embeds for /homework, built from plain data (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import discord
from discord.utils import format_dt

from bot.db.homework import Homework, MemberStatus
from bot.embeds import fit_one
from bot.replies import truncate

OPEN_COLOUR = discord.Colour(0x3B88C3)
CLOSED_COLOUR = discord.Colour.light_grey()
REMINDER_COLOUR = discord.Colour(0xF4900C)


def due_text(homework: Homework) -> str:
    """``<t:…:F> (<t:…:R>)``: every member sees their own local time."""
    return f"{format_dt(homework.due_at, 'F')} ({format_dt(homework.due_at, 'R')})"


def jump_url(homework: Homework) -> str | None:
    if homework.channel_id is None or homework.message_id is None:
        return None
    return f"https://discord.com/channels/{homework.guild_id}/{homework.channel_id}/{homework.message_id}"


def announcement_embed(homework: Homework) -> discord.Embed:
    """The homework announcement with its due date; grey and marked when closed."""
    embed = discord.Embed(
        title=truncate(f"📚 {homework.label}", 256),
        description=truncate(homework.description, 4096) or None,
        colour=CLOSED_COLOUR if homework.closed else OPEN_COLOUR,
    )
    embed.add_field(name="Due", value=due_text(homework), inline=False)
    if homework.optional:
        embed.add_field(name="Optional", value="Yes: do it if you have the time.")
    if homework.closed:
        embed.add_field(name="Status", value="Closed: marks can no longer change.")
        embed.set_footer(text=f"Homework #{homework.id}")
    else:
        embed.set_footer(
            text=f"Homework #{homework.id} · Mark done when you have finished; Remind me for a reminder."
        )
    return embed


def _line(homework: Homework, status: MemberStatus | None, now: datetime) -> str:
    marks = []
    if status is not None and status.done:
        marks.append("✅")
    elif status is not None and status.remind and not homework.closed:
        marks.append("🔔")
    if homework.optional:
        marks.append("(optional)")
    if homework.closed:
        marks.append("(closed)")
    elif homework.due_at <= now:
        marks.append("(past due)")
    suffix = (" " + " ".join(marks)) if marks else ""
    return f"**{truncate(homework.title, 100)}** — due {format_dt(homework.due_at, 'R')}{suffix}"


def _fill(lines: Sequence[str], limit: int) -> str:
    text = ""
    for index, line in enumerate(lines):
        if len(text) + len(line) + 1 > limit - 30:
            return text + f"…and {len(lines) - index} more"
        text += line + "\n"
    return text.rstrip("\n")


def list_embed(
    items: Sequence[Homework], statuses: Mapping[int, MemberStatus], now: datetime, week: int | None
) -> discord.Embed:
    """Homework grouped by week; ✅ marks what the reader has done, 🔔 a reminder they asked for."""
    title = f"Homework · week {week}" if week is not None else "Open homework"
    embed = discord.Embed(title=title, colour=OPEN_COLOUR)
    weeks: dict[int, list[str]] = {}
    for item in items:
        weeks.setdefault(item.week, []).append(_line(item, statuses.get(item.id), now))
    footer = "✅ done · 🔔 reminder on · /homework done or the buttons on the announcement"
    for number, lines in list(weeks.items())[:25]:
        embed.add_field(name=f"Week {number}", value=_fill(lines, 1024), inline=False)
    if len(weeks) > 25:  # Discord's 25 fields
        footer += f" · {len(weeks) - 25} more weeks: pick one with /homework list week:"
    embed.set_footer(text=footer)
    return fit_one(embed, note="{count} more weeks: pick one with /homework list week:")


def mine_embed(
    items: Sequence[Homework], statuses: Mapping[int, MemberStatus], now: datetime, name: str
) -> discord.Embed:
    """A member's own view: what is due next, what is overdue, what they have done."""
    embed = discord.Embed(title=truncate(f"Homework for {name}", 256), colour=OPEN_COLOUR)
    done = [item for item in items if (status := statuses.get(item.id)) is not None and status.done]
    todo = [item for item in items if item not in done and not item.closed]
    upcoming = [item for item in todo if item.due_at > now]
    overdue = [item for item in todo if item.due_at <= now]

    def lines(selection: Sequence[Homework]) -> str:
        return _fill([f"Week {i.week} · {_line(i, statuses.get(i.id), now)}" for i in selection], 1024)

    embed.add_field(
        name=f"Due next ({len(upcoming)})",
        value=lines(upcoming) if upcoming else "Nothing due: well done!",
        inline=False,
    )
    if overdue:
        embed.add_field(
            name=f"Past due, not marked done ({len(overdue)})", value=lines(overdue), inline=False
        )
    embed.add_field(
        name=f"Done ({len(done)})",
        value=lines(sorted(done, key=lambda i: i.due_at, reverse=True))
        if done
        else "Nothing marked done yet.",
        inline=False,
    )
    return embed


def progress_embed(
    homework: Homework,
    statuses: Sequence[MemberStatus],
    names: Mapping[int, str],
    reminders: tuple[int, int] = (0, 0),
) -> discord.Embed:
    """Who has marked a homework done: counts and names (for moderators). ``reminders``: members'
    reminders still to go out and already sent."""
    done = [status for status in statuses if status.done]
    waiting, sent = reminders
    embed = discord.Embed(
        title=truncate(f"Progress · {homework.label}", 256),
        colour=CLOSED_COLOUR if homework.closed else OPEN_COLOUR,
    )
    embed.add_field(name="Due", value=due_text(homework), inline=False)
    embed.add_field(name="Done", value=str(len(done)))
    embed.add_field(name="Reminders", value=f"{waiting} to go out · {sent} sent")
    if done:
        people = [names.get(status.user_id, f"<@{status.user_id}>") for status in done]
        embed.add_field(name="Marked done by", value=_fill(people, 1024).replace("\n", ", "), inline=False)
    return embed


def member_reminder_embed(homework: Homework, guild_name: str) -> discord.Embed:
    """The reminder a member asked for."""
    embed = discord.Embed(
        title=truncate(f"⏰ Reminder: {homework.label}", 256),
        description=truncate(homework.description, 1000) or None,
        colour=REMINDER_COLOUR,
    )
    embed.add_field(name="Due", value=due_text(homework), inline=False)
    link = jump_url(homework)
    if link:
        embed.add_field(
            name="Announcement", value=f"[Open it in {truncate(guild_name, 80)}]({link})", inline=False
        )
    embed.set_footer(text="You asked for this reminder with Remind me on the announcement.")
    return embed


def channel_reminder_embed(homework: Homework) -> discord.Embed:
    """The optional reminder posted in the homework channel."""
    embed = discord.Embed(
        title=truncate(f"⏰ Due soon: {homework.label}", 256),
        description="Press **Mark done** on the announcement when you have finished.",
        colour=REMINDER_COLOUR,
    )
    embed.add_field(name="Due", value=due_text(homework), inline=False)
    link = jump_url(homework)
    if link:
        embed.add_field(name="Announcement", value=f"[Open it]({link})", inline=False)
    return embed


__all__ = [
    "announcement_embed",
    "channel_reminder_embed",
    "list_embed",
    "member_reminder_embed",
    "mine_embed",
    "progress_embed",
]
