"""The interaction every handler receives, typed: ``interaction.client`` is the :class:`StudyBot`.

discord.py types ``Interaction`` by its client; with this alias ``interaction.client.backend``,
``.db`` and ``.settings`` are known to the type checker.
"""

from __future__ import annotations

import discord

from bot.app import StudyBot

Interaction = discord.Interaction[StudyBot]

__all__ = ["Interaction"]
