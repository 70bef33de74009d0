"""What /session schedule and /session edit plan to do, checked without Discord or a database."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import utc
from bot.db.sessions import Session, SessionChanges
from bot.errors import UserFacingError
from cogs.sessions._plans import (
    SchedulePlan,
    plan_schedule,
    plan_series_edit,
    plan_session_edit,
    series_targets,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = utc(2031, 3, 17, 9)  # Monday; Paris springs forward on Sunday 30 March
LINK = "https://meet.example.org/hf"


def schedule(**options: object) -> SchedulePlan:
    given: dict[str, object] = {
        "title": "HF  course   study group",
        "weekday": "Thursday",
        "time": "18:00",
        "duration": 90,
        "weeks": 3,
        "link": LINK,
        "topics": "Transformers; Tokenizers",
        "first_week": 2,
        "start": None,
        "zone": PARIS,
        "now": NOW,
    }
    given.update(options)
    return plan_schedule(**given)  # type: ignore[arg-type]


def session(**fields: object) -> Session:
    values: dict[str, object] = {
        "id": 7,
        "guild_id": 1,
        "series_id": 1,
        "number": 1,
        "week": 1,
        "title": "HF course study group",
        "topic": "Transformers",
        "starts_at": utc(2031, 3, 20, 17),  # Thursday 18:00 in Paris
        "ends_at": utc(2031, 3, 20, 18, 30),
        "link": LINK,
        "event_id": None,
        "cancelled_at": None,
        "channel_id": None,
    }
    values.update(fields)
    return Session(**values)  # type: ignore[arg-type]


# --- schedule -------------------------------------------------------------------------------------


def test_a_schedule_plans_one_draft_a_week_in_local_time_with_its_topics() -> None:
    plan = schedule()
    assert plan.name == "HF course study group" and plan.headline == "Scheduled 3 sessions."
    assert [draft.starts_at for draft in plan.drafts] == [
        utc(2031, 3, 20, 17),
        utc(2031, 3, 27, 17),
        utc(2031, 4, 3, 16),  # 18:00 in Paris after the clocks went forward
    ]
    assert all(draft.ends_at - draft.starts_at == timedelta(minutes=90) for draft in plan.drafts)
    assert [(draft.number, draft.week) for draft in plan.drafts] == [(1, 2), (2, 3), (3, 4)]
    assert [draft.topic for draft in plan.drafts] == ["Transformers", "Tokenizers", ""]
    assert plan.detail == (
        "3 × 'HF course study group', Thursdays at 18:00 Europe/Paris for 90 min, from Thu 20 Mar 2031, 18:00"
    )
    assert plan.notes == []
    assert schedule(weeks=1, topics=None).headline == "Scheduled 1 session."


def test_a_schedule_refuses_bad_options_before_anything_is_saved() -> None:
    with pytest.raises(UserFacingError, match="not a time of day"):
        schedule(time="25:00")
    with pytest.raises(UserFacingError, match="http"):
        schedule(link="ftp://example.org")
    with pytest.raises(UserFacingError):
        schedule(start="2031-02-30")


def test_a_time_the_clocks_skip_is_noted() -> None:
    plan = schedule(time="02:30", weekday="Sunday", weeks=3)
    assert len(plan.notes) == 1 and "02:30" in plan.notes[0]


# --- edit -----------------------------------------------------------------------------------------


def test_an_edit_keeps_only_what_differs() -> None:
    current = session()
    edit = plan_session_edit(current, zone=PARIS, now=NOW, title="HF course study group", topic="Attention")
    assert edit.changes == SessionChanges(topic="Attention")
    assert edit.summary == "topic" and not edit.moved
    with pytest.raises(UserFacingError, match="Nothing to change"):
        plan_session_edit(current, zone=PARIS, now=NOW, title="HF course study group", time="18:00")


def test_a_new_time_keeps_the_length_and_a_new_length_keeps_the_time() -> None:
    current = session()
    later = plan_session_edit(current, zone=PARIS, now=NOW, time="19:15")
    assert later.changes.starts_at == utc(2031, 3, 20, 18, 15) and later.changes.ends_at == utc(
        2031, 3, 20, 19, 45
    )
    assert later.summary == "time" and later.moved
    longer = plan_session_edit(current, zone=PARIS, now=NOW, duration=120)
    assert longer.changes.starts_at is None and longer.changes.ends_at == utc(2031, 3, 20, 19)
    assert longer.summary == "length" and longer.moved
    moved = plan_session_edit(current, zone=PARIS, now=NOW, date="2031-04-03", title="Study group")
    assert moved.changes.starts_at == utc(2031, 4, 3, 16) and moved.summary == "title, time"


def test_a_dash_removes_the_topic_and_long_topics_are_refused() -> None:
    assert plan_session_edit(session(), zone=PARIS, now=NOW, topic="-").changes.topic == ""
    with pytest.raises(UserFacingError, match="the limit is"):
        plan_session_edit(session(), zone=PARIS, now=NOW, topic="x" * 201)


def test_an_edit_cannot_move_a_session_into_the_past() -> None:
    with pytest.raises(UserFacingError, match="is already past"):
        plan_session_edit(session(), zone=PARIS, now=NOW, date="2031-03-10")
    # Changing the length of a session whose start is (just) past is fine.
    started = plan_session_edit(session(), zone=PARIS, now=utc(2031, 3, 20, 17, 5), duration=60)
    assert started.changes.ends_at == utc(2031, 3, 20, 18) and started.changes.starts_at is None


# --- a whole series -------------------------------------------------------------------------------


def test_a_series_edit_changes_each_session_that_differs() -> None:
    # Thursdays at 18:00 in Paris: 17:00 UTC, then 16:00 UTC once the clocks go forward.
    starts = [utc(2031, 3, 20, 17), utc(2031, 3, 27, 17), utc(2031, 4, 3, 16)]
    sessions = [
        session(id=7 + n, number=n + 1, starts_at=start, ends_at=start + timedelta(minutes=90))
        for n, start in enumerate(starts)
    ]
    later = series_targets(sessions[1], sessions, "this and later", NOW)
    assert [item.id for item in later] == [8, 9]
    assert [item.id for item in series_targets(sessions[1], sessions, "all", NOW)] == [7, 8, 9]
    assert [item.id for item in series_targets(sessions[1], sessions, "this session", NOW)] == [8]
    over = series_targets(sessions[1], sessions, "all", utc(2031, 3, 21))
    assert [item.id for item in over] == [8, 9]  # the first one is over

    plan = plan_series_edit(sessions, zone=PARIS, now=NOW, time="19:00")
    # 19:00 in Paris on each one's own day: the third is after the clocks go forward.
    assert [edit.changes.starts_at for _, edit in plan.edits] == [
        utc(2031, 3, 20, 18),
        utc(2031, 3, 27, 18),
        utc(2031, 4, 3, 17),
    ]
    assert plan.summary == "time"
    renamed = plan_series_edit(
        [sessions[0], session(id=8, title="Renamed")], zone=PARIS, now=NOW, title="Renamed"
    )
    assert [item.id for item, _ in renamed.edits] == [7]  # the other already has that title


def test_a_series_edit_needs_a_change_and_sessions_left() -> None:
    with pytest.raises(UserFacingError, match="Give at least one thing"):
        plan_series_edit([session()], zone=PARIS, now=NOW)
    with pytest.raises(UserFacingError, match="Nothing left to change"):
        plan_series_edit([], zone=PARIS, now=NOW, link=LINK + "/x")
    with pytest.raises(UserFacingError, match="already has that"):
        plan_series_edit([session()], zone=PARIS, now=NOW, link=LINK)
