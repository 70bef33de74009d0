"""Discord's rules for what a bot sends, checked by the double on every request, by area.

Each checker returns a list of :class:`Problem` (an empty list: the request is valid). Each module's
docstring quotes the rules it checks, from Discord's API reference (discord/discord-api-docs) and
its OpenAPI description (discord/discord-api-spec); the checks are the double's own code.

- :mod:`.messages`: content, emptiness, embeds (per part and the 6000 total), allowed mentions,
  flags per endpoint, attachments;
- :mod:`.components`: action rows, buttons and select menus;
- :mod:`.interactions`: callback types per interaction, the 3-second and 15-minute windows,
  autocomplete results and modals;
- :mod:`.threads`, :mod:`.events` (guild scheduled events), :mod:`.commands` (command sync).
"""

from bot.local.rules._problems import Problem, error_body, errors_tree
from bot.local.rules.commands import check_commands
from bot.local.rules.components import check_components
from bot.local.rules.events import check_event
from bot.local.rules.interactions import (
    INITIAL_RESPONSE_DEADLINE_S,
    TOKEN_LIFETIME,
    check_autocomplete,
    check_callback_type,
    check_modal,
)
from bot.local.rules.messages import check_embed, check_message, embed_chars
from bot.local.rules.threads import check_thread

__all__ = [
    "INITIAL_RESPONSE_DEADLINE_S",
    "TOKEN_LIFETIME",
    "Problem",
    "check_autocomplete",
    "check_callback_type",
    "check_commands",
    "check_components",
    "check_embed",
    "check_event",
    "check_message",
    "check_modal",
    "check_thread",
    "embed_chars",
    "error_body",
    "errors_tree",
]
