"""``/session``: moderators schedule weekly sessions (with Discord events); members see what is next."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.acknowledge import acknowledge, acknowledge_update, update_message
from bot.app import StudyBot
from bot.checks import moderator_only
from bot.components import NUMBER, Action, text
from bot.confirmations import PendingChanges
from bot.db.guilds import GuildConfig
from bot.db.reminders import Reminder
from bot.db.sessions import (
    KIND_CHANNEL,
    KIND_MEMBER,
    Session,
    SessionStore,
)
from bot.durations import lead_text
from bot.errors import UserFacingError
from bot.guild_feature import guild_id_of, guild_of
from bot.interactions import Interaction
from bot.reminder_posts import post_reminder
from bot.replies import edit_original, follow_up, reply
from bot.when import shown, warm_up_soon
from cogs.sessions._directory import SessionDirectory, SessionFeature
from cogs.sessions._embeds import (
    LIST_PAGE_SIZE,
    cancel_embed,
    channel_reminder_embed,
    list_embed,
    member_reminder_embed,
    schedule_embed,
    session_embed,
)
from cogs.sessions._events import (
    can_manage_events,
    create_event,
    delete_event,
    refusal_note,
    update_event,
)
from cogs.sessions._materials import message_url, week_materials
from cogs.sessions._plans import (
    NO_EVENTS,
    SchedulePlan,
    Scope,
    SessionEdit,
    plan_schedule,
    plan_series_edit,
    plan_session_edit,
    series_targets,
)
from cogs.sessions._refs import UpcomingSession
from cogs.sessions._views import SESSIONS, cancel_view, list_view, session_view, undo_remind_view

log = logging.getLogger(__name__)

Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
CancelScope = Literal["this session", "whole series"]
REMINDERS_OFF = (
    "Session reminders are turned off on this server, so there is nothing to ask for; a moderator "
    "can turn them on with /config reminders."
)
DMS_CLOSED = 50007
#: At most this many progress edits while creating or deleting events.
PROGRESS_STEPS = 12


def only(user_id: int) -> discord.AllowedMentions:
    """Mentions that can notify this one member and no one else."""
    return discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)])


@app_commands.guild_only()
class SessionCog(SessionFeature[SessionStore], commands.GroupCog, group_name="session"):
    """Weekly study sessions: scheduling, Discord events, reminders."""

    feature = SESSIONS
    store_type = SessionStore

    def __init__(self, client: StudyBot, directory: SessionDirectory) -> None:
        super().__init__(client, directory)
        #: Schedules, edits and second announcements waiting for the moderator's Confirm.
        self.pending = PendingChanges(SESSIONS, client.clock)

    def actions(self) -> Sequence[Action]:
        return (
            Action("remind", self.press_remind, NUMBER),
            Action("unremind", self.undo_remind, NUMBER),
            Action("list", self.show_list_page, NUMBER),
            Action("cancel", self.cancel_now, NUMBER, text("one|series"), moderators=True),
            Action.dismiss("keep", "Kept: nothing was cancelled.", NUMBER),
            *self.pending.actions(),
        )

    async def cog_load(self) -> None:
        await super().cog_load()
        if self.bot.warm_up:  # dateparser's first reading takes a second: not on the first member's command
            warm_up_soon()
        self.bot.scheduler.register(KIND_CHANNEL, self.send_channel_reminder)
        self.bot.scheduler.register(KIND_MEMBER, self.send_member_reminder)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(KIND_CHANNEL)
        self.bot.scheduler.unregister(KIND_MEMBER)
        await super().cog_unload()

    def lead(self, config: GuildConfig) -> timedelta:
        return timedelta(minutes=config.reminder_minutes["sessions"])

    # --- moderators ----------------------------------------------------------------------

    @app_commands.command(name="schedule")
    @app_commands.describe(
        title="What the sessions are called, e.g. Hugging Face course study group",
        weekday="The day of the week they take place",
        time="Start time in the server's time zone (see /config timezone): 18:00, 6pm, 7:30 pm",
        duration="Length of each session in minutes",
        weeks="How many weekly sessions, 1 to 52",
        link="The call link (http or https, at most 100 characters)",
        topics="One topic per week, separated by ';', e.g. Section 1: transformer models; Section 2: …",
        first_week="Course week of the first session (links the week's homework and papers), default 1",
        start="First possible date: 2031-03-27, next monday… (default: the next such weekday)",
    )
    @moderator_only()
    async def schedule(
        self,
        interaction: Interaction,
        title: app_commands.Range[str, 1, 100],
        weekday: Weekday,
        time: app_commands.Range[str, 1, 10],
        duration: app_commands.Range[int, 15, 480],
        weeks: app_commands.Range[int, 1, 52],
        link: app_commands.Range[str, 1, 512],
        topics: app_commands.Range[str, 1, 4000] | None = None,
        first_week: app_commands.Range[int, 1, 52] = 1,
        start: app_commands.Range[str, 1, 30] | None = None,
    ) -> None:
        """Schedule weekly sessions, with a Discord event for each (moderators)."""
        guild = guild_of(interaction)
        config = await self.config(guild.id)
        zone = config.zone
        plan = plan_schedule(
            title=title,
            weekday=weekday,
            time=time,
            duration=duration,
            weeks=weeks,
            link=link,
            topics=topics,
            first_week=first_week,
            start=start,
            zone=zone,
            now=self.bot.clock.now(),
        )
        if plan.check is None:
            await acknowledge(interaction)  # before the writes (issue 13)
            await self.save_schedule(interaction, plan)
            return
        first = plan.drafts[0].starts_at

        async def save(pressed: Interaction) -> None:
            await self.save_schedule(pressed, plan)

        await self.pending.ask(
            interaction,
            save,
            question=(
                f"The first of {len(plan.drafts)} sessions would be {shown(first)} ({zone.key}): "
                f"{plan.check}. Schedule them?"
            ),
            summary=f"Scheduling {len(plan.drafts)} sessions from {shown(first)}…",
            confirm="Schedule them",
        )

    async def save_schedule(self, interaction: Interaction, plan: SchedulePlan) -> None:
        """Save a schedule plan, then create its Discord events with progress."""
        guild = guild_of(interaction)
        config = await self.config(guild.id)
        zone = config.zone
        if plan.drafts[0].starts_at <= self.bot.clock.now():
            raise UserFacingError(
                "The first session's time has passed in the meantime; nothing was scheduled."
            )
        sessions = await self.store.schedule(
            guild.id,
            plan.name,
            plan.drafts,
            user_id=interaction.user.id,
            channel_id=interaction.channel_id,
            lead=self.lead(config),
            detail=plan.detail,
        )
        self.bot.scheduler.wake()
        await self.directory.cache.refresh(guild.id)
        headline, notes = plan.headline, list(plan.notes)
        if not can_manage_events(interaction.app_permissions):
            embed = schedule_embed(sessions, zone, [NO_EVENTS, *notes])
            await reply(interaction, headline, embed=embed, ephemeral=True)
            return
        started = f"{headline} Creating Discord events 0/{len(sessions)}…"
        if interaction.type is discord.InteractionType.component:  # a confirmation: progress of its own
            progress = await follow_up(interaction, started, wait=True)
        else:
            await reply(interaction, started, ephemeral=True)
            progress = None
        created, problem = await self._create_events(interaction, guild, sessions, headline, progress)
        sessions = await self.store.series(guild.id, sessions[0].series_id)
        content = f"{headline} Created {created} Discord event{'s' if created != 1 else ''}."
        embed = schedule_embed(sessions, zone, [problem, *notes] if problem else notes)
        if progress is not None:
            await progress.edit(content=content, embed=embed)
        else:
            await reply(interaction, content, embed=embed, replace=True)

    async def _create_events(
        self,
        interaction: Interaction,
        guild: discord.Guild,
        sessions: list[Session],
        headline: str,
        progress: discord.WebhookMessage | None = None,
    ) -> tuple[int, str | None]:
        """Create each session's event, editing the reply (or ``progress``) as it goes; returns
        (created, problem)."""
        total = len(sessions)
        step = max(1, math.ceil(total / PROGRESS_STEPS))
        for index, session in enumerate(sessions, start=1):
            try:
                event_id = await create_event(guild, session, total)
            except (discord.HTTPException, discord.RateLimited) as error:
                log.warning("Creating the event for session %d failed: %s", session.id, error)
                return index - 1, refusal_note(error, session, total - index + 1)
            await self.store.set_event(session.guild_id, session.id, event_id)
            if index < total and index % step == 0:
                content = f"{headline} Creating Discord events {index}/{total}…"
                if progress is not None:
                    await progress.edit(content=content)
                else:
                    await edit_original(interaction, content=content, fallback=False)
        return total, None

    @app_commands.command(name="edit")
    @app_commands.describe(
        session="The session to change",
        scope="Only this session (default), it and the later ones of its series, or the whole series",
        title="New title",
        date="New date (server time zone): 2031-03-27, next friday… (this session only)",
        time="New start time (server time zone): 18:00, 6pm, 7:30 pm",
        duration="New length in minutes",
        topic="New topic ('-' removes it; this session only)",
        link="New call link (http or https)",
    )
    @moderator_only()
    async def edit(
        self,
        interaction: Interaction,
        session: UpcomingSession,
        scope: Scope = "this session",
        title: app_commands.Range[str, 1, 100] | None = None,
        date: app_commands.Range[str, 1, 30] | None = None,
        time: app_commands.Range[str, 1, 10] | None = None,
        duration: app_commands.Range[int, 15, 480] | None = None,
        topic: app_commands.Range[str, 1, 200] | None = None,
        link: app_commands.Range[str, 1, 512] | None = None,
    ) -> None:
        """Change a session or its series (e.g. the call link); Discord events follow (moderators)."""
        guild = guild_of(interaction)
        now = self.bot.clock.now()
        config = await self.config(guild.id)
        if scope != "this session":
            if date is not None or topic is not None:
                raise UserFacingError(
                    "A date or a topic belongs to one session: edit those with scope `this session`."
                )
            series = await self.store.series(guild.id, session.series_id)
            targets = series_targets(session, series, scope, now)
            plan = plan_series_edit(
                targets, zone=config.zone, now=now, title=title, time=time, duration=duration, link=link
            )
            await self.save_edits(interaction, plan.edits, plan.summary, plan.notes)
            return
        edit = plan_session_edit(
            session,
            zone=config.zone,
            now=now,
            title=title,
            date=date,
            time=time,
            duration=duration,
            topic=topic,
            link=link,
        )
        if edit.check is None:
            await self.save_edits(interaction, [(session, edit)], edit.summary, list(edit.notes))
            return
        starts_at = edit.changes.starts_at or session.starts_at

        async def save(pressed: Interaction) -> None:
            await self.save_edits(pressed, [(session, edit)], edit.summary, list(edit.notes))

        await self.pending.ask(
            interaction,
            save,
            question=(
                f"Session #{session.id} would start {shown(starts_at)} ({config.timezone}): {edit.check}. "
                "Save it?"
            ),
            summary=f"Moving session #{session.id} to {shown(starts_at)}…",
            confirm="Save it",
        )

    async def save_edits(
        self,
        interaction: Interaction,
        edits: Sequence[tuple[Session, SessionEdit]],
        summary: str,
        notes: list[str],
    ) -> None:
        """Save the edits in one transaction, then bring their Discord events along, with progress
        when there are several."""
        guild = guild_of(interaction)
        now = self.bot.clock.now()
        config = await self.config(guild.id)
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)
        updated = await self.store.update_many(
            guild.id,
            [(session.id, edit.changes) for session, edit in edits],
            user_id=interaction.user.id,
            lead=self.lead(config),
        )
        self.bot.scheduler.wake()
        await self.directory.cache.refresh(guild.id)
        moved = {session.id: edit.moved for session, edit in edits}
        if len(updated) == 1:
            (one,) = updated
            note = await self._follow_event(interaction, guild, one, moved[one.id], now)
            all_notes = [*notes, note] if note else notes
            await reply(
                interaction,
                f"Updated session #{one.id} ({summary}).",
                embed=session_embed(one, now, heading="Updated", note="\n".join(all_notes) or None),
                ephemeral=True,
            )
            return
        headline = f"Updated {len(updated)} sessions ({summary})."
        total = len(updated)
        step = max(1, math.ceil(total / PROGRESS_STEPS))
        followed: list[str] = []
        for index, item in enumerate(updated, start=1):
            note = await self._follow_event(interaction, guild, item, moved[item.id], now)
            if note and note != "Its Discord event was updated too.":
                followed.append(f"#{item.id}: {note}")
            if index < total and index % step == 0:
                await reply(interaction, f"{headline} Discord events {index}/{total}…", replace=True)
        events = sum(1 for item in updated if item.event_id is not None)
        tail = f" {events} Discord event{'s' if events != 1 else ''} followed." if events else ""
        embed = schedule_embed(updated, config.zone, [*notes, *followed])
        await reply(interaction, headline + tail, embed=embed, replace=True)

    async def _follow_event(
        self,
        interaction: Interaction,
        guild: discord.Guild,
        session: Session,
        moved: bool,
        now: datetime,
    ) -> str | None:
        """Bring the session's Discord event up to date, or create it where it is missing (the bot
        lacked the permission at scheduling time, or someone deleted it in Discord); returns a
        sentence for the moderator (None: nothing worth saying)."""
        allowed = can_manage_events(interaction.app_permissions)
        if session.event_id is not None:
            if not allowed:
                return (
                    "I no longer have the Manage Events permission, so its Discord event still shows the "
                    "old details."
                )
            try:
                found = await update_event(guild, session.event_id, session, times=moved)
            except discord.HTTPException as error:
                log.warning("Updating event %d failed: %s", session.event_id, error)
                return f"Discord refused to update its event ({error.text or error.status})."
            if found:
                return "Its Discord event was updated too."
            await self.store.set_event(session.guild_id, session.id, None)
            missing = "Its Discord event had been deleted"
        elif allowed:
            missing = "It had no Discord event"
        else:
            return None
        if session.starts_at <= now:
            return f"{missing}; none was created, as the session has already started."
        try:
            event_id = await create_event(guild, session)
        except discord.HTTPException as error:
            log.warning("Creating the event for session %d failed: %s", session.id, error)
            return f"{missing}, and Discord refused to create one ({error.text or error.status})."
        await self.store.set_event(session.guild_id, session.id, event_id)
        return f"{missing}, so I created one."

    @app_commands.command(name="cancel")
    @app_commands.describe(
        session="The session to cancel", scope="Only this session, or it and the rest of its series"
    )
    @moderator_only()
    async def cancel(
        self, interaction: Interaction, session: UpcomingSession, scope: CancelScope = "this session"
    ) -> None:
        """Cancel a session or its whole series, after a confirmation (moderators)."""
        guild_id = guild_id_of(interaction)
        key = "series" if scope == "whole series" else "one"
        targets = await self._cancel_targets(session, key, self.bot.clock.now())
        zone = (await self.config(guild_id)).zone
        await reply(
            interaction,
            embed=cancel_embed(targets, zone),
            view=cancel_view(session.id, key, len(targets)),
            ephemeral=True,
        )

    async def _cancel_targets(self, session: Session, scope: str, now: datetime) -> list[Session]:
        if scope == "one":
            found = [session] if not session.cancelled and not session.has_ended(now) else []
        else:
            found = [
                item
                for item in await self.store.series(session.guild_id, session.series_id)
                if not item.cancelled and not item.has_ended(now)
            ]
        if not found:
            raise UserFacingError(
                "Nothing left to cancel: those sessions were cancelled or have taken place."
            )
        return found

    async def cancel_now(self, interaction: Interaction, session_id: int, scope: str) -> None:
        """The confirmation was pressed: cancel, then delete the Discord events with progress."""
        await acknowledge_update(interaction)  # before the writes (issue 13)
        guild = guild_of(interaction)
        guild_id = guild.id
        now = self.bot.clock.now()
        chosen = await self.directory.require(guild_id, session_id)
        targets = await self._cancel_targets(chosen, scope, now)
        cancelled = await self.store.cancel(
            guild_id, [item.id for item in targets], user_id=interaction.user.id, now=now
        )
        await self.directory.cache.refresh(guild_id)
        count = len(cancelled)
        headline = f"Cancelled {count} session{'s' if count != 1 else ''}; their reminders are off."
        events = [item for item in cancelled if item.event_id is not None]
        if not events:
            await update_message(interaction, content=headline, embed=None, view=None)
            return
        if not can_manage_events(interaction.app_permissions):
            await update_message(
                interaction,
                content=f"{headline} I no longer have the Manage Events permission, so delete their "
                f"{len(events)} Discord events by hand.",
                embed=None,
                view=None,
            )
            return
        await update_message(
            interaction, content=f"{headline} Deleting Discord events 0/{len(events)}…", embed=None, view=None
        )
        deleted, problem = await self._delete_events(interaction, guild, events, headline)
        text = f"{headline} Deleted {deleted} Discord event{'s' if deleted != 1 else ''}."
        await edit_original(interaction, content=f"{text} {problem}" if problem else text, private=True)

    async def _delete_events(
        self, interaction: Interaction, guild: discord.Guild, sessions: list[Session], headline: str
    ) -> tuple[int, str | None]:
        total = len(sessions)
        step = max(1, math.ceil(total / PROGRESS_STEPS))
        deleted, failed = 0, []
        for index, session in enumerate(sessions, start=1):
            assert session.event_id is not None
            try:
                if await delete_event(guild, session.event_id):
                    deleted += 1
                await self.store.set_event(session.guild_id, session.id, None)
            except discord.HTTPException as error:
                log.warning("Deleting event %d failed: %s", session.event_id, error)
                failed.append(f"#{session.id}")
            if index < total and index % step == 0:
                content = f"{headline} Deleting Discord events {index}/{total}…"
                await edit_original(interaction, content=content, fallback=False)
        problem = f"Discord refused to delete the events of {', '.join(failed)}." if failed else None
        return deleted, problem

    @app_commands.command(name="announce")
    @app_commands.describe(
        session="The session to announce (default: the next one)",
        note="A line to add, e.g. bring your questions",
    )
    @moderator_only()
    async def announce(
        self,
        interaction: Interaction,
        session: UpcomingSession | None = None,
        note: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        """Post a session in the sessions channel now, with a Remind me button (moderators)."""
        guild_id = guild_id_of(interaction)
        now = self.bot.clock.now()
        target = session or await self.store.current_or_next(guild_id, now)
        if target is None:
            raise UserFacingError("No session is scheduled: schedule some with /session schedule first.")
        config = await self.config(guild_id)
        channel_id = config.channel("sessions") or interaction.channel_id
        if channel_id is None:
            raise UserFacingError("Set a sessions channel with /config channel first.")
        earlier = await self.store.announcements(guild_id, target.id)
        if not earlier:
            await self.post_announcement(interaction, target, channel_id, note)
            return
        last = earlier[0]
        link = message_url(guild_id, last.channel_id, last.message_id)

        async def post_again(pressed: Interaction) -> None:
            await self.post_announcement(pressed, target, channel_id, note)

        await self.pending.ask(
            interaction,
            post_again,
            question=(
                f"Session #{target.id} was already announced "
                f"{discord.utils.format_dt(last.announced_at, 'R')} by <@{last.user_id}>: {link}. "
                "Post it again?"
            ),
            summary=f"Announcing session #{target.id} again…",
            confirm="Post it again",
        )

    async def post_announcement(
        self, interaction: Interaction, target: Session, channel_id: int, note: str | None
    ) -> None:
        """Post the session in ``channel_id`` with its Remind me button, remember where, confirm."""
        await acknowledge(interaction)  # before the write (issue 13); a Post it again press has its answer
        guild_id = guild_id_of(interaction)
        now = self.bot.clock.now()
        materials = await week_materials(self.bot.db, guild_id, target.week)
        embed = session_embed(target, now, materials=materials, note=note)
        try:
            message = await self.directory.channel(channel_id, guild_id).send(
                embed=embed, view=session_view(target), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException as error:
            raise UserFacingError(
                f"I couldn't post in <#{channel_id}> ({error.text or error.status}): check my permissions "
                "there, or choose another channel with /config channel."
            ) from None
        await self.store.record_announcement(
            guild_id, target.id, user_id=interaction.user.id, channel_id=channel_id, message_id=message.id
        )
        link = message_url(guild_id, channel_id, message.id)
        await reply(interaction, f"Announced session #{target.id} in <#{channel_id}>: {link}", ephemeral=True)

    # --- members ---------------------------------------------------------------------------

    @app_commands.command(name="next")
    @app_commands.describe(public="Show it to the channel instead of only to you (default: no)")
    async def next_session(self, interaction: Interaction, public: bool = False) -> None:
        """The next session: when, topic, call link, and the week's homework and papers."""
        guild_id = guild_id_of(interaction)
        now = self.bot.clock.now()
        session = await self.store.current_or_next(guild_id, now)
        if session is None:
            raise UserFacingError(
                "No session is scheduled yet; moderators schedule them with /session schedule."
            )
        materials = await week_materials(self.bot.db, guild_id, session.week)
        await reply(
            interaction,
            embed=session_embed(session, now, materials=materials),
            view=session_view(session),
            ephemeral=not public,
        )

    @app_commands.command(name="list")
    async def list_sessions(self, interaction: Interaction) -> None:
        """Upcoming sessions, page by page."""
        guild_id = guild_id_of(interaction)
        embed, view = await self._list_page(guild_id, 0)
        await reply(interaction, embed=embed, view=view, ephemeral=True)

    async def show_list_page(self, interaction: Interaction, page: int) -> None:
        guild_id = guild_id_of(interaction)
        embed, view = await self._list_page(guild_id, page)
        await interaction.response.edit_message(embed=embed, view=view)

    async def _list_page(self, guild_id: int, page: int) -> tuple[discord.Embed, discord.ui.View | None]:
        now = self.bot.clock.now()
        total = await self.store.count_upcoming(guild_id, now)
        pages = max(1, math.ceil(total / LIST_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        sessions = await self.store.upcoming(
            guild_id, now, limit=LIST_PAGE_SIZE, offset=page * LIST_PAGE_SIZE
        )
        return list_embed(sessions, now, page, pages, total), list_view(page, pages)

    async def press_remind(self, interaction: Interaction, session_id: int) -> None:
        """The Remind me button: asks for a reminder (a second press changes nothing; Undo cancels)."""
        guild_id = guild_id_of(interaction)
        config = await self.config(guild_id)
        if config.reminders_off("sessions"):
            raise UserFacingError(REMINDERS_OFF)
        session, outcome = await self.store.set_remind(
            guild_id, session_id, interaction.user.id, True, lead=self.lead(config), now=self.bot.clock.now()
        )
        when = discord.utils.format_dt(session.starts_at, "F")
        lead = lead_text(config.reminder_minutes["sessions"])
        if outcome == "added":
            self.bot.scheduler.wake()
            text = (
                f"🔔 I'll remind you {lead} before **{session.name}** ({when}) by DM "
                "(here, if your DMs are closed)."
            )
        elif outcome == "unchanged":
            text = f"🔔 Your reminder for **{session.name}** is already on ({lead} before)."
        else:
            text = f"Your reminder for **{session.name}** was already sent."
        view = undo_remind_view(session.id) if outcome != "already_sent" else None
        await reply(interaction, text, view=view, ephemeral=True)

    async def undo_remind(self, interaction: Interaction, session_id: int) -> None:
        """Undo under the Remind me confirmation: no reminder (the confirmation says so)."""
        guild_id = guild_id_of(interaction)
        config = await self.config(guild_id)
        session, outcome = await self.store.set_remind(
            guild_id, session_id, interaction.user.id, False, lead=self.lead(config), now=self.bot.clock.now()
        )
        text = (
            f"🔕 OK: no reminder for **{session.name}**."
            if outcome == "removed"
            else f"You had no reminder for **{session.name}**."
        )
        await interaction.response.edit_message(content=text, view=None)

    # --- reminders (the scheduler calls these) ----------------------------------------------

    async def _post_channel(self, reminder: Reminder, session: Session) -> discord.PartialMessageable:
        config = await self.config(reminder.guild_id)
        channel_id = config.channel("sessions") or reminder.channel_id or session.channel_id
        if channel_id is None:
            raise RuntimeError("no sessions channel is configured and the series has no channel")
        return self.directory.channel(channel_id, reminder.guild_id)

    async def _live_session(self, reminder: Reminder) -> Session | None:
        assert reminder.target_id is not None
        if (await self.config(reminder.guild_id)).reminders_off("sessions"):
            log.info("Reminder %d skipped: session reminders are off here", reminder.id)
            return None
        session = await self.store.get(reminder.guild_id, reminder.target_id)
        if session is None or session.cancelled:
            log.info("Reminder %d skipped: session %s is gone or cancelled", reminder.id, reminder.target_id)
            return None
        return session

    async def send_channel_reminder(self, reminder: Reminder) -> None:
        """Post "starting soon" in the sessions channel (mentions nobody)."""
        session = await self._live_session(reminder)
        if session is None:
            return
        channel = await self._post_channel(reminder, session)
        await post_reminder(
            self.bot,
            channel,
            reminder,
            embed=channel_reminder_embed(session, self.bot.clock.now()),
            view=session_view(session, remind=False),
            allowed_mentions=discord.AllowedMentions.none(),
        )

    async def send_member_reminder(self, reminder: Reminder) -> None:
        """DM the member; if their DMs are closed, mention them (only them) in the sessions channel."""
        assert reminder.user_id is not None
        session = await self._live_session(reminder)
        if session is None:
            return
        guild = self.bot.get_guild(reminder.guild_id)
        embed = member_reminder_embed(
            session, guild.name if guild else "your study group", self.bot.clock.now()
        )
        user = self.bot.get_user(reminder.user_id) or await self.bot.fetch_user(reminder.user_id)
        try:
            await post_reminder(
                self.bot, user, reminder, embed=embed, view=session_view(session, remind=False)
            )
            return
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED:
                raise
        channel = await self._post_channel(reminder, session)
        await post_reminder(
            self.bot,
            channel,
            reminder,
            content=f"<@{reminder.user_id}>, here is the reminder you asked for "
            "(your DMs are closed, so it is here).",
            embed=embed,
            view=session_view(session, remind=False),
            allowed_mentions=only(reminder.user_id),
        )
        log.info("Reminder %d posted in channel %d: DMs closed", reminder.id, channel.id)


__all__ = ["SessionCog"]
