"""Sending homework reminders: the handlers the scheduler calls for ``homework.member`` and
``homework.channel``. Raising makes the scheduler retry the reminder later; every post goes
through :func:`bot.reminder_posts.post_reminder`, so a retry never shows a reminder twice."""

from __future__ import annotations

import logging

import discord

from bot.app import StudyBot
from bot.db.guilds import GuildStore
from bot.db.homework import HomeworkStore
from bot.db.reminders import Reminder
from bot.reminder_posts import post_reminder
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

    async def _off(self, reminder: Reminder) -> bool:
        """Moderators turned homework reminders off (``/config reminders``): skip this one."""
        if (await GuildStore(self.bot.db).get(reminder.guild_id)).reminders_off("homework"):
            log.info(
                "Reminder %d skipped: homework reminders are off in guild %d", reminder.id, reminder.guild_id
            )
            return True
        return False

    async def send_member_reminder(self, reminder: Reminder) -> None:
        """DM the member; if their DMs are closed, mention them (only them) in the homework channel."""
        assert reminder.target_id is not None and reminder.user_id is not None
        if await self._off(reminder):
            return
        homework = await self.store.get(reminder.guild_id, reminder.target_id)
        if homework is None or homework.closed:
            log.info("Reminder %d skipped: homework %s is gone or closed", reminder.id, reminder.target_id)
            return
        guild = self.bot.get_guild(reminder.guild_id)
        embed = member_reminder_embed(homework, guild.name if guild else "the server")
        user = self.bot.get_user(reminder.user_id) or await self.bot.fetch_user(reminder.user_id)
        try:
            await post_reminder(self.bot, user, reminder, embed=embed)
            return
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED:
                raise
        channel = await self._channel(homework.channel_id or reminder.channel_id)
        await post_reminder(
            self.bot,
            channel,
            reminder,
            content=f"<@{reminder.user_id}>, here is the reminder you asked for "
            "(your DMs are closed, so it is here).",
            embed=embed,
            allowed_mentions=only(reminder.user_id),
        )
        log.info("Reminder %d posted in channel %d: DMs closed", reminder.id, channel.id)

    async def send_channel_reminder(self, reminder: Reminder) -> None:
        """Post the optional channel reminder (mentions nobody)."""
        assert reminder.target_id is not None
        if await self._off(reminder):
            return
        homework = await self.store.get(reminder.guild_id, reminder.target_id)
        if homework is None or homework.closed:
            return
        channel = await self._channel(homework.channel_id or reminder.channel_id)
        await post_reminder(
            self.bot,
            channel,
            reminder,
            embed=channel_reminder_embed(homework),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def _channel(self, channel_id: int | None) -> discord.TextChannel | discord.Thread:
        """The homework's channel, from the cache or from Discord; raises if it is gone."""
        channel = self.bot.get_channel(channel_id or 0)
        if channel is None and channel_id is not None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.NotFound:
                channel = None
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            raise RuntimeError(f"the homework channel {channel_id} is gone")
        return channel
