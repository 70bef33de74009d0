"""``/session``: moderators schedule weekly sessions (with Discord events); members see what is next."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.checks import moderator_only
from bot.db.guilds import GuildConfig, GuildStore
from bot.db.reminders import Reminder
from bot.db.sessions import (
    KIND_CHANNEL,
    KIND_MEMBER,
    TITLE_MAX,
    TOPIC_MAX,
    Session,
    SessionDraft,
    SessionStore,
)
from bot.errors import UserFacingError
from bot.guild_cache import GuildCache
from bot.replies import reply
from cogs.sessions._embeds import (
    LIST_PAGE_SIZE,
    cancel_embed,
    channel_reminder_embed,
    choice_name,
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
from cogs.sessions._timing import (
    check_link,
    clean_title,
    local_moment,
    local_text,
    parse_clock,
    parse_day,
    split_topics,
    weekly_starts,
)
from cogs.sessions._views import DYNAMIC_ITEMS, cancel_view, list_view, session_view

log = logging.getLogger(__name__)

Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
Scope = Literal["this session", "whole series"]
DMS_CLOSED = 50007
#: How far back autocomplete (and /questions export) looks for sessions.
RECENT = timedelta(days=90)
#: At most this many progress edits while creating or deleting events.
PROGRESS_STEPS = 12


def only(user_id: int) -> discord.AllowedMentions:
    """Mentions that can notify this one member and no one else."""
    return discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)])


class SessionDirectory:
    """Sessions shared by the session and Q&A cogs: lookups, autocomplete from memory, posting."""

    def __init__(self, client: StudyBot) -> None:
        self.bot = client
        self.cache: GuildCache[Session] = GuildCache(self._load)

    @property
    def store(self) -> SessionStore:
        return SessionStore(self.bot.db)

    async def _load(self, guild_id: int) -> list[Session]:
        return await self.store.since(guild_id, self.bot.clock.now() - RECENT)

    async def config(self, guild_id: int) -> GuildConfig:
        return await GuildStore(self.bot.db).get(guild_id)

    async def require(self, guild_id: int, session_id: int) -> Session:
        """A session of this server, or a sentence saying there is none."""
        session = await self.store.get(guild_id, session_id)
        if session is None:
            raise UserFacingError(
                f"There is no session #{session_id} on this server; pick one from the list."
            )
        return session

    async def choices(
        self, interaction: discord.Interaction, current: str, *, upcoming_only: bool
    ) -> list[app_commands.Choice[int]]:
        """Sessions matching what is typed (id, date or title), soonest first, from memory."""
        if interaction.guild_id is None:
            return []
        now = self.bot.clock.now()
        zone = (await self.config(interaction.guild_id)).zone
        wanted = current.strip().lstrip("#").casefold()
        found = []
        for session in await self.cache.get(interaction.guild_id):
            if session.cancelled or (upcoming_only and session.has_ended(now)):
                continue
            label = choice_name(session, zone)
            if wanted in label.casefold():
                found.append(app_commands.Choice(name=label, value=session.id))
        if not upcoming_only:  # most recent first: the session that just ended is the likely one
            found.reverse()
        return found[:25]

    def channel(self, channel_id: int, guild_id: int) -> discord.PartialMessageable:
        return self.bot.get_partial_messageable(channel_id, guild_id=guild_id)


@app_commands.guild_only()
class SessionCog(commands.GroupCog, group_name="session"):
    """Weekly study sessions: scheduling, Discord events, reminders."""

    def __init__(self, client: StudyBot, directory: SessionDirectory) -> None:
        self.bot = client
        self.directory = directory

    @property
    def store(self) -> SessionStore:
        return SessionStore(self.bot.db)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        self.bot.scheduler.register(KIND_CHANNEL, self.send_channel_reminder)
        self.bot.scheduler.register(KIND_MEMBER, self.send_member_reminder)

    async def cog_unload(self) -> None:
        self.bot.scheduler.unregister(KIND_CHANNEL)
        self.bot.scheduler.unregister(KIND_MEMBER)
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return True

    def lead(self, config: GuildConfig) -> timedelta:
        return timedelta(minutes=config.reminder_minutes["sessions"])

    async def autocomplete_upcoming(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await self.directory.choices(interaction, current, upcoming_only=True)

    async def _open_session(self, guild_id: int, session_id: int, now: datetime) -> Session:
        session = await self.directory.require(guild_id, session_id)
        if session.cancelled:
            raise UserFacingError(f"Session #{session.id} ({session.name}) was cancelled.")
        if session.has_ended(now):
            raise UserFacingError(f"Session #{session.id} ({session.name}) has already taken place.")
        return session

    # --- moderators ----------------------------------------------------------------------

    @app_commands.command(name="schedule")
    @app_commands.describe(
        title="What the sessions are called, e.g. Hugging Face course study group",
        weekday="The day of the week they take place",
        time="Start time HH:MM (24-hour clock) in the server's time zone, see /config timezone",
        duration="Length of each session in minutes",
        weeks="How many weekly sessions, 1 to 52",
        link="The call link (http or https, at most 100 characters)",
        topics="One topic per week, separated by ';', e.g. Section 1: transformer models; Section 2: …",
        first_week="Course week of the first session (links the week's homework and papers), default 1",
        start="First possible date YYYY-MM-DD (default: the next such weekday)",
    )
    @moderator_only()
    async def schedule(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 100],
        weekday: Weekday,
        time: app_commands.Range[str, 1, 10],
        duration: app_commands.Range[int, 15, 480],
        weeks: app_commands.Range[int, 1, 52],
        link: app_commands.Range[str, 1, 512],
        topics: app_commands.Range[str, 1, 4000] | None = None,
        first_week: app_commands.Range[int, 1, 52] = 1,
        start: app_commands.Range[str, 1, 10] | None = None,
    ) -> None:
        """Schedule weekly sessions, with a Discord event for each (moderators)."""
        assert interaction.guild_id is not None and interaction.guild is not None
        now = self.bot.clock.now()
        config = await self.directory.config(interaction.guild_id)
        zone = config.zone
        name = clean_title(title, TITLE_MAX)
        clock = parse_clock(time)
        url = check_link(link)
        topic_list = split_topics(topics, weeks)
        occurrences = weekly_starts(zone, weekday, clock, weeks, now, parse_day(start) if start else None)
        length = timedelta(minutes=duration)
        drafts = [
            SessionDraft(
                number=index + 1,
                week=first_week + index,
                title=name,
                topic=topic_list[index],
                starts_at=occurrence.starts_at,
                ends_at=occurrence.starts_at + length,
                link=url,
            )
            for index, occurrence in enumerate(occurrences)
        ]
        detail = (
            f"{weeks} × {name!r}, {weekday}s at {clock:%H:%M} {zone.key} for {duration} min, "
            f"from {local_text(occurrences[0].starts_at, zone)}"
        )
        sessions = await self.store.schedule(
            interaction.guild_id,
            name,
            drafts,
            user_id=interaction.user.id,
            channel_id=interaction.channel_id,
            lead=self.lead(config),
            detail=detail,
        )
        self.bot.scheduler.wake()
        await self.directory.cache.refresh(interaction.guild_id)
        notes = [occurrence.note for occurrence in occurrences if occurrence.note]
        total = len(sessions)
        headline = f"Scheduled {total} session{'s' if total != 1 else ''}."
        if not can_manage_events(interaction.app_permissions):
            notes.insert(
                0,
                "I don't have the **Manage Events** permission here, so no Discord events were created. The "
                "sessions, reminders and /session next work without them; grant the permission to get events "
                "for the next series.",
            )
            await reply(interaction, headline, embed=schedule_embed(sessions, zone, notes), ephemeral=True)
            return
        await reply(interaction, f"{headline} Creating Discord events 0/{total}…", ephemeral=True)
        created, problem = await self._create_events(interaction, interaction.guild, sessions, headline)
        if problem:
            notes.insert(0, problem)
        sessions = await self.store.series(interaction.guild_id, sessions[0].series_id)
        await reply(
            interaction,
            f"{headline} Created {created} Discord event{'s' if created != 1 else ''}.",
            embed=schedule_embed(sessions, zone, notes),
            replace=True,
        )

    async def _create_events(
        self, interaction: discord.Interaction, guild: discord.Guild, sessions: list[Session], headline: str
    ) -> tuple[int, str | None]:
        """Create each session's event, editing the reply as it goes; returns (created, problem)."""
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
                await interaction.edit_original_response(
                    content=f"{headline} Creating Discord events {index}/{total}…"
                )
        return total, None

    @app_commands.command(name="edit")
    @app_commands.describe(
        session="The session to change",
        title="New title",
        date="New date YYYY-MM-DD (server time zone)",
        time="New start time HH:MM (server time zone)",
        duration="New length in minutes",
        topic="New topic ('-' removes it)",
        link="New call link (http or https)",
    )
    @moderator_only()
    async def edit(
        self,
        interaction: discord.Interaction,
        session: int,
        title: app_commands.Range[str, 1, 100] | None = None,
        date: app_commands.Range[str, 1, 10] | None = None,
        time: app_commands.Range[str, 1, 10] | None = None,
        duration: app_commands.Range[int, 15, 480] | None = None,
        topic: app_commands.Range[str, 1, 200] | None = None,
        link: app_commands.Range[str, 1, 512] | None = None,
    ) -> None:
        """Change one session's title, time, topic or link; its Discord event follows (moderators)."""
        assert interaction.guild_id is not None and interaction.guild is not None
        now = self.bot.clock.now()
        config = await self.directory.config(interaction.guild_id)
        zone = config.zone
        current = await self._open_session(interaction.guild_id, session, now)
        changes: dict[str, object] = {}
        notes: list[str] = []
        if title is not None:
            changes["title"] = clean_title(title, TITLE_MAX)
        if topic is not None:
            text = " ".join(topic.split())
            if len(text) > TOPIC_MAX:
                raise UserFacingError(f"The topic is {len(text)} characters long; the limit is {TOPIC_MAX}.")
            changes["topic"] = "" if text == "-" else text
        if link is not None:
            changes["link"] = check_link(link)
        if date is not None or time is not None or duration is not None:
            local = current.starts_at.astimezone(zone)
            day = parse_day(date) if date is not None else local.date()
            clock = parse_clock(time) if time is not None else local.time().replace(second=0, microsecond=0)
            occurrence = local_moment(day, clock, zone)
            if occurrence.note:
                notes.append(occurrence.note)
            starts_at = occurrence.starts_at
            if starts_at != current.starts_at and starts_at <= now:
                raise UserFacingError(
                    f"{day:%Y-%m-%d} {clock:%H:%M} ({zone.key}) is already past "
                    f"({discord.utils.format_dt(starts_at, 'R')}); pick a time in the future."
                )
            changes["starts_at"] = starts_at
            changes["ends_at"] = starts_at + timedelta(minutes=duration or current.minutes)
        changes = {key: value for key, value in changes.items() if getattr(current, key) != value}
        if not changes:
            raise UserFacingError(
                "Nothing to change: give a new title, date, time, duration, topic or link that differs "
                "from the current one."
            )
        updated = await self.store.update(
            interaction.guild_id,
            current.id,
            user_id=interaction.user.id,
            lead=self.lead(config),
            **changes,  # type: ignore[arg-type]
        )
        self.bot.scheduler.wake()
        await self.directory.cache.refresh(interaction.guild_id)
        if updated.event_id is not None or can_manage_events(interaction.app_permissions):
            await interaction.response.defer(ephemeral=True, thinking=True)
            moved = "starts_at" in changes or "ends_at" in changes
            note = await self._follow_event(interaction, interaction.guild, updated, moved, now)
            if note:
                notes.append(note)
        labels = {"starts_at": "time", "ends_at": "length"}
        names = [labels.get(key, key) for key in changes if not (key == "ends_at" and "starts_at" in changes)]
        changed = ", ".join(names)
        await reply(
            interaction,
            f"Updated session #{updated.id} ({changed}).",
            embed=session_embed(updated, now, heading="Updated", note="\n".join(notes) or None),
            ephemeral=True,
        )

    async def _follow_event(
        self,
        interaction: discord.Interaction,
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

    @edit.autocomplete("session")
    async def _edit_session(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await self.autocomplete_upcoming(interaction, current)

    @app_commands.command(name="cancel")
    @app_commands.describe(
        session="The session to cancel", scope="Only this session, or it and the rest of its series"
    )
    @moderator_only()
    async def cancel(
        self, interaction: discord.Interaction, session: int, scope: Scope = "this session"
    ) -> None:
        """Cancel a session or its whole series, after a confirmation (moderators)."""
        assert interaction.guild_id is not None
        now = self.bot.clock.now()
        chosen = await self._open_session(interaction.guild_id, session, now)
        key = "series" if scope == "whole series" else "one"
        targets = await self._cancel_targets(chosen, key, now)
        zone = (await self.directory.config(interaction.guild_id)).zone
        await reply(
            interaction,
            embed=cancel_embed(targets, zone),
            view=cancel_view(chosen.id, key, len(targets)),
            ephemeral=True,
        )

    @cancel.autocomplete("session")
    async def _cancel_session(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await self.autocomplete_upcoming(interaction, current)

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

    async def cancel_now(self, interaction: discord.Interaction, session_id: int, scope: str) -> None:
        """The confirmation was pressed: cancel, then delete the Discord events with progress."""
        assert interaction.guild_id is not None and interaction.guild is not None
        now = self.bot.clock.now()
        chosen = await self.directory.require(interaction.guild_id, session_id)
        targets = await self._cancel_targets(chosen, scope, now)
        cancelled = await self.store.cancel(
            interaction.guild_id, [item.id for item in targets], user_id=interaction.user.id, now=now
        )
        await self.directory.cache.refresh(interaction.guild_id)
        count = len(cancelled)
        headline = f"Cancelled {count} session{'s' if count != 1 else ''}; their reminders are off."
        events = [item for item in cancelled if item.event_id is not None]
        if not events:
            await interaction.response.edit_message(content=headline, embed=None, view=None)
            return
        if not can_manage_events(interaction.app_permissions):
            await interaction.response.edit_message(
                content=f"{headline} I no longer have the Manage Events permission, so delete their "
                f"{len(events)} Discord events by hand.",
                embed=None,
                view=None,
            )
            return
        await interaction.response.edit_message(
            content=f"{headline} Deleting Discord events 0/{len(events)}…", embed=None, view=None
        )
        deleted, problem = await self._delete_events(interaction, interaction.guild, events, headline)
        text = f"{headline} Deleted {deleted} Discord event{'s' if deleted != 1 else ''}."
        await interaction.edit_original_response(content=f"{text} {problem}" if problem else text)

    async def _delete_events(
        self, interaction: discord.Interaction, guild: discord.Guild, sessions: list[Session], headline: str
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
                await interaction.edit_original_response(
                    content=f"{headline} Deleting Discord events {index}/{total}…"
                )
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
        interaction: discord.Interaction,
        session: int | None = None,
        note: app_commands.Range[str, 1, 500] | None = None,
    ) -> None:
        """Post a session in the sessions channel now, with a Remind me button (moderators)."""
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id
        now = self.bot.clock.now()
        if session is not None:
            target = await self._open_session(guild_id, session, now)
        else:
            found = await self.store.current_or_next(guild_id, now)
            if found is None:
                raise UserFacingError("No session is scheduled: schedule some with /session schedule first.")
            target = found
        config = await self.directory.config(guild_id)
        channel_id = config.channel("sessions") or interaction.channel_id
        assert channel_id is not None
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
            guild_id, target.id, user_id=interaction.user.id, channel_id=channel_id
        )
        link = message_url(guild_id, channel_id, message.id)
        await reply(interaction, f"Announced session #{target.id} in <#{channel_id}>: {link}", ephemeral=True)

    @announce.autocomplete("session")
    async def _announce_session(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await self.autocomplete_upcoming(interaction, current)

    # --- members ---------------------------------------------------------------------------

    @app_commands.command(name="next")
    @app_commands.describe(public="Show it to the channel instead of only to you (default: no)")
    async def next_session(self, interaction: discord.Interaction, public: bool = False) -> None:
        """The next session: when, topic, call link, and the week's homework and papers."""
        assert interaction.guild_id is not None
        now = self.bot.clock.now()
        session = await self.store.current_or_next(interaction.guild_id, now)
        if session is None:
            raise UserFacingError(
                "No session is scheduled yet; moderators schedule them with /session schedule."
            )
        materials = await week_materials(self.bot.db, interaction.guild_id, session.week)
        await reply(
            interaction,
            embed=session_embed(session, now, materials=materials),
            view=session_view(session),
            ephemeral=not public,
        )

    @app_commands.command(name="list")
    async def list_sessions(self, interaction: discord.Interaction) -> None:
        """Upcoming sessions, page by page."""
        assert interaction.guild_id is not None
        embed, view = await self._list_page(interaction.guild_id, 0)
        await reply(interaction, embed=embed, view=view, ephemeral=True)

    async def show_list_page(self, interaction: discord.Interaction, page: int) -> None:
        assert interaction.guild_id is not None
        embed, view = await self._list_page(interaction.guild_id, page)
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

    async def toggle_remind(self, interaction: discord.Interaction, session_id: int) -> None:
        """The Remind me button: on, or off again."""
        assert interaction.guild_id is not None
        config = await self.directory.config(interaction.guild_id)
        lead = self.lead(config)
        session, outcome = await self.store.set_remind(
            interaction.guild_id, session_id, interaction.user.id, lead=lead, now=self.bot.clock.now()
        )
        when = discord.utils.format_dt(session.starts_at, "F")
        if outcome == "added":
            self.bot.scheduler.wake()
            text = (
                f"I'll remind you {config.reminder_minutes['sessions']} minutes before **{session.name}** "
                f"({when}) by DM (here, if your DMs are closed). Press **Remind me** again to undo."
            )
        elif outcome == "removed":
            text = f"OK: no reminder for **{session.name}**."
        else:
            text = f"Your reminder for **{session.name}** was already sent."
        await reply(interaction, text, ephemeral=True)

    # --- reminders (the scheduler calls these) ----------------------------------------------

    async def _post_channel(self, reminder: Reminder, session: Session) -> discord.PartialMessageable:
        config = await self.directory.config(reminder.guild_id)
        channel_id = config.channel("sessions") or reminder.channel_id or session.channel_id
        if channel_id is None:
            raise RuntimeError("no sessions channel is configured and the series has no channel")
        return self.directory.channel(channel_id, reminder.guild_id)

    async def _live_session(self, reminder: Reminder) -> Session | None:
        assert reminder.target_id is not None
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
        await channel.send(
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
            await user.send(embed=embed, view=session_view(session, remind=False))
            return
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED:
                raise
        channel = await self._post_channel(reminder, session)
        await channel.send(
            f"<@{reminder.user_id}>, here is the reminder you asked for "
            "(your DMs are closed, so it is here).",
            embed=embed,
            view=session_view(session, remind=False),
            allowed_mentions=only(reminder.user_id),
        )
        log.info("Reminder %d posted in channel %d: DMs closed", reminder.id, channel.id)


__all__ = ["SessionCog", "SessionDirectory"]
