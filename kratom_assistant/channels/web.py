"""REST (POST /webhooks/rest/webhook) and socket.io (the web widget), as Rasa's own
channels but with every message prepared first (kratom_assistant/channels/incoming.py), and a REST request
that is not {"sender": "<text>", "message": "<text>"} refused with a 400 and the reason
instead of a 500, an empty answer, or a conversation shared under sender "default"."""

from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage as BadRequest
from sanic.request import Request

from kratom_assistant.channels.incoming import preparing

MAX_SENDER_CHARS = 128


def json_body(request: Request) -> Dict[str, Any]:
    if not isinstance(request.json, dict):
        raise BadRequest('The body must be a JSON object: {"sender": "...", "message": "..."}')
    return request.json


class RestInput(RasaRestInput):
    async def _extract_sender(self, request: Request) -> Optional[str]:
        sender = json_body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
            raise BadRequest(
                f'"sender" must be a non-empty string of at most {MAX_SENDER_CHARS} characters '
                "that identifies the conversation"
            )
        return sender

    def _extract_message(self, request: Request) -> Optional[str]:
        message = json_body(request).get("message")
        if not isinstance(message, str):
            raise BadRequest('"message" must be a string')
        return message

    def _extract_input_channel(self, request: Request) -> str:
        return self.name()  # not the client's to choose: it selects channel variations

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        return None  # nothing the client sends beyond the message is stored

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(preparing(on_new_message))

        @webhook.exception(BadRequest)
        async def explain(_: Request, error: BadRequest):
            # JSON whatever the request's content type (Sanic would pick an HTML page).
            return response.json({"status": 400, "message": str(error)}, status=400)

        return webhook


class SocketIOInput(RasaSocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(preparing(on_new_message))
