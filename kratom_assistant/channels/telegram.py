"""Telegram, with the webhook secret checked (Rasa's built-in Telegram channel skips it).

Register the webhook with a secret_token; Telegram then sends it in the
X-Telegram-Bot-Api-Secret-Token header of every update, and anything without it is refused.
Quick replies are a one-time reply keyboard: a tap sends the option's title, which is
turned back into its payload.
"""

from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from kratom_assistant.channels.base import (
    NON_TEXT_MESSAGE,
    Buttons,
    PlatformInput,
    PlatformOutput,
    api_url,
    as_payload_if_chosen,
    hand_to_rasa,
    json_object,
    signature_matches,
)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramOutput(PlatformOutput):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, access_token: str) -> None:
        self.method_url = f"{api_url('TELEGRAM_API_URL', 'https://api.telegram.org')}/bot{access_token}"

    async def send(self, recipient_id: str, text: str, buttons: Buttons) -> None:
        if buttons:
            keyboard = {
                "keyboard": [[{"text": b["title"]}] for b in buttons],
                "resize_keyboard": True,
                "one_time_keyboard": True,
            }
        else:
            keyboard = {"remove_keyboard": True}
        await self.post(
            f"{self.method_url}/sendMessage", json={"chat_id": recipient_id, "text": text, "reply_markup": keyboard}
        )


class TelegramInput(PlatformInput):
    CREDENTIALS = ("access_token", "secret_token")

    @classmethod
    def name(cls) -> str:
        return "telegram"

    def __init__(self, access_token: str, secret_token: str) -> None:
        self.output = TelegramOutput(access_token)
        self.secret_token = secret_token

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self.new_blueprint()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            if not signature_matches(self.secret_token, request.headers.get(SECRET_HEADER)):
                return response.json({"error": "missing or wrong secret token"}, status=403)
            found = message_in(json_object(request))
            if found is None:
                return response.json({"status": "ignored"})  # edits, joins, channel posts
            chat_id, text = found
            text = await as_payload_if_chosen(request, chat_id, text)
            await hand_to_rasa(on_new_message, text, self.output, chat_id, self.name())
            return response.json({"status": "ok"})

        return webhook


# Telegram's own commands: every chat starts with /start, and clients offer /help.
COMMANDS = {"/start": "/greet", "/help": "/ask_capabilities"}


def message_in(update: Dict[str, Any]) -> Optional[Tuple[str, str]]:
    """(chat id, text) of a message update; non-text messages get a curated note."""
    message = update.get("message")
    if not isinstance(message, dict) or "chat" not in message:
        return None
    text = message.get("text")
    if not isinstance(text, str) or not text.strip():
        return str(message["chat"]["id"]), NON_TEXT_MESSAGE
    command = text.strip().split("@")[0].lower()  # "/start@KratomInfoBot" in groups
    return str(message["chat"]["id"]), COMMANDS.get(command, text)
