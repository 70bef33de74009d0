"""``/questions`` (and the work behind ``/ask``): the live Q&A queue of a session.

Members ask (optionally anonymously, see ``_ask_cog.py``); each question is posted in the
questions channel with **Upvote** and **Withdraw** buttons, as a plain channel message (never an
interaction response, which would show who used ``/ask``). Moderators run the queue from an
ephemeral panel and export the session's Q&A afterwards.
"""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import Sequence
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.acknowledge import acknowledge_in_place, acknowledge_update, update_message
from bot.checks import moderator_only
from bot.components import NUMBER, Action, marker, selected_number
from bot.db.questions import Question, QuestionStore
from bot.db.sessions import Session
from bot.errors import UserFacingError
from bot.guild_feature import guild_id_of
from bot.interactions import Interaction
from bot.replies import NO_MENTIONS, follow_up, reply, truncate
from cogs.sessions._directory import SessionFeature
from cogs.sessions._export import plan_export
from cogs.sessions._questions_embeds import (
    PANEL_PAGE_SIZE,
    answer_embed,
    confirmation_text,
    export_summary_embed,
    merge_embed,
    panel_embed,
    presenter_embed,
    question_embed,
    votes_text,
)
from cogs.sessions._questions_views import (
    QUESTIONS,
    AnswerModal,
    merge_view,
    panel_view,
    question_view,
    undo_vote_view,
    withdraw_view,
)
from cogs.sessions._refs import AnySession

log = logging.getLogger(__name__)


@app_commands.guild_only()
class QuestionsCog(SessionFeature[QuestionStore], commands.GroupCog, group_name="questions"):
    """The live Q&A: moderators run the queue and export it; members withdraw their questions."""

    feature = QUESTIONS
    store_type = QuestionStore

    def actions(self) -> Sequence[Action]:
        return (
            Action("upvote", self.upvote, NUMBER),
            Action("unvote", self.undo_upvote, NUMBER),
            Action("withdraw", self.withdraw, NUMBER),
            Action("next", self.panel_next, NUMBER, moderators=True),
            Action("answered", self.panel_answered, NUMBER, moderators=True),
            Action("skip", self.panel_skip, NUMBER, moderators=True),
            Action("merge", self.panel_merge, NUMBER, moderators=True),
            Action("page", self.panel_page, NUMBER, NUMBER, marker("[rpnb]"), moderators=True),
            Action("focus", self.panel_focus, NUMBER, NUMBER, moderators=True),
            Action("mergeinto", self.merge_into, NUMBER, moderators=True),
        )

    # --- shared steps ----------------------------------------------------------------------

    async def _qa_channel(
        self, guild_id: int, fallback: int | None
    ) -> tuple[int, discord.PartialMessageable]:
        """The questions channel (``/config channel``), else the channel the member is in."""
        channel_id = (await self.directory.config(guild_id)).channel("questions") or fallback
        if channel_id is None:
            raise UserFacingError("Set a questions channel with /config channel first.")
        return channel_id, self.directory.channel(channel_id, guild_id)

    async def _session_of(self, question: Question) -> Session:
        return await self.directory.require(question.guild_id, question.session_id)

    async def _refresh_public(self, question: Question, session: Session | None = None) -> None:
        """Bring a question's public post up to date (its votes, status, buttons)."""
        if question.channel_id is None or question.message_id is None:
            return
        session = session or await self._session_of(question)
        message = self.directory.channel(question.channel_id, question.guild_id).get_partial_message(
            question.message_id
        )
        try:
            await message.edit(embed=question_embed(question, session), view=question_view(question))
        except discord.HTTPException as error:
            log.warning("Could not update the post of question %d: %s", question.id, error)

    async def _panel(
        self,
        guild_id: int,
        session_id: int,
        page: int = 0,
        focus_id: int | None = None,
        notice: str | None = None,
    ) -> tuple[discord.Embed, discord.ui.View]:
        """The moderators' queue panel for a session."""
        session = await self.directory.require(guild_id, session_id)
        queue = await self.store.queue(guild_id, session_id)
        current = await self.store.answering(guild_id, session_id)
        counts = await self.store.counts(guild_id, session_id)
        pages = max(1, -(-len(queue) // PANEL_PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        shown = queue[page * PANEL_PAGE_SIZE : (page + 1) * PANEL_PAGE_SIZE]
        waiting = ([current] if current else []) + queue
        focus = next((question for question in waiting if question.id == focus_id), None)
        if focus is None:
            focus = current or (queue[0] if queue else None)
        choices = ([current] if current else []) + shown
        embed = panel_embed(
            session,
            shown,
            current,
            focus_id=focus.id if focus else None,
            page=page,
            pages=pages,
            waiting=len(queue),
            counts=counts,
            now=self.bot.clock.now(),
            notice=notice,
        )
        view = panel_view(
            session_id, page=page, pages=pages, focus=focus, choices=choices, queue_empty=not queue
        )
        return embed, view

    async def _require_waiting(self, guild_id: int, question_id: int) -> Question:
        if question_id == 0:
            raise UserFacingError("No question is selected: the queue is empty.")
        question = await self.store.get(guild_id, question_id)
        if question is None:
            raise UserFacingError(f"There is no question #{question_id} on this server.")
        if not question.waiting:
            raise UserFacingError(f"Question #{question_id} is already {question.status}: press Refresh.")
        return question

    # --- members -----------------------------------------------------------------------------

    async def ask(self, interaction: Interaction, text: str, anonymous: bool) -> None:
        """Queue a question for the live (or next) session and post it for upvotes.

        Acknowledged first (a "thinking…" placeholder only the asker sees), then checked, stored and
        confirmed in that placeholder: every refusal, and a database that refuses the write, is said
        there. A question whose confirmation cannot be delivered is withdrawn again, so none is
        queued that its asker was never told about.
        """
        guild_id = guild_id_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        now = self.bot.clock.now()
        session = await self.directory.store.current_or_next(guild_id, now)
        if session is None:
            last = await self.directory.store.last_started(guild_id, now)
            if last is not None:
                raise UserFacingError(
                    f"The last session, **{truncate(last.name, 100)}**, ended "
                    f"{discord.utils.format_dt(last.ends_at, 'R')} and no next one is scheduled yet: "
                    "questions open again once a moderator schedules one."
                )
            raise UserFacingError(
                "There is no session to ask for yet: questions open once a moderator schedules one."
            )
        channel_id, channel = await self._qa_channel(guild_id, interaction.channel_id)
        question = await self.store.ask(
            guild_id,
            session.id,
            interaction.user.id,
            text,
            asker_name=None if anonymous else interaction.user.display_name,
            anonymous=anonymous,
            now=now,
            channel_id=channel_id,
        )
        try:
            await reply(
                interaction,
                confirmation_text(question, session, now),
                view=withdraw_view(question.id),
                ephemeral=True,
            )
        except discord.HTTPException:
            await self.store.withdraw(guild_id, question.id, interaction.user.id, now=now)
            raise
        try:
            message = await channel.send(
                embed=question_embed(question, session),
                view=question_view(question) or discord.utils.MISSING,  # a new question is open: it has one
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException as error:
            log.warning("Could not post question %d in channel %d: %s", question.id, channel_id, error)
            await follow_up(
                interaction,
                f"Your question is queued, but I couldn't post it in <#{channel_id}> for others to upvote "
                f"({error.text or error.status}); tell a moderator.",
            )
            return
        try:
            await self.store.attach_message(guild_id, question.id, channel_id, message.id)
        except sqlite3.Error as error:  # the question is queued and posted; its post is just not linked
            log.warning("Could not link question %d to its post %d: %s", question.id, message.id, error)

    async def upvote(self, interaction: Interaction, question_id: int) -> None:
        """The Upvote button: one vote per member (a second press changes nothing; Undo takes it back)."""
        await self._vote(interaction, question_id, on=True)

    async def undo_upvote(self, interaction: Interaction, question_id: int) -> None:
        """Undo under the upvote confirmation: the vote is taken back."""
        await self._vote(interaction, question_id, on=False)

    async def _vote(self, interaction: Interaction, question_id: int, *, on: bool) -> None:
        guild_id = guild_id_of(interaction)
        await acknowledge_in_place(interaction)  # before the write (issue 13)
        question, changed = await self.store.set_vote(
            guild_id, question_id, interaction.user.id, on, now=self.bot.clock.now()
        )
        session = await self._session_of(question)
        votes = votes_text(question.votes)
        if on:
            text = (
                f"👍 You upvoted question #{question.id} ({votes})."
                if changed
                else f"👍 You had already upvoted question #{question.id} ({votes})."
            )
            undo: discord.ui.View | None = undo_vote_view(question.id)
        else:
            text = (
                f"Your upvote on question #{question.id} is taken back ({votes})."
                if changed
                else f"You had not upvoted question #{question.id} ({votes})."
            )
            undo = None
        if not on and interaction.message is not None:  # Undo: its confirmation says it
            await update_message(interaction, content=text, view=None)
            await self._refresh_public(question, session)
        elif interaction.message is not None and interaction.message.id == question.message_id:
            await update_message(
                interaction, embed=question_embed(question, session), view=question_view(question)
            )
            await follow_up(interaction, text, view=undo)
        else:
            await reply(interaction, text, view=undo, ephemeral=True)
            await self._refresh_public(question, session)

    async def withdraw(self, interaction: Interaction, question_id: int) -> None:
        """The asker takes a question back (button on the post or the receipt, or the command)."""
        guild_id = guild_id_of(interaction)
        await acknowledge_in_place(interaction)  # before the write (issue 13)
        question = await self.store.withdraw(
            guild_id, question_id, interaction.user.id, now=self.bot.clock.now()
        )
        session = await self._session_of(question)
        text = f"Question #{question.id} is withdrawn."
        if interaction.message is not None and interaction.message.id == question.message_id:
            await update_message(interaction, embed=question_embed(question, session), view=None)
            await follow_up(interaction, text)
            return
        if interaction.message is not None:  # the asker's ephemeral receipt
            await update_message(interaction, content=text, view=None)
        else:
            await reply(interaction, text, ephemeral=True)
        await self._refresh_public(question, session)

    @app_commands.command(name="withdraw")
    @app_commands.describe(question="Your question to withdraw")
    async def withdraw_command(self, interaction: Interaction, question: int) -> None:
        """Withdraw one of your own questions from the queue."""
        await self.withdraw(interaction, question)

    @withdraw_command.autocomplete("question")
    async def _own_questions(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        wanted = current.strip().lstrip("#").casefold()
        found = await self.store.waiting_by_member(interaction.guild_id, interaction.user.id)
        return [
            app_commands.Choice(name=truncate(f"#{item.id} · {item.text}", 100), value=item.id)
            for item in found
            if wanted in f"#{item.id} {item.text}".casefold()
        ][:25]

    # --- moderators --------------------------------------------------------------------------

    async def _default_session(self, guild_id: int) -> Session:
        now = self.bot.clock.now()
        session = await self.directory.store.current_or_next(guild_id, now)
        session = session or await self.directory.store.last_started(guild_id, now)
        if session is None:
            raise UserFacingError("No session is scheduled, so there is no Q&A queue yet.")
        return session

    @app_commands.command(name="list")
    @app_commands.describe(session="The session (default: the live or next one)")
    @moderator_only()
    async def list_questions(self, interaction: Interaction, session: AnySession | None = None) -> None:
        """The Q&A queue by votes then age, with Next, Answered, Skip and Merge (moderators)."""
        guild_id = guild_id_of(interaction)
        target = session or await self._default_session(guild_id)
        embed, view = await self._panel(guild_id, target.id)
        await reply(interaction, embed=embed, view=view, ephemeral=True)

    async def panel_page(
        self, interaction: Interaction, session_id: int, page: int, *, focus_id: int | None = None
    ) -> None:
        guild_id = guild_id_of(interaction)
        embed, view = await self._panel(guild_id, session_id, page, focus_id)
        await interaction.response.edit_message(embed=embed, view=view)

    async def panel_focus(self, interaction: Interaction, session_id: int, page: int) -> None:
        """The panel's select: the chosen question is the one the buttons act on."""
        await self.panel_page(interaction, session_id, page, focus_id=selected_number(interaction))

    async def panel_next(self, interaction: Interaction, session_id: int) -> None:
        """Next: the top question is being answered and posted for the presenter."""
        await acknowledge_update(interaction)  # before the write (issue 13)
        guild_id = guild_id_of(interaction)
        question = await self.store.take_next(guild_id, session_id, user_id=interaction.user.id)
        channel_id, channel = await self._qa_channel(guild_id, interaction.channel_id)
        notice = f"Now answering #{question.id}; it is posted in <#{channel_id}> for the presenter."
        try:
            await channel.send(embed=presenter_embed(question), allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:
            notice = (
                f"Now answering #{question.id}, but I couldn't post it in <#{channel_id}> "
                f"({error.text or error.status})."
            )
        await self._refresh_public(question)
        embed, view = await self._panel(guild_id, session_id, notice=notice)
        await update_message(interaction, embed=embed, view=view)

    async def panel_answered(self, interaction: Interaction, question_id: int) -> None:
        """Answered: a form for an optional written answer."""
        guild_id = guild_id_of(interaction)
        await self._require_waiting(guild_id, question_id)
        await interaction.response.send_modal(AnswerModal(question_id, self.finish_answer))

    async def finish_answer(self, interaction: Interaction, question_id: int, answer: str) -> None:
        """The Answered form was sent: mark it answered, post a written answer, refresh the panel."""
        await acknowledge_update(interaction)  # before the write (issue 13)
        guild_id = guild_id_of(interaction)
        question = await self.store.close(
            guild_id,
            question_id,
            "answered",
            user_id=interaction.user.id,
            now=self.bot.clock.now(),
            answer=answer,
        )
        notice = f"Marked #{question.id} answered."
        if question.answer:
            channel_id, channel = await self._qa_channel(guild_id, interaction.channel_id)
            try:
                await channel.send(embed=answer_embed(question), allowed_mentions=NO_MENTIONS)
                notice += f" The written answer is posted in <#{channel_id}>."
            except discord.HTTPException as error:
                notice += f" I couldn't post the answer in <#{channel_id}> ({error.text or error.status})."
        await self._refresh_public(question)
        embed, view = await self._panel(guild_id, question.session_id, notice=notice)
        await update_message(interaction, embed=embed, view=view)

    async def panel_skip(self, interaction: Interaction, question_id: int) -> None:
        """Skip: out of the queue, unanswered."""
        await acknowledge_update(interaction)  # before the write (issue 13)
        guild_id = guild_id_of(interaction)
        await self._require_waiting(guild_id, question_id)
        question = await self.store.close(
            guild_id,
            question_id,
            "skipped",
            user_id=interaction.user.id,
            now=self.bot.clock.now(),
        )
        await self._refresh_public(question)
        embed, view = await self._panel(guild_id, question.session_id, notice=f"Skipped #{question.id}.")
        await update_message(interaction, embed=embed, view=view)

    async def panel_merge(self, interaction: Interaction, question_id: int) -> None:
        """Merge duplicate: ask which waiting question this one duplicates."""
        guild_id = guild_id_of(interaction)
        duplicate = await self._require_waiting(guild_id, question_id)
        current = await self.store.answering(guild_id, duplicate.session_id)
        queue = await self.store.queue(guild_id, duplicate.session_id)
        targets = [item for item in ([current] if current else []) + queue if item.id != duplicate.id]
        if not targets:
            raise UserFacingError(f"There is no other waiting question to merge #{duplicate.id} into.")
        await interaction.response.edit_message(
            embed=merge_embed(duplicate), view=merge_view(duplicate.session_id, duplicate.id, targets)
        )

    async def merge_into(self, interaction: Interaction, duplicate_id: int) -> None:
        """The merge select: ``duplicate_id`` goes into the chosen question, votes and all."""
        await acknowledge_update(interaction)  # before the write (issue 13)
        guild_id = guild_id_of(interaction)
        duplicate, target = await self.store.merge(
            guild_id,
            duplicate_id,
            selected_number(interaction),
            user_id=interaction.user.id,
            now=self.bot.clock.now(),
        )
        session = await self._session_of(target)
        await self._refresh_public(duplicate, session)
        await self._refresh_public(target, session)
        notice = f"Merged #{duplicate.id} into #{target.id}, which now has {target.votes} votes."
        embed, view = await self._panel(guild_id, target.session_id, notice=notice)
        await update_message(interaction, embed=embed, view=view)

    @app_commands.command(name="export")
    @app_commands.describe(
        session="The session (default: the one that started last)",
        format="A thread of messages, or a Markdown file (default: thread)",
    )
    @moderator_only()
    async def export(
        self,
        interaction: Interaction,
        session: AnySession | None = None,
        format: Literal["thread", "file"] = "thread",
    ) -> None:
        """Post a session's questions and answers as a thread or a Markdown file (moderators)."""
        guild_id = guild_id_of(interaction)
        target = session or await self.directory.store.last_started(guild_id, self.bot.clock.now())
        if target is None:
            raise UserFacingError("No session has started yet; pick one with the session option.")
        questions = await self.store.for_session(guild_id, target.id)
        zone = (await self.config(guild_id)).zone
        can_thread = interaction.app_permissions.create_public_threads
        plan = plan_export(target, questions, zone, format, can_create_threads=can_thread)
        channel_id, channel = await self._qa_channel(guild_id, interaction.channel_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        summary = export_summary_embed(target, plan.shown, zone)
        try:
            if plan.format == "thread":
                starter = await channel.send(embed=summary, allowed_mentions=NO_MENTIONS)
                thread = await starter.create_thread(name=plan.title)
                for message in plan.messages:
                    await thread.send(message, allowed_mentions=NO_MENTIONS)
                where = f"the thread <#{thread.id}> in <#{channel_id}>"
            else:
                upload = discord.File(io.BytesIO(plan.data), filename=plan.title)
                await channel.send(embed=summary, file=upload, allowed_mentions=NO_MENTIONS)
                where = f"<#{channel_id}> as a Markdown file{plan.note}"
        except discord.HTTPException as error:
            raise UserFacingError(
                f"I couldn't post the Q&A in <#{channel_id}> ({error.text or error.status}); check my "
                "permissions there."
            ) from None
        await self.store.record_export(guild_id, target.id, user_id=interaction.user.id, detail=plan.detail)
        await reply(
            interaction,
            f"Posted the Q&A of session #{target.id} ({len(plan.shown)} questions) in {where}.",
            ephemeral=True,
        )


__all__ = ["QuestionsCog"]
