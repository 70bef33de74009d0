"""Sending homework reminders: the handlers the scheduler calls for ``homework.member`` and
``homework.channel``. Raising records a failed reminder (it is never retried)."""

from __future__ import annotations

import logging

import discord

from bot.app import StudyBot
from bot.db.homework import HomeworkStore
from bot.db.reminders import Reminder
from cogs.homework._embeds import channel_reminder_embed, member_reminder_embed

log = logging.getLogger(__name__)

DMS_CLOSED = 50007  # Discord: "Cannot send messages to this user"


def only(user_id: int) -> discord.AllowedMentions:
    """Mentions that can notify this one member and no one else."""
    return discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)])


class HomeworkReminders:
    """Sends the reminders of one bot."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client

    @property
    def store(self) -> HomeworkStore:
        return HomeworkStore(self.bot.db)

    async def send_member_reminder(self, reminder: Reminder) -> None:
        """DM the member; if their DMs are closed, mention them (only them) in the homework channel."""
        assert reminder.target_id is not None and reminder.user_id is not None
        homework = await self.store.get(reminder.guild_id, reminder.target_id)
        if homework is None or homework.closed:
            log.info("Reminder %d skipped: homework %s is gone or closed", reminder.id, reminder.target_id)
            return
        guild = self.bot.get_guild(reminder.guild_id)
        embed = member_reminder_embed(homework, guild.name if guild else "the server")
        user = self.bot.get_user(reminder.user_id) or await self.bot.fetch_user(reminder.user_id)
        try:
            await user.send(embed=embed)
            return
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED:
                raise
        channel = self.bot.get_channel(homework.channel_id or reminder.channel_id or 0)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise RuntimeError("the member's DMs are closed and the homework channel is gone")
        await channel.send(
            f"<@{reminder.user_id}>, here is the reminder you asked for "
            "(your DMs are closed, so it is here).",
            embed=embed,
            allowed_mentions=only(reminder.user_id),
        )
        log.info("Reminder %d posted in channel %d: DMs closed", reminder.id, channel.id)

    async def send_channel_reminder(self, reminder: Reminder) -> None:
        """Post the optional channel reminder (mentions nobody)."""
        assert reminder.target_id is not None
        homework = await self.store.get(reminder.guild_id, reminder.target_id)
        if homework is None or homework.closed:
            return
        channel = self.bot.get_channel(homework.channel_id or reminder.channel_id or 0)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise RuntimeError("the homework channel is gone")
        await channel.send(
            embed=channel_reminder_embed(homework), allowed_mentions=discord.AllowedMentions.none()
        )
