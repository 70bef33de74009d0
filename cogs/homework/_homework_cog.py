"""``/homework``: moderators post homework, members mark it done and ask for reminders."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import format_dt

from bot.acknowledge import (
    acknowledge,
    acknowledge_in_place,
    acknowledge_update,
    answer_in_place,
    update_message,
)
from bot.app import StudyBot
from bot.checks import moderator_only
from bot.components import NUMBER, Action
from bot.confirmations import PendingChanges
from bot.db.guilds import GuildConfig
from bot.db.homework import (
    KIND_CHANNEL,
    KIND_MEMBER,
    Homework,
    HomeworkDraft,
    HomeworkStore,
)
from bot.errors import UserFacingError
from bot.guild_feature import CachedFeature, guild_id_of, guild_of
from bot.interactions import Interaction
from bot.replies import reply
from bot.when import shown, warm_up_soon
from cogs.homework._due import due_time, read_due, remind_time
from cogs.homework._embeds import (
    announcement_embed,
    due_text,
    list_embed,
    mine_embed,
    progress_embed,
)
from cogs.homework._modals import PostHomeworkModal
from cogs.homework._plans import HomeworkEdit, check_description, check_title, plan_homework_edit
from cogs.homework._refs import HomeworkRef, OpenHomeworkRef
from cogs.homework._reminders import HomeworkReminders
from cogs.homework._views import HOMEWORK, announcement_view, confirm_delete_view, undo_view

log = logging.getLogger(__name__)

Channel = discord.TextChannel | discord.Thread
AnyHomework = app_commands.Transform[Homework, HomeworkRef]
OpenHomework = app_commands.Transform[Homework, OpenHomeworkRef]
Week = app_commands.Range[int, 1, 52]
Title = app_commands.Range[str, 1, 100]
Due = app_commands.Range[str, 1, 40]
REMINDERS_OFF = (
    "Homework reminders are turned off on this server, so there is nothing to ask for; a moderator "
    "can turn them on with /config reminders."
)
Description = app_commands.Range[str, 1, 2000]


@app_commands.guild_only()
class HomeworkCog(CachedFeature[HomeworkStore, Homework], commands.GroupCog, group_name="homework"):
    """Homework: moderators post it, members mark it done and get reminders."""

    feature = HOMEWORK
    store_type = HomeworkStore

    def __init__(self, client: StudyBot) -> None:
        super().__init__(client)
        self.reminders = HomeworkReminders(client)
        #: Posts and edits whose due date the moderator is asked to confirm.
        self.pending = PendingChanges(HOMEWORK, client.clock)

    def actions(self) -> Sequence[Action]:
        return (
            Action("done", self.press_done, NUMBER),
            Action("undo", self.undo_done, NUMBER),
            Action("remind", self.press_remind, NUMBER),
            Action("unremind", self.undo_remind, NUMBER),
            Action("delete", self.delete_now, NUMBER, moderators=True),
            Action.dismiss("keep", "Kept: nothing was deleted.", NUMBER),
            *self.pending.actions(),
        )

    async def cog_load(self) -> None:
        await super().cog_load()
        if self.bot.warm_up:  # dateparser's first reading takes a second: not on the first member's command
            warm_up_soon()
        self.bot.scheduler.register(KIND_MEMBER, self.reminders.send_member_reminder)
        self.bot.scheduler.register(KIND_CHANNEL, self.reminders.send_channel_reminder)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(KIND_MEMBER)
        self.bot.scheduler.unregister(KIND_CHANNEL)
        await super().cog_unload()

    # --- shared steps --------------------------------------------------------------------

    def lead(self, config: GuildConfig) -> timedelta:
        return timedelta(minutes=config.reminder_minutes["homework"])

    def announcement_channel(self, interaction: Interaction, config: GuildConfig) -> Channel:
        """The configured homework channel, else the channel the command was used in."""
        guild = guild_of(interaction)
        configured = config.channel("homework")
        if configured is not None:
            channel = guild.get_channel_or_thread(configured)
            if not isinstance(channel, discord.TextChannel | discord.Thread):
                raise UserFacingError(
                    "The homework channel set with /config channel no longer exists; choose another one."
                )
            return channel
        if not isinstance(interaction.channel, discord.TextChannel | discord.Thread):
            raise UserFacingError(
                "Use this in a text channel, or set a homework channel with /config channel."
            )
        return interaction.channel

    async def refresh_announcement(self, homework: Homework) -> tuple[Homework, str]:
        """Re-render the announcement (or post it again if it was deleted); a note on what happened."""
        embed, view = announcement_embed(homework), announcement_view(homework)
        channel = self.bot.get_channel(homework.channel_id) if homework.channel_id else None
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return homework, "I couldn't find the announcement's channel any more, so it was not updated."
        try:
            if homework.message_id is not None:
                try:
                    await channel.get_partial_message(homework.message_id).edit(embed=embed, view=view)
                    return homework, "The announcement is updated."
                except discord.NotFound:
                    pass
            message = await channel.send(
                embed=embed, view=view, allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as error:
            log.warning("Could not update the announcement of homework %d: %s", homework.id, error)
            return (
                homework,
                f"I couldn't update the announcement in {channel.mention} ({error.text or error.status}).",
            )
        homework = await self.store.attach_message(homework.guild_id, homework.id, channel.id, message.id)
        return homework, f"The announcement was gone, so I posted it again in {channel.mention}."

    async def post_and_reply(
        self,
        interaction: Interaction,
        *,
        week: int,
        title: str,
        due: str,
        description: str | None,
        optional: bool,
        channel_reminder: bool,
    ) -> None:
        """Validate, then post at once, or first ask to confirm a due date that was not written
        exactly (shown as a Discord timestamp): for the command and the form."""
        guild_id = guild_id_of(interaction)
        config = await self.config(guild_id)
        read = read_due(due, config.zone, self.bot.clock.now(), default=due_time(config.due_time))
        draft = HomeworkDraft(
            week=week,
            title=check_title(title),
            due_at=read.at,
            description=check_description(description),
            optional=optional,
            channel_reminder=channel_reminder,
        )
        channel = self.announcement_channel(interaction, config)
        if read.check is None:
            await self.publish(interaction, draft, channel)
            return
        label = f"Week {week} · {draft.title}"

        async def publish(pressed: Interaction) -> None:
            await self.publish(pressed, draft, channel)

        await self.pending.ask(
            interaction,
            publish,
            question=(
                f"**{label}** would be due {shown(read.at)} ({config.timezone}): {read.check}. Post it?"
            ),
            summary=f"Posting **{label}**, due {shown(read.at)}…",
            confirm="Post it",
        )

    async def publish(self, interaction: Interaction, draft: HomeworkDraft, channel: Channel) -> None:
        """Save (committed), announce, then confirm."""
        guild_id = guild_id_of(interaction)
        config = await self.config(guild_id)
        now = self.bot.clock.now()
        if draft.due_at <= now:
            raise UserFacingError("That due date has passed in the meantime, so nothing was posted.")
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        homework = await self.store.post(
            guild_id,
            draft,
            user_id=interaction.user.id,
            channel_id=channel.id,
            channel_remind_at=remind_time(draft.due_at, self.lead(config), now),
        )
        try:
            message = await channel.send(
                embed=announcement_embed(homework),
                view=announcement_view(homework),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as error:
            await self.store.delete(
                guild_id, homework.id, user_id=interaction.user.id, action="homework.discard"
            )
            await self.cache.refresh(guild_id)
            raise UserFacingError(
                f"I couldn't post in {channel.mention} ({error.text or error.status}), so the homework "
                "was not saved. Check that I may send messages and embed links there."
            ) from error
        homework = await self.store.attach_message(guild_id, homework.id, channel.id, message.id)
        await self.cache.refresh(guild_id)
        self.bot.scheduler.wake()
        extra = ""
        if draft.channel_reminder and config.reminders_off("homework"):
            extra = " Reminders are off on this server (/config reminders): none goes to the channel."
        elif draft.channel_reminder:
            at = remind_time(homework.due_at, self.lead(config), now)
            extra = f" A reminder goes to the channel {format_dt(at, 'R')}."
        await reply(
            interaction,
            f"Posted **{homework.label}** in {channel.mention}, due {due_text(homework)}.{extra}",
            ephemeral=True,
        )

    async def _homework(self, interaction: Interaction, homework_id: int) -> Homework:
        homework = await self.store.get(guild_id_of(interaction), homework_id)
        if homework is None:
            raise UserFacingError("This homework was deleted.")
        return homework

    async def press_done(self, interaction: Interaction, homework_id: int) -> None:
        """The Mark done button: marks it done (a second press changes nothing; Undo undoes)."""
        await self.set_done(interaction, await self._homework(interaction, homework_id), done=True)

    async def undo_done(self, interaction: Interaction, homework_id: int) -> None:
        """Undo under the confirmation: no longer done (the confirmation says so)."""
        await self.set_done(interaction, await self._homework(interaction, homework_id), done=False)

    async def set_done(self, interaction: Interaction, homework: Homework, *, done: bool) -> None:
        guild_id = guild_id_of(interaction)
        config = await self.config(guild_id)
        now = self.bot.clock.now()
        # Before the write (issue 13); an Undo press edits its confirmation in place.
        await (acknowledge(interaction) if done else acknowledge_in_place(interaction))
        changed = await self.store.set_done(
            guild_id,
            homework.id,
            interaction.user.id,
            done,
            now=now,
            remind_at=remind_time(homework.due_at, self.lead(config), now),
        )
        if not done:
            self.bot.scheduler.wake()
        if done:
            text = (
                f"✅ Marked **{homework.label}** as done. Well done!"
                if changed
                else f"You had already marked **{homework.label}** as done."
            )
            await reply(interaction, text, view=undo_view("undo", homework.id), ephemeral=True)
            return
        text = (
            f"**{homework.label}** is no longer marked done."
            if changed
            else f"**{homework.label}** was not marked done."
        )
        await answer_in_place(interaction, text)

    async def press_remind(self, interaction: Interaction, homework_id: int) -> None:
        """The Remind me button: asks for a reminder (a second press changes nothing; Undo cancels)."""
        guild_id = guild_id_of(interaction)
        homework = await self._homework(interaction, homework_id)
        config = await self.config(guild_id)
        if config.reminders_off("homework"):
            raise UserFacingError(REMINDERS_OFF)
        now = self.bot.clock.now()
        at = remind_time(homework.due_at, self.lead(config), now)
        await acknowledge(interaction)  # before the write (issue 13)
        outcome = await self.store.set_remind(
            guild_id, homework.id, interaction.user.id, True, now=now, remind_at=at
        )
        if outcome == "added":
            self.bot.scheduler.wake()
            text = (
                f"🔔 I'll remind you about **{homework.label}** {format_dt(at, 'R')} ({format_dt(at, 'f')}), "
                "by direct message (or here, mentioning you, if your DMs are closed)."
            )
        elif outcome == "already_sent":
            text = f"You were already reminded about **{homework.label}** for this due date."
        elif outcome == "done":
            text = (
                f"🔔 Reminder on, but you have marked **{homework.label}** done: "
                "you'll only get it if you undo that."
            )
        else:
            text = f"🔔 Your reminder for **{homework.label}** is already on."
        view = undo_view("unremind", homework.id) if outcome != "already_sent" else None
        await reply(interaction, text, view=view, ephemeral=True)

    async def undo_remind(self, interaction: Interaction, homework_id: int) -> None:
        """Undo under the Remind me confirmation: no reminder."""
        guild_id = guild_id_of(interaction)
        homework = await self._homework(interaction, homework_id)
        now = self.bot.clock.now()
        await acknowledge_in_place(interaction)  # before the write (issue 13)
        outcome = await self.store.set_remind(
            guild_id, homework.id, interaction.user.id, False, now=now, remind_at=now
        )
        text = (
            f"🔕 No reminder for **{homework.label}** any more."
            if outcome == "removed"
            else f"You had no reminder for **{homework.label}**."
        )
        await answer_in_place(interaction, text)

    async def delete_now(self, interaction: Interaction, homework_id: int) -> None:
        """Delete (the confirmation button): rows first (committed), then the announcement."""
        guild_id = guild_id_of(interaction)
        await acknowledge_update(interaction)  # before the write (issue 13)
        deleted = await self.store.delete(guild_id, homework_id, user_id=interaction.user.id)
        await self.cache.refresh(guild_id)
        if deleted is None:
            await update_message(
                interaction,
                content="That homework was already deleted; nothing changed.",
                embed=None,
                view=None,
            )
            return
        note = ""
        channel = self.bot.get_channel(deleted.channel_id) if deleted.channel_id else None
        if isinstance(channel, discord.TextChannel | discord.Thread) and deleted.message_id is not None:
            try:
                await channel.get_partial_message(deleted.message_id).delete()
            except discord.NotFound:
                pass
            except discord.HTTPException as error:
                note = (
                    f" I couldn't delete its announcement ({error.text or error.status}); "
                    "its buttons now say it was deleted."
                )
        await update_message(
            interaction,
            content=f"Deleted **{deleted.label}** and everyone's marks.{note}",
            embed=None,
            view=None,
        )

    # --- moderators ----------------------------------------------------------------------

    @app_commands.command(name="post")
    @app_commands.describe(
        week="Course week, 1 to 52",
        title="What to do, e.g. Read chapter 1",
        due="When it is due, in the server's time zone: 2026-12-01 18:00, friday 6pm, tomorrow…",
        description="Details, links, tips (optional)",
        optional="Optional homework (default: no)",
        channel_reminder="Also remind the whole channel before the due date (default: no)",
    )
    @moderator_only()
    async def post(
        self,
        interaction: Interaction,
        week: Week | None = None,
        title: Title | None = None,
        due: Due | None = None,
        description: Description | None = None,
        optional: bool | None = None,
        channel_reminder: bool | None = None,
    ) -> None:
        """Post homework with Mark done and Remind me buttons (moderators); no options opens a form."""
        guild_id = guild_id_of(interaction)
        given = (week, title, due, description, optional, channel_reminder)
        if all(value is None for value in given):
            config = await self.config(guild_id)
            await interaction.response.send_modal(PostHomeworkModal(self.post_and_reply, config.timezone))
            return
        if week is None or title is None or due is None:
            raise UserFacingError(
                "Give week, title and due (the rest is optional), or no options at all to fill in a form."
            )
        await self.post_and_reply(
            interaction,
            week=week,
            title=title,
            due=due,
            description=description,
            optional=bool(optional),
            channel_reminder=bool(channel_reminder),
        )

    @app_commands.command(name="edit")
    @app_commands.describe(
        homework="The homework to change",
        week="New week",
        title="New title",
        due="New due date (server time zone): 2026-12-01 18:00, friday 6pm, in 2 days…",
        description='New description ("-" to clear it)',
        optional="Optional or not",
        channel_reminder="Remind the whole channel before the due date",
    )
    @moderator_only()
    async def edit(
        self,
        interaction: Interaction,
        homework: AnyHomework,
        week: Week | None = None,
        title: Title | None = None,
        due: Due | None = None,
        description: Description | None = None,
        optional: bool | None = None,
        channel_reminder: bool | None = None,
    ) -> None:
        """Change homework; its announcement and reminders follow (moderators)."""
        guild_id = guild_id_of(interaction)
        config = await self.config(guild_id)
        edit = plan_homework_edit(
            homework,
            zone=config.zone,
            lead=self.lead(config),
            now=self.bot.clock.now(),
            week=week,
            title=title,
            due=due,
            description=description,
            optional=optional,
            channel_reminder=channel_reminder,
            default_due_time=due_time(config.due_time),
        )
        if edit.check is None:
            await self.save_edit(interaction, homework, edit)
            return
        due_at = edit.changes.due_at
        assert due_at is not None  # only a new due date needs a check

        async def save(pressed: Interaction) -> None:
            await self.save_edit(pressed, homework, edit)

        await self.pending.ask(
            interaction,
            save,
            question=(
                f"**{homework.label}** would be due {shown(due_at)} ({config.timezone}): {edit.check}. "
                "Save it?"
            ),
            summary=f"Saving **{homework.label}**, due {shown(due_at)}…",
            confirm="Save it",
        )

    async def save_edit(self, interaction: Interaction, homework: Homework, edit: HomeworkEdit) -> None:
        """Save an edit plan (committed), then bring the announcement along and confirm."""
        guild_id = guild_id_of(interaction)
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        updated = await self.store.update(
            guild_id,
            homework.id,
            edit.changes,
            user_id=interaction.user.id,
            member_remind_at=edit.member_remind_at,
            channel_remind_at=edit.channel_remind_at,
        )
        await self.cache.refresh(guild_id)
        self.bot.scheduler.wake()
        updated, note = await self.refresh_announcement(updated)
        await reply(
            interaction, f"Updated **{updated.label}**, due {due_text(updated)}. {note}", ephemeral=True
        )

    @app_commands.command(name="close")
    @app_commands.describe(homework="The homework to close")
    @moderator_only()
    async def close(self, interaction: Interaction, homework: AnyHomework) -> None:
        """Close homework: no more marks, no more reminders (moderators)."""
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        closed = await self.store.close(guild_id, homework.id, user_id=interaction.user.id)
        await self.cache.refresh(guild_id)
        closed, note = await self.refresh_announcement(closed)
        await reply(interaction, f"Closed **{closed.label}**. {note}", ephemeral=True)

    @app_commands.command(name="delete")
    @app_commands.describe(homework="The homework to delete")
    @moderator_only()
    async def delete(self, interaction: Interaction, homework: AnyHomework) -> None:
        """Delete homework and everyone's marks, after a confirmation (moderators)."""
        await reply(
            interaction,
            f"Delete **{homework.label}**, its announcement and everyone's marks? This can't be undone.",
            view=confirm_delete_view(homework.id),
            ephemeral=True,
        )

    @app_commands.command(name="progress")
    @app_commands.describe(homework="The homework to look at")
    @moderator_only()
    async def progress(self, interaction: Interaction, homework: AnyHomework) -> None:
        """Who has marked homework done: counts and names (moderators)."""
        guild = guild_of(interaction)
        statuses = await self.store.statuses(guild.id, homework.id)
        names = {}
        for status in statuses:
            member = guild.get_member(status.user_id)
            names[status.user_id] = (
                discord.utils.escape_markdown(member.display_name) if member else f"<@{status.user_id}>"
            )
        reminders = await self.store.member_reminder_counts(guild.id, homework.id)
        embed = progress_embed(homework, statuses, names, reminders)
        await reply(interaction, embed=embed, ephemeral=True)

    # --- members -------------------------------------------------------------------------

    @app_commands.command(name="list")
    @app_commands.describe(week="Only this week (default: all open homework)")
    async def list_(self, interaction: Interaction, week: Week | None = None) -> None:
        """Homework that is open (or one week's), with what you have done."""
        guild_id = guild_id_of(interaction)
        items = await self.store.find(guild_id, week=week, open_only=week is None)
        if not items:
            where = f" for week {week}" if week is not None else " open right now"
            raise UserFacingError(f"There is no homework{where}.")
        statuses = await self.store.member_statuses(guild_id, interaction.user.id)
        await reply(
            interaction, embed=list_embed(items, statuses, self.bot.clock.now(), week), ephemeral=True
        )

    @app_commands.command(name="done")
    @app_commands.describe(homework="The homework you finished")
    async def done(self, interaction: Interaction, homework: OpenHomework) -> None:
        """Mark homework as done."""
        await self.set_done(interaction, homework, done=True)

    @app_commands.command(name="undo")
    @app_commands.describe(homework="The homework to unmark")
    async def undo(self, interaction: Interaction, homework: OpenHomework) -> None:
        """Unmark homework you marked done by mistake."""
        await self.set_done(interaction, homework, done=False)

    @app_commands.command(name="mine")
    async def mine(self, interaction: Interaction) -> None:
        """What you have done, and what is due next."""
        guild_id = guild_id_of(interaction)
        items = await self.store.find(guild_id)
        statuses = await self.store.member_statuses(guild_id, interaction.user.id)
        embed = mine_embed(items, statuses, self.bot.clock.now(), interaction.user.display_name)
        await reply(interaction, embed=embed, ephemeral=True)
