"""Embeds and the Markdown export for the live Q&A (pure functions of plain data).

Anonymity lives here: a question is only ever shown with :attr:`Question.asker`, which is
"anonymous" for anonymous questions (their name is not even stored); ids are never shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import discord

from bot.db.questions import Question
from bot.db.sessions import Session
from bot.replies import truncate
from cogs.sessions._timing import local_text

QUEUE_COLOUR = discord.Colour(0xFFD21E)
DONE_COLOUR = discord.Colour(0x57F287)
GREY = discord.Colour(0x99AAB5)
PANEL_PAGE_SIZE = 8
MESSAGE_MAX = 2000

STATUS_TEXT = {
    "open": "In the queue",
    "answering": "🎤 Being answered now",
    "answered": "✅ Answered",
    "skipped": "Skipped",
    "withdrawn": "Withdrawn",
}


def asker_text(question: Question) -> str:
    """The asker as shown anywhere: their name (markdown-escaped) or "anonymous"."""
    return "anonymous" if question.anonymous else discord.utils.escape_markdown(question.asker)


def status_text(question: Question) -> str:
    if question.status == "merged":
        return f"Merged into #{question.merged_into} (a duplicate)"
    return STATUS_TEXT.get(question.status, question.status)


def votes_text(count: int) -> str:
    return f"{count} vote{'s' if count != 1 else ''}"


def question_embed(question: Question, session: Session) -> discord.Embed:
    """A question's public post (the queue message members upvote)."""
    if question.status == "withdrawn":
        return discord.Embed(
            title=f"Question #{question.id}",
            description="Withdrawn by the member who asked it.",
            colour=GREY,
        )
    colour = QUEUE_COLOUR if question.waiting else (DONE_COLOUR if question.status == "answered" else GREY)
    embed = discord.Embed(title=f"Question #{question.id}", description=question.text, colour=colour)
    embed.add_field(name="Asked by", value=asker_text(question), inline=True)
    embed.add_field(name="Votes", value=str(question.votes), inline=True)
    embed.add_field(name="Status", value=status_text(question), inline=True)
    if question.answer:
        embed.add_field(name="Answer", value=truncate(question.answer, 1024), inline=False)
    embed.set_footer(text=truncate(f"For session #{session.id}: {session.name} · ask yours with /ask", 2048))
    return embed


def presenter_embed(question: Question) -> discord.Embed:
    """Posted when a moderator presses Next: the question for the presenter."""
    embed = discord.Embed(
        title=f"🎤 Now answering question #{question.id}", description=question.text, colour=QUEUE_COLOUR
    )
    embed.set_footer(text=f"Asked by {question.asker} · {votes_text(question.votes)}")
    return embed


def answer_embed(question: Question) -> discord.Embed:
    """Posted when a moderator answers in writing."""
    embed = discord.Embed(
        title=f"✅ Answer to question #{question.id}",
        description=truncate(question.text, 1000),
        colour=DONE_COLOUR,
    )
    embed.add_field(name="Answer", value=truncate(question.answer or "", 1024), inline=False)
    embed.set_footer(text=f"Asked by {question.asker}")
    return embed


def confirmation_text(question: Question, session: Session, now: datetime) -> str:
    """The asker's ephemeral receipt."""
    when = (
        "live now" if session.is_live(now) else f"starting {discord.utils.format_dt(session.starts_at, 'R')}"
    )
    privacy = " It is posted anonymously: your name is not shown anywhere." if question.anonymous else ""
    return (
        f"Your question **#{question.id}** is in the queue for **{truncate(session.name, 120)}** ({when})."
        f"{privacy} Members can upvote it; you can withdraw it with the button below or "
        f"`/questions withdraw`."
    )


def _queue_line(question: Question, focus: bool, now: datetime) -> str:
    marker = "▶ " if focus else ""
    asked = discord.utils.format_dt(question.asked_at, "R")
    return (
        f"{marker}**#{question.id}** · {votes_text(question.votes)} · {asker_text(question)} · {asked}\n"
        f"{truncate(question.text, 180)}"
    )


def panel_embed(
    session: Session,
    shown: Sequence[Question],
    current: Question | None,
    *,
    focus_id: int | None,
    page: int,
    pages: int,
    waiting: int,
    counts: dict[str, int],
    now: datetime,
    notice: str | None = None,
) -> discord.Embed:
    """The moderators' queue: being answered, then open questions by votes and age."""
    lines = [_queue_line(question, question.id == focus_id, now) for question in shown]
    embed = discord.Embed(
        title=truncate(f"Q&A queue · #{session.id} {session.name}", 256),
        description="\n".join(lines) if lines else "No open questions.",
        colour=QUEUE_COLOUR,
    )
    if current is not None:
        marker = "▶ " if current.id == focus_id else ""
        embed.insert_field_at(
            0,
            name="Being answered",
            value=truncate(f"{marker}**#{current.id}** · {asker_text(current)}\n{current.text}", 1024),
            inline=False,
        )
    if notice:
        embed.add_field(name="Done", value=truncate(notice, 1024), inline=False)
    done = ", ".join(f"{counts[key]} {key}" for key in ("answered", "skipped", "merged") if counts.get(key))
    embed.set_footer(
        text=f"Page {page + 1} of {max(pages, 1)} · {waiting} open"
        + (f" · {done}" if done else "")
        + " · ▶ = the question the buttons act on"
    )
    return embed


def merge_embed(duplicate: Question) -> discord.Embed:
    return discord.Embed(
        title=f"Merge question #{duplicate.id}",
        description=(
            f"{truncate(duplicate.text, 500)}\n\nPick the question it duplicates: #{duplicate.id} is "
            "closed and its votes (and its asker's) go to the one you pick."
        ),
        colour=GREY,
    )


def question_option_label(question: Question) -> str:
    return truncate(f"#{question.id} · {votes_text(question.votes)} · {question.text}", 100)


# --- export ----------------------------------------------------------------------------------


def _block(question: Question, merged: Sequence[int]) -> str:
    head = f"### #{question.id} · {votes_text(question.votes)} · asked by {question.asker}"
    body = "\n".join(f"> {line}" if line else ">" for line in question.text.splitlines())
    parts = [head, body]
    if question.answer:
        parts.append(f"**Answer:** {question.answer}")
    if merged:
        parts.append("Also asked as " + ", ".join(f"#{number}" for number in merged) + ".")
    return "\n".join(parts)


def export_blocks(
    session: Session, questions: Sequence[Question], merged: dict[int, list[int]], zone: ZoneInfo
) -> list[str]:
    """The session's Q&A as Markdown blocks: a header, then answered, then not answered."""
    answered = [q for q in questions if q.status == "answered"]
    other = [q for q in questions if q.status in ("open", "answering", "skipped")]
    header = [f"# Q&A — {session.title}", f"{local_text(session.starts_at, zone)} ({zone.key})"]
    if session.topic:
        header.append(f"Topic: {session.topic}")
    header.append(f"{len(answered)} answered · {len(other)} not answered")
    blocks = ["\n".join(header)]
    if answered:
        blocks.append("## Answered")
        blocks.extend(_block(question, merged.get(question.id, [])) for question in answered)
    if other:
        blocks.append("## Not answered")
        blocks.extend(_block(question, merged.get(question.id, [])) for question in other)
    return blocks


def export_markdown(
    session: Session, questions: Sequence[Question], merged: dict[int, list[int]], zone: ZoneInfo
) -> str:
    return "\n\n".join(export_blocks(session, questions, merged, zone)) + "\n"


def chunk_messages(blocks: Sequence[str], limit: int = MESSAGE_MAX) -> list[str]:
    """Blocks packed into messages of at most ``limit`` characters (a long block is cut)."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        piece = truncate(block, limit)
        if current and len(current) + 2 + len(piece) > limit:
            messages.append(current)
            current = ""
        current = f"{current}\n\n{piece}" if current else piece
    if current:
        messages.append(current)
    return messages


def export_summary_embed(session: Session, questions: Sequence[Question], zone: ZoneInfo) -> discord.Embed:
    answered = sum(1 for question in questions if question.status == "answered")
    embed = discord.Embed(
        title=truncate(f"Q&A from {session.title}", 256),
        description=(
            f"{local_text(session.starts_at, zone)} ({zone.key})"
            + (f"\nTopic: {truncate(session.topic, 300)}" if session.topic else "")
            + f"\n{len(questions)} questions, {answered} answered."
        ),
        colour=DONE_COLOUR,
    )
    return embed


__all__ = [
    "PANEL_PAGE_SIZE",
    "answer_embed",
    "asker_text",
    "chunk_messages",
    "confirmation_text",
    "export_blocks",
    "export_markdown",
    "export_summary_embed",
    "merge_embed",
    "panel_embed",
    "presenter_embed",
    "question_embed",
    "question_option_label",
]
