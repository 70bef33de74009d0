"""What /homework edit plans to change, checked without Discord or a database."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import utc
from bot.db.homework import DESCRIPTION_MAX, TITLE_MAX, Homework, HomeworkChanges
from bot.errors import UserFacingError
from cogs.homework._plans import check_description, check_title, plan_homework_edit

PARIS = ZoneInfo("Europe/Paris")
NOW = utc(2030, 3, 1, 12)
LEAD = timedelta(days=1)
CURRENT = Homework(
    id=4,
    guild_id=1,
    week=1,
    title="Read chapter 1",
    description="Try the pipelines",
    due_at=utc(2030, 3, 10, 17),
    optional=False,
    channel_reminder=False,
    status="open",
    channel_id=None,
    message_id=None,
    created_by=9,
)


def test_only_the_given_options_change_and_reminders_follow_the_due_date() -> None:
    edit = plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=NOW, title="  Read   chapter 2 ")
    assert edit.changes == HomeworkChanges(title="Read chapter 2")
    assert edit.member_remind_at == edit.channel_remind_at == utc(2030, 3, 9, 17)
    moved = plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=NOW, due="2030-03-20 18:00")
    assert moved.changes.due_at == utc(2030, 3, 20, 17)  # 18:00 in Paris (winter time)
    assert moved.member_remind_at == utc(2030, 3, 19, 17)


def test_a_due_date_not_written_exactly_is_planned_with_what_to_check() -> None:
    exact = plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=NOW, due="2030-03-20 6pm")
    assert exact.check is None and exact.changes.due_at == utc(2030, 3, 20, 17)
    weekday = plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=NOW, due="next friday 18:00")
    assert weekday.changes.due_at == utc(2030, 3, 8, 17)  # NOW is Friday 1 March: the coming one
    assert weekday.check is not None and "'next friday 18:00'" in weekday.check
    day = plan_homework_edit(
        CURRENT, zone=PARIS, lead=LEAD, now=NOW, due="2030-03-20", default_due_time=time(18, 0)
    )
    assert day.changes.due_at == utc(2030, 3, 20, 17)
    assert day.check == "no time was given, so it is due at the group's due time, 18:00"
    assert plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=NOW, title="x").check is None


def test_a_dash_clears_the_description_and_flags_are_kept_as_given() -> None:
    edit = plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=NOW, description=" - ", optional=False)
    assert edit.changes == HomeworkChanges(description="", optional=False)


def test_a_past_due_date_has_no_channel_reminder_and_a_near_one_is_reminded_halfway() -> None:
    past = plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=utc(2030, 3, 11), week=2)
    assert past.channel_remind_at is None and past.changes.week == 2
    near = plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=utc(2030, 3, 10, 15), week=2)
    assert near.member_remind_at == utc(2030, 3, 10, 16) == near.channel_remind_at


def test_an_edit_needs_a_change_and_valid_options() -> None:
    with pytest.raises(UserFacingError, match="Give at least one thing to change"):
        plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=NOW)
    with pytest.raises(UserFacingError, match="I can't read 'whenever' as a due date"):
        plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=NOW, due="whenever")
    with pytest.raises(UserFacingError, match="The title is empty"):
        plan_homework_edit(CURRENT, zone=PARIS, lead=LEAD, now=NOW, title="   ")


def test_titles_and_descriptions_are_bounded() -> None:
    assert check_title(" a\n b ") == "a b"
    with pytest.raises(UserFacingError, match=f"the limit is {TITLE_MAX}"):
        check_title("x" * (TITLE_MAX + 1))
    assert check_description(None) == ""
    with pytest.raises(UserFacingError, match=f"the limit is {DESCRIPTION_MAX}"):
        check_description("x" * (DESCRIPTION_MAX + 1))
