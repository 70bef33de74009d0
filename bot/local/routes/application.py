"""Application, user and guild routes: login, gateway info, members, roles, command sync."""

from __future__ import annotations

from aiohttp import web

from bot.local import rules
from bot.local.core import Call, DiscordError, DoubleCore, json_response


class ApplicationRoutes(DoubleCore):
    """``/users``, ``/applications``, ``/gateway`` and the guild's read routes."""

    @property
    def gateway_url(self) -> str:
        """Where the gateway listens (the server's)."""
        raise NotImplementedError

    async def _get_me(self, call: Call) -> web.Response:
        token = self.accepted_token
        if token is not None and call.request.headers.get("Authorization") != f"Bot {token}":
            raise DiscordError(401, 0, "401: Unauthorized")
        return json_response(self.world.bot_user.me_json())

    async def _get_application(self, call: Call) -> web.Response:
        return json_response(self.world.application_json())

    async def _get_gateway(self, call: Call) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_user(self, call: Call) -> web.Response:
        user = self.world.users.get(call.int_param("user"))
        if user is None:
            raise DiscordError(404, 10013, "Unknown User")
        return json_response(user.user_json())

    async def _get_member(self, call: Call) -> web.Response:
        self._check_guild(call)
        user = self.world.users.get(call.int_param("user"))
        if user is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return json_response(user.member_json())

    async def _get_guild(self, call: Call) -> web.Response:
        self._check_guild(call)
        data = self.world.guild_json()
        for key in ("members", "channels", "threads", "voice_states", "presences", "guild_scheduled_events"):
            data.pop(key, None)
        return json_response(data)

    async def _get_guild_channels(self, call: Call) -> web.Response:
        self._check_guild(call)
        return json_response(self.world.guild_json()["channels"])

    async def _get_roles(self, call: Call) -> web.Response:
        self._check_guild(call)
        return json_response(self.world.roles_json())

    async def _no_content(self, call: Call) -> web.Response:
        return json_response(None)

    # --- application commands -----------------------------------------------------------------

    async def _put_commands(self, call: Call) -> web.Response:
        if call.params.get("app") != str(self.world.application_id):
            raise DiscordError(403, 50001, "Missing Access")
        guild = int(call.params["guild"]) if "guild" in call.params else None
        commands = list(call.json or [])
        self.refuse(rules.check_commands(commands), call)
        synced = []
        for command in commands:
            item = dict(command)
            item.update(
                {
                    "id": str(self.ids.next()),
                    "application_id": str(self.world.application_id),
                    "version": str(self.ids.next()),
                }
            )
            if guild is not None:
                item["guild_id"] = str(guild)
            synced.append(item)
        self.synced_commands[guild] = synced
        return json_response(synced)

    async def _get_commands(self, call: Call) -> web.Response:
        guild = int(call.params["guild"]) if "guild" in call.params else None
        return json_response(self.synced_commands.get(guild, []))


__all__ = ["ApplicationRoutes"]
