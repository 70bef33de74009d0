"""Channel routes: messages (create, read, edit, delete, bulk delete), threads, DMs, typing."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.local import rules
from bot.local.core import Call, DiscordError, DoubleCore, json_response
from bot.local.rules._problems import Problem
from bot.local.store import StoredMessage
from bot.local.world import MANAGE_MESSAGES, LocalChannel, LocalUser

DM, TEXT, PUBLIC_THREAD = 1, 0, 11
BULK_DELETE_RANGE = (2, 100)


class ChannelRoutes(DoubleCore):
    """``/channels/{channel}/…`` and ``POST /users/@me/channels``."""

    def _channel(self, call: Call) -> int:
        channel_id = call.int_param("channel")
        if channel_id not in self.world.channels:
            raise DiscordError(404, 10003, "Unknown Channel")
        return channel_id

    async def _get_channel(self, call: Call) -> web.Response:
        channel = self.world.channels[self._channel(call)]
        return json_response(channel.channel_json(self.world.guild_id, self.world.users))

    async def _create_message(self, call: Call) -> web.Response:
        channel_id = self._channel(call)
        channel = self.world.channels[channel_id]
        recipient = self.world.users.get(channel.recipient_id or 0)
        if channel.type == DM and recipient is not None and not recipient.dms_open:
            raise DiscordError(403, 50007, "Cannot send messages to this user")
        data = call.json or {}
        problems = rules.check_message(data, context="create", uploaded=call.uploaded)
        problems.extend(self._reference_problems(data, channel_id))
        self.refuse(problems, call)
        message = self.new_message(channel_id, None, int(data.get("flags") or 0))
        reference = data.get("message_reference") or {}
        if reference.get("message_id"):
            message.reference_id = int(reference["message_id"])
        message.apply(data, self.attachments_for(call.files, data))
        return json_response(message.to_json(self.world))

    def _reference_problems(self, data: dict[str, Any], channel_id: int) -> list[Problem]:
        """A reply must point at a message of the same channel (unless ``fail_if_not_exists`` is off)."""
        reference = data.get("message_reference") or {}
        if not reference.get("message_id") or reference.get("fail_if_not_exists") is False:
            return []
        target = self.messages.get(int(reference["message_id"]))
        if target is not None and not target.deleted and target.channel_id == channel_id:
            return []
        return [
            Problem(
                "message limits",
                f"message_reference {reference['message_id']} is not a message of this channel",
                ("message_reference",),
                "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                "Unknown message",
            )
        ]

    def _message(self, call: Call) -> StoredMessage:
        self._channel(call)
        message = self.messages.get(call.int_param("message"))
        if message is None or message.deleted or message.channel_id != call.int_param("channel"):
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _list_messages(self, call: Call) -> web.Response:
        channel_id = self._channel(call)
        limit = int(call.request.query.get("limit", "50"))
        if not 1 <= limit <= 100:
            self.refuse([Problem("message limits", f"limit {limit} is not 1 to 100", ("limit",))], call)
        found = [m for m in self.channel_messages(channel_id) if not m.ephemeral]
        return json_response([m.to_json(self.world) for m in reversed(found)][:limit])

    async def _get_message(self, call: Call) -> web.Response:
        return json_response(self._message(call).to_json(self.world))

    async def _edit_message(self, call: Call) -> web.Response:
        message = self._message(call)
        if message.author_id != self.world.bot_user.id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        return self.edit_stored(message, call)

    async def _delete_message(self, call: Call) -> web.Response:
        await self.remove_message(self._message(call))
        return json_response(None)

    async def _bulk_delete(self, call: Call) -> web.Response:
        channel_id = self._channel(call)
        ids = [str(item) for item in (call.json or {}).get("messages") or []]
        low, high = BULK_DELETE_RANGE
        if not low <= len(ids) <= high:
            self.refuse(
                [
                    Problem(
                        "message limits",
                        f"bulk delete of {len(ids)} messages ({low} to {high})",
                        ("messages",),
                        "BASE_TYPE_BAD_LENGTH",
                        f"Must be between {low} and {high} in length.",
                    )
                ],
                call,
            )
        await self.remove_messages(
            channel_id, [self.messages[int(i)] for i in ids if int(i) in self.messages]
        )
        return json_response(None)

    def channel_messages(self, channel_id: int) -> list[StoredMessage]:
        """Messages in a channel (not deleted), oldest first."""
        return [m for m in self.messages.values() if m.channel_id == channel_id and not m.deleted]

    async def remove_messages(self, channel_id: int, messages: list[StoredMessage]) -> None:
        """Delete several messages of one channel at once (MESSAGE_DELETE_BULK)."""
        for message in messages:
            message.deleted = True
        ids = [str(message.id) for message in messages if not message.ephemeral]
        if ids:
            await self.dispatch(
                "MESSAGE_DELETE_BULK",
                {"ids": ids, "channel_id": str(channel_id), "guild_id": str(self.world.guild_id)},
            )

    # --- members acting in Discord's own UI ---------------------------------------------------------

    async def delete_message_as(self, user: LocalUser, message: StoredMessage) -> None:
        """``user`` deletes ``message`` in Discord (right click → Delete): the bot hears MESSAGE_DELETE."""
        if message.author_id != user.id and not user.permissions & MANAGE_MESSAGES:
            raise PermissionError(f"{user.name} may not delete other members' messages")
        await self.remove_message(message)

    async def delete_messages_as(self, user: LocalUser, messages: list[StoredMessage]) -> None:
        """``user`` (a moderator) purges ``messages`` of one channel: MESSAGE_DELETE_BULK."""
        if not user.permissions & MANAGE_MESSAGES:
            raise PermissionError(f"{user.name} may not delete messages")
        (channel_id,) = {message.channel_id for message in messages}
        await self.remove_messages(channel_id, messages)

    # --- threads and DMs ----------------------------------------------------------------------------

    async def _create_thread(self, call: Call) -> web.Response:
        parent_id = self._channel(call)
        parent = self.world.channels[parent_id]
        data = call.json or {}
        from_message = "message" in call.params
        if parent.type != TEXT:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        self.refuse(rules.check_thread(data, from_message=from_message), call)
        source = self._message(call) if from_message else None
        if source is not None and source.thread_id is not None:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        thread = LocalChannel(
            self.ids.next(),
            str(data["name"]),
            type=PUBLIC_THREAD if from_message else int(data.get("type") or PUBLIC_THREAD),
            parent_id=parent_id,
            auto_archive_duration=int(data.get("auto_archive_duration") or 4320),
        )
        self.world.channels[thread.id] = thread
        if source is not None:
            source.thread_id = thread.id
        payload = thread.channel_json(self.world.guild_id, self.world.users)
        if isinstance(data.get("message"), dict):  # a forum-style first message
            first = self.new_message(thread.id, None, 0)
            first.apply(data["message"], self.attachments_for(call.files, data["message"]))
            payload["message"] = first.to_json(self.world)
        await self.dispatch("THREAD_CREATE", {**payload, "newly_created": True})
        return json_response(payload, 201)

    async def _open_dm(self, call: Call) -> web.Response:
        recipient_id = (call.json or {}).get("recipient_id")
        recipient = self.world.users.get(int(str(recipient_id))) if str(recipient_id).isdecimal() else None
        if recipient is None:
            raise DiscordError(
                400,
                50035,
                "Invalid Form Body",
                body=rules.error_body([Problem("dm", "unknown recipient", ("recipient_id",))]),
            )
        if recipient.bot:
            raise DiscordError(400, 50007, "Cannot send messages to this user")
        channel = self.world.dm_channel(self.ids, recipient.id)
        return json_response(channel.channel_json(None, self.world.users))


__all__ = ["ChannelRoutes"]
