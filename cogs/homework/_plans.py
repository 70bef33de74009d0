"""What ``/homework post`` and ``/homework edit`` will save, decided without Discord or the database.

Pure functions of the options, the homework as it stands, the server's time zone, the reminder
lead and the time: they check every option (raising :class:`~bot.errors.UserFacingError` with the
sentence to show) and return a plan that the handler saves, announces and confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.homework import DESCRIPTION_MAX, TITLE_MAX, Homework, HomeworkChanges
from bot.errors import UserFacingError
from bot.validation import one_line
from bot.when import END_OF_DAY
from cogs.homework._due import read_due, remind_time

CLEAR = "-"  # a description edit that empties it


def check_title(title: str) -> str:
    """The title with its white space folded; refused when empty or too long."""
    return one_line(title, TITLE_MAX)


def check_description(description: str | None) -> str:
    """The description, stripped; refused when too long."""
    text = (description or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise UserFacingError(
            f"The description is {len(text)} characters long; the limit is {DESCRIPTION_MAX}."
        )
    return text


@dataclass(frozen=True)
class HomeworkEdit:
    """The changes, and when the reminders for the (new) due date go out: members', and the
    channel's unless that date is past. ``check`` says what the moderator should confirm about a
    new due date that was not written exactly (None: save at once)."""

    changes: HomeworkChanges
    member_remind_at: datetime
    channel_remind_at: datetime | None
    check: str | None = None


def plan_homework_edit(
    current: Homework,
    *,
    zone: ZoneInfo,
    lead: timedelta,
    now: datetime,
    week: int | None = None,
    title: str | None = None,
    due: str | None = None,
    description: str | None = None,
    optional: bool | None = None,
    channel_reminder: bool | None = None,
    default_due_time: time = END_OF_DAY,
) -> HomeworkEdit:
    """The changes the options make to ``current``; at least one option must be given."""
    if all(value is None for value in (week, title, due, description, optional, channel_reminder)):
        raise UserFacingError("Give at least one thing to change: week, title, due, description, optional…")
    read = read_due(due, zone, now, default=default_due_time) if due is not None else None
    new_due = read.at if read is not None else None
    due_at = new_due or current.due_at
    new_description = None
    if description is not None:
        new_description = "" if description.strip() == CLEAR else check_description(description)
    changes = HomeworkChanges(
        week=week,
        title=check_title(title) if title is not None else None,
        description=new_description,
        due_at=new_due,
        optional=optional,
        channel_reminder=channel_reminder,
    )
    remind_at = remind_time(due_at, lead, now)
    check = read.check if read is not None else None
    return HomeworkEdit(changes, remind_at, remind_at if due_at > now else None, check)


__all__ = ["HomeworkEdit", "check_description", "check_title", "plan_homework_edit"]
