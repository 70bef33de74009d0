"""``/homework`` and ``/papers``: homework with reminders, and reading lists (see the private modules)."""

from __future__ import annotations

from bot.app import StudyBot


async def setup(client: StudyBot) -> None:
    from cogs.homework._announcements import PendingAnnouncements
    from cogs.homework._homework_cog import HomeworkCog
    from cogs.homework._message_sync import HomeworkMessageSync
    from cogs.homework._papers_cog import PapersCog

    homework = HomeworkCog(client)
    await client.add_cog(homework)
    await client.add_cog(HomeworkMessageSync(homework))
    await client.add_cog(PendingAnnouncements(homework))
    await client.add_cog(PapersCog(client))
