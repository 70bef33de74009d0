"""``/session``, ``/ask`` and ``/questions``: weekly sessions and their live Q&A (see the private modules)."""

from __future__ import annotations

from bot.app import StudyBot


async def setup(client: StudyBot) -> None:
    from cogs.sessions._ask_cog import AskCog
    from cogs.sessions._directory import SessionDirectory
    from cogs.sessions._event_sync import SessionEventSync
    from cogs.sessions._message_sync import QuestionMessageSync
    from cogs.sessions._questions_cog import QuestionsCog
    from cogs.sessions._session_cog import SessionCog
    from cogs.sessions._unfinished_questions import PendingQuestionPosts

    directory = SessionDirectory(client)
    questions = QuestionsCog(client, directory)
    await client.add_cog(SessionCog(client, directory))
    await client.add_cog(questions)
    await client.add_cog(AskCog(questions))
    await client.add_cog(PendingQuestionPosts(questions))
    await client.add_cog(SessionEventSync(directory))
    await client.add_cog(QuestionMessageSync(client))
