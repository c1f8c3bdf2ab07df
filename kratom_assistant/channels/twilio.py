"""Twilio SMS and WhatsApp, every request's X-Twilio-Signature checked.

Twilio signs the exact webhook URL plus the form fields with the account's auth token,
so the URL registered with Twilio is part of the configuration (behind a proxy the
server cannot see it). Quick replies become a numbered list under the answer; the user
replies with the number (or the option's title).
"""

from typing import Any, Awaitable, Callable

import aiohttp
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from twilio.request_validator import RequestValidator

from kratom_assistant.channels.base import (
    CHOOSE_BY_NUMBER,
    NON_TEXT_MESSAGE,
    Buttons,
    PlatformInput,
    PlatformOutput,
    api_url,
    as_payload_if_chosen,
    curated_text,
    hand_to_rasa,
)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def numbered(text: str, buttons: Buttons, hint: str) -> str:
    """The answer, then the curated hint and the options' titles as a numbered list."""
    if not buttons:
        return text
    options = "\n".join(f"{number}. {b['title']}" for number, b in enumerate(buttons, 1))
    return f"{text}\n\n{hint}\n{options}"


class TwilioOutput(PlatformOutput):
    @classmethod
    def name(cls) -> str:
        return "twilio"

    def __init__(self, account_sid: str, auth_token: str, our_number: str, hint: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.our_number = our_number  # "+44..." for SMS, "whatsapp:+44..." for WhatsApp
        self.hint = hint

    async def send(self, recipient_id: str, text: str, buttons: Buttons) -> None:
        base = api_url("TWILIO_API_URL", "https://api.twilio.com")
        await self.post(
            f"{base}/2010-04-01/Accounts/{self.account_sid}/Messages.json",
            auth=aiohttp.BasicAuth(self.account_sid, self.auth_token),
            data={"To": recipient_id, "From": self.our_number, "Body": numbered(text, buttons, self.hint)},
        )


class TwilioInput(PlatformInput):
    CREDENTIALS = ("account_sid", "auth_token", "webhook_url")

    @classmethod
    def name(cls) -> str:
        return "twilio"

    def __init__(self, account_sid: str, auth_token: str, webhook_url: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.webhook_url = webhook_url
        self.validator = RequestValidator(auth_token)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self.new_blueprint()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            form = {name: values[0] for name, values in request.form.items()}
            if not self.validator.validate(self.webhook_url, form, request.headers.get("X-Twilio-Signature", "")):
                return response.text("bad Twilio signature", status=403)
            sender, our_number = form.get("From"), form.get("To")
            if not sender or not our_number:
                return response.text("From and To are required", status=400)
            text = form.get("Body", "").strip() or NON_TEXT_MESSAGE  # media-only messages
            text = await as_payload_if_chosen(request, sender, text)
            output = TwilioOutput(
                self.account_sid, self.auth_token, our_number, curated_text(request, CHOOSE_BY_NUMBER)
            )
            await hand_to_rasa(on_new_message, text, output, sender, self.name())
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return webhook
