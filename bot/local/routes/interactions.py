"""Interaction routes: the initial callback (by callback type), followups, the original response."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.local import rules
from bot.local.core import Call, DiscordError, DoubleCore, json_response
from bot.local.rules import interactions as kinds
from bot.local.rules.messages import check_flags
from bot.local.store import LOADING, InteractionState, StoredMessage, with_component_ids


class InteractionRoutes(DoubleCore):
    """``POST /interactions/{id}/{token}/callback`` and ``/webhooks/{app}/{token}/…``."""

    # --- the initial response ------------------------------------------------------------------

    async def _callback(self, call: Call) -> web.Response:
        state = self.interactions.get(call.params["token"])
        if state is None or str(state.id) != call.params["interaction"]:
            raise DiscordError(404, 10062, "Unknown interaction")
        call.record.interaction_id = state.id
        body = call.json or {}
        kind = body.get("type")
        self._check_first_in_time(state, call)
        from_message = state.payload.get("message") is not None
        self.refuse(rules.check_callback_type(kind, state.kind, from_message), call)
        assert isinstance(kind, int)  # check_callback_type refused anything else
        data = body.get("data") or {}
        handler = {
            kinds.MESSAGE: self._answer_message,
            kinds.DEFERRED_MESSAGE: self._answer_deferred,
            kinds.DEFERRED_UPDATE: self._answer_update,
            kinds.UPDATE: self._answer_update,
            kinds.AUTOCOMPLETE_RESULT: self._answer_choices,
            kinds.MODAL: self._answer_modal,
        }[kind]
        message = handler(state, kind, data, call)
        state.response_type, state.responded_at = kind, call.record.at
        return json_response(self._callback_reply(state, kind, message))

    def _check_first_in_time(self, state: InteractionState, call: Call) -> None:
        elapsed = call.record.at - state.sent_at
        if state.responded:
            self.breach("one initial response", f"interaction {state.id} was already acknowledged", call)
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > self.response_deadline_s:
            self.breach("3-second deadline", f"initial response after {elapsed:.2f} s", call)
            raise DiscordError(404, 10062, "Unknown interaction")

    def _answer_message(
        self, state: InteractionState, kind: int, data: dict[str, Any], call: Call
    ) -> StoredMessage:
        self.refuse(rules.check_message(data, context="response", uploaded=call.uploaded), call)
        message = self._response_message(state, int(data.get("flags") or 0))
        message.apply(data, self.attachments_for(call.files, data))
        return message

    def _answer_deferred(
        self, state: InteractionState, kind: int, data: dict[str, Any], call: Call
    ) -> StoredMessage:
        self.refuse(check_flags(data.get("flags"), "deferred"), call)
        return self._response_message(state, int(data.get("flags") or 0) | LOADING)

    def _response_message(self, state: InteractionState, flags: int) -> StoredMessage:
        message = self.new_message(int(state.payload["channel_id"]), self.world.application_id, flags)
        message.interaction_id = state.id
        message.interaction_metadata = self._metadata(state)
        state.original_message_id = message.id
        state.created_message_ids.append(message.id)
        return message

    def _answer_update(
        self, state: InteractionState, kind: int, data: dict[str, Any], call: Call
    ) -> StoredMessage | None:
        message_id = int(state.payload["message"]["id"])
        state.original_message_id = message_id
        message = self.messages.get(message_id)
        if kind == kinds.DEFERRED_UPDATE or message is None:
            return message
        existing = message.to_json(self.world)
        self.refuse(
            rules.check_message(data, context="update", uploaded=call.uploaded, existing=existing), call
        )
        touches_files = bool(call.files) or "attachments" in data
        message.apply(
            data, self.attachments_for(call.files, data, message.attachments) if touches_files else None
        )
        message.edits += 1
        return message

    def _answer_choices(self, state: InteractionState, kind: int, data: dict[str, Any], call: Call) -> None:
        self.refuse(rules.check_autocomplete(data), call)
        state.choices = list(data.get("choices") or [])

    def _answer_modal(self, state: InteractionState, kind: int, data: dict[str, Any], call: Call) -> None:
        self.refuse(rules.check_modal(data), call)
        state.modal = {**data, "components": with_component_ids(data.get("components") or [])}

    def _callback_reply(
        self, state: InteractionState, kind: int, message: StoredMessage | None
    ) -> dict[str, Any]:
        reply: dict[str, Any] = {
            "interaction": {
                "id": str(state.id),
                "type": state.kind,
                "response_message_id": str(message.id) if message else None,
                "response_message_loading": kind == kinds.DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(message and message.ephemeral),
            }
        }
        if message is not None and kind in (kinds.MESSAGE, kinds.DEFERRED_MESSAGE, kinds.UPDATE):
            reply["resource"] = {"type": kind, "message": message.to_json(self.world)}
        return reply

    def _metadata(self, state: InteractionState) -> dict[str, Any]:
        """Discord's ``interaction_metadata`` for a message that answers ``state``."""
        payload = state.payload
        user = (payload.get("member") or {}).get("user") or payload.get("user") or {}
        data: dict[str, Any] = {
            "id": str(state.id),
            "type": state.kind,
            "user": user,
            "authorizing_integration_owners": payload.get("authorizing_integration_owners") or {},
        }
        if state.kind == kinds.COMMAND:
            data["name"] = (payload.get("data") or {}).get("name")
            data["command_type"] = (payload.get("data") or {}).get("type", 1)
        if payload.get("message") is not None:
            data["interacted_message_id"] = str(payload["message"]["id"])
        return data

    # --- the interaction webhook -----------------------------------------------------------------

    def _interaction(self, call: Call) -> InteractionState:
        """The interaction a webhook call's token belongs to (404 10015 unknown, 401 50027 expired)."""
        state = self.interactions.get(call.params["token"])
        if state is None or call.params.get("app") != str(self.world.application_id):
            raise DiscordError(404, 10015, "Unknown Webhook")
        call.record.interaction_id = state.id
        if state.issued_at is not None and self.clock.now() - state.issued_at > self.token_lifetime:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        return state

    def _original(self, state: InteractionState, call: Call) -> StoredMessage:
        if not state.responded:
            self.breach(
                "respond first", "the original response was used before the interaction was answered", call
            )
            raise DiscordError(404, 10015, "Unknown Webhook")
        message = self.messages.get(state.original_message_id or 0)
        if message is None or message.deleted:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _get_original(self, call: Call) -> web.Response:
        state = self._interaction(call)
        return json_response(self._original(state, call).to_json(self.world))

    async def _edit_original(self, call: Call) -> web.Response:
        state = self._interaction(call)
        return self.edit_stored(self._original(state, call), call)

    async def _delete_original(self, call: Call) -> web.Response:
        state = self._interaction(call)
        await self.remove_message(self._original(state, call))
        return json_response(None)

    async def _followup(self, call: Call) -> web.Response:
        state = self._interaction(call)
        if not state.responded:
            self.breach("respond first", "a followup was sent before the interaction was answered", call)
            raise DiscordError(404, 10015, "Unknown Webhook")
        data = call.json or {}
        self.refuse(rules.check_message(data, context="followup", uploaded=call.uploaded), call)
        original = self.messages.get(state.original_message_id or 0)
        if original is not None and not original.deleted and original.flags & LOADING and not original.edits:
            # The first followup after a "thinking" defer replaces the loading message.
            original.flags &= ~LOADING
            original.apply(data, self.attachments_for(call.files, data))
            original.edits += 1
            return json_response(original.to_json(self.world))
        channel_id = int(state.payload["channel_id"])
        message = self.new_message(channel_id, self.world.application_id, int(data.get("flags") or 0))
        message.interaction_id = state.id
        message.interaction_metadata = self._metadata(state)
        message.apply(data, self.attachments_for(call.files, data))
        state.followup_ids.append(message.id)
        state.created_message_ids.append(message.id)
        return json_response(message.to_json(self.world))

    def _webhook_message(self, call: Call) -> StoredMessage:
        state = self._interaction(call)
        message = self.messages.get(call.int_param("message"))
        if message is None or message.deleted or message.id not in state.created_message_ids:
            raise DiscordError(404, 10008, "Unknown Message")
        return message

    async def _get_webhook_message(self, call: Call) -> web.Response:
        return json_response(self._webhook_message(call).to_json(self.world))

    async def _edit_webhook_message(self, call: Call) -> web.Response:
        return self.edit_stored(self._webhook_message(call), call)

    async def _delete_webhook_message(self, call: Call) -> web.Response:
        await self.remove_message(self._webhook_message(call))
        return json_response(None)


__all__ = ["InteractionRoutes"]
