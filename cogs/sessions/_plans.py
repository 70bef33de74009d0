"""What ``/session schedule`` and ``/session edit`` will do, decided without Discord or the database.

Pure functions of the options, the session as it stands, the server's time zone and the time:
they check every option (raising :class:`~bot.errors.UserFacingError` with the sentence to show)
and return a plan; the handler saves it, brings the Discord events along and replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

import discord

from bot.db.sessions import TITLE_MAX, TOPIC_MAX, Session, SessionChanges, SessionDraft
from bot.errors import UserFacingError
from bot.validation import one_line
from cogs.sessions._timing import (
    check_link,
    local_moment,
    local_text,
    parse_clock,
    parse_day,
    split_topics,
    weekly_starts,
)

T = TypeVar("T")

NO_EVENTS = (
    "I don't have the **Manage Events** permission here, so no Discord events were created. The "
    "sessions, reminders and /session next work without them; grant the permission to get events "
    "for the next series."
)


def sessions_text(count: int) -> str:
    return f"{count} session{'s' if count != 1 else ''}"


#: Which sessions of a series an edit changes.
Scope = Literal["this session", "this and later", "all"]


@dataclass(frozen=True)
class SchedulePlan:
    """A new weekly series: its sessions, the audit line, and notes for the moderator. ``check``
    says what to confirm about a start day not written ``YYYY-MM-DD`` (None: save at once)."""

    name: str
    drafts: list[SessionDraft]
    detail: str
    notes: list[str]
    check: str | None = None

    @property
    def headline(self) -> str:
        return f"Scheduled {sessions_text(len(self.drafts))}."


def plan_schedule(
    *,
    title: str,
    weekday: str,
    time: str,
    duration: int,
    weeks: int,
    link: str,
    topics: str | None,
    first_week: int,
    start: str | None,
    zone: ZoneInfo,
    now: datetime,
) -> SchedulePlan:
    """``weeks`` sessions on ``weekday`` at ``time`` (local), numbered from ``first_week``."""
    name = one_line(title, TITLE_MAX)
    clock = parse_clock(time)
    url = check_link(link)
    topic_list = split_topics(topics, weeks)
    first_day = parse_day(start, zone, now) if start else None
    occurrences = weekly_starts(zone, weekday, clock, weeks, now, first_day.day if first_day else None)
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
    notes = [occurrence.note for occurrence in occurrences if occurrence.note]
    return SchedulePlan(name, drafts, detail, notes, first_day.check if first_day else None)


@dataclass(frozen=True)
class SessionEdit:
    """What changes in one session (only what differs from it), and notes for the moderator.
    ``check`` says what to confirm about a new day not written ``YYYY-MM-DD``."""

    changes: SessionChanges
    notes: tuple[str, ...] = ()
    check: str | None = None

    @property
    def moved(self) -> bool:
        """Its time or length changes (its event's times follow)."""
        return self.changes.starts_at is not None or self.changes.ends_at is not None

    @property
    def summary(self) -> str:
        """What changed, for the reply: ``title, time``."""
        names = {"starts_at": "time", "ends_at": "length"}
        given = self.changes.given()
        return ", ".join(
            names.get(name, name) for name in given if not (name == "ends_at" and "starts_at" in given)
        )


def plan_session_edit(
    current: Session,
    *,
    zone: ZoneInfo,
    now: datetime,
    title: str | None = None,
    date: str | None = None,
    time: str | None = None,
    duration: int | None = None,
    topic: str | None = None,
    link: str | None = None,
) -> SessionEdit:
    """The changes the options make to ``current``; only what differs from it counts."""
    new_title = one_line(title, TITLE_MAX) if title is not None else None
    new_topic = None
    if topic is not None:
        text = " ".join(topic.split())
        if len(text) > TOPIC_MAX:
            raise UserFacingError(f"The topic is {len(text)} characters long; the limit is {TOPIC_MAX}.")
        new_topic = "" if text == "-" else text
    new_link = check_link(link) if link is not None else None
    starts_at = ends_at = None
    notes: tuple[str, ...] = ()
    new_day = parse_day(date, zone, now) if date is not None else None
    if new_day is not None and new_day.clock is not None and time is not None:
        raise UserFacingError("Give the new time once: in `date` (friday 18:00) or in `time`, not both.")
    if date is not None or time is not None or duration is not None:
        local = current.starts_at.astimezone(zone)
        day = new_day.day if new_day is not None else local.date()
        if time is not None:
            clock = parse_clock(time)
        elif new_day is not None and new_day.clock is not None:
            clock = new_day.clock
        else:
            clock = local.time().replace(second=0, microsecond=0)
        occurrence = local_moment(day, clock, zone)
        notes = (occurrence.note,) if occurrence.note else ()
        starts_at = occurrence.starts_at
        if starts_at != current.starts_at and starts_at <= now:
            raise UserFacingError(
                f"{day:%Y-%m-%d} {clock:%H:%M} ({zone.key}) is already past "
                f"({discord.utils.format_dt(starts_at, 'R')}); pick a time in the future."
            )
        ends_at = starts_at + timedelta(minutes=duration or current.minutes)
    changes = SessionChanges(
        title=_changed(new_title, current.title),
        topic=_changed(new_topic, current.topic),
        starts_at=_changed(starts_at, current.starts_at),
        ends_at=_changed(ends_at, current.ends_at),
        link=_changed(new_link, current.link),
    )
    edit = SessionEdit(changes, notes, new_day.check if new_day is not None else None)
    if not edit.summary:
        raise UserFacingError(
            "Nothing to change: give a new title, date, time, duration, topic or link that differs "
            "from the current one."
        )
    return edit


@dataclass(frozen=True)
class SeriesEdit:
    """The same edit applied to several sessions of a series: each one's changes, in order."""

    edits: list[tuple[Session, SessionEdit]]

    @property
    def summary(self) -> str:
        """What changed, for the reply: ``link, time`` (over every session)."""
        seen: dict[str, None] = {}
        for _, edit in self.edits:
            for part in edit.summary.split(", "):
                seen.setdefault(part, None)
        return ", ".join(seen)

    @property
    def notes(self) -> list[str]:
        return [note for _, edit in self.edits for note in edit.notes]


def series_targets(chosen: Session, series: Sequence[Session], scope: Scope, now: datetime) -> list[Session]:
    """The sessions ``scope`` names, starting from ``chosen``: only those not cancelled and not over."""
    if scope == "this session":
        found = [chosen]
    elif scope == "this and later":
        found = [item for item in series if item.number >= chosen.number]
    else:
        found = list(series)
    return [item for item in found if not item.cancelled and not item.has_ended(now)]


def plan_series_edit(
    targets: Sequence[Session],
    *,
    zone: ZoneInfo,
    now: datetime,
    title: str | None = None,
    time: str | None = None,
    duration: int | None = None,
    link: str | None = None,
) -> SeriesEdit:
    """One edit for many sessions (``this and later``, ``all``): a new title, call link, length or
    local start time for each. A date or a topic belongs to one session, so it is not offered."""
    if all(value is None for value in (title, time, duration, link)):
        raise UserFacingError("Give at least one thing to change: a title, time, duration or link.")
    if not targets:
        raise UserFacingError("Nothing left to change: those sessions were cancelled or have taken place.")
    edits = []
    for session in targets:
        try:
            edit = plan_session_edit(
                session, zone=zone, now=now, title=title, time=time, duration=duration, link=link
            )
        except UserFacingError as error:
            if error.message.startswith("Nothing to change"):
                continue  # this one already has it
            raise UserFacingError(f"Session #{session.id}: {error.message}") from None
        edits.append((session, edit))
    if not edits:
        raise UserFacingError("Nothing to change: every one of those sessions already has that.")
    return SeriesEdit(edits)


def _changed(new: T | None, old: T) -> T | None:
    return new if new is not None and new != old else None


__all__ = [
    "NO_EVENTS",
    "SchedulePlan",
    "Scope",
    "SeriesEdit",
    "SessionEdit",
    "plan_schedule",
    "plan_series_edit",
    "plan_session_edit",
    "series_targets",
    "sessions_text",
]
