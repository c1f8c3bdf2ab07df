"""Facebook Messenger, every event checked against the app secret.

Facebook signs each POST with the app secret: X-Hub-Signature-256 (sha256=...) and the
older X-Hub-Signature (sha1=...). An event with neither, or a wrong one, is refused.
Messenger shows at most three quick replies here, titles of at most 20 characters
(the content audit keeps curated responses within both for this channel).
"""

import hashlib
from typing import Any, Awaitable, Callable, Dict, Iterator, Tuple

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from kratom_assistant.channels.base import (
    NON_TEXT_MESSAGE,
    Buttons,
    PlatformInput,
    PlatformOutput,
    api_url,
    hand_to_rasa,
    hmac_hex,
    json_object,
    signature_matches,
)
from kratom_assistant.channels.limits import MAX_BUTTON_TITLE, MAX_MESSENGER_BUTTONS


class MessengerOutput(PlatformOutput):
    @classmethod
    def name(cls) -> str:
        return "facebook"

    def __init__(self, page_access_token: str) -> None:
        self.page_access_token = page_access_token

    async def send(self, recipient_id: str, text: str, buttons: Buttons) -> None:
        message: Dict[str, Any] = {"text": text}
        if buttons:
            message["quick_replies"] = [
                {"content_type": "text", "title": b["title"][:MAX_BUTTON_TITLE], "payload": b["payload"]}
                for b in buttons[:MAX_MESSENGER_BUTTONS]
            ]
        await self.post(
            f"{api_url('FACEBOOK_API_URL', 'https://graph.facebook.com/v19.0')}/me/messages",
            params={"access_token": self.page_access_token},
            json={"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE", "message": message},
        )


class MessengerInput(PlatformInput):
    CREDENTIALS = ("verify", "secret", "page-access-token")

    @classmethod
    def name(cls) -> str:
        return "facebook"

    def __init__(self, verify_token: str, app_secret: str, page_access_token: str) -> None:
        self.verify_token = verify_token
        self.app_secret = app_secret
        self.output = MessengerOutput(page_access_token)

    def signed_by_facebook(self, request: Request) -> bool:
        sha256 = request.headers.get("X-Hub-Signature-256")
        if sha256 is not None:
            return signature_matches("sha256=" + hmac_hex(self.app_secret, request.body), sha256)
        return signature_matches(
            "sha1=" + hmac_hex(self.app_secret, request.body, hashlib.sha1), request.headers.get("X-Hub-Signature")
        )

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self.new_blueprint()

        @webhook.route("/webhook", methods=["GET"])
        async def verify_subscription(request: Request):
            if request.args.get("hub.mode") == "subscribe" and signature_matches(
                self.verify_token, request.args.get("hub.verify_token")
            ):
                return response.text(request.args.get("hub.challenge", ""))
            return response.text("wrong verify token", status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            if not self.signed_by_facebook(request):
                return response.json({"error": "missing or wrong X-Hub-Signature"}, status=403)
            body = json_object(request)
            for sender, text in messages_in(body):
                await hand_to_rasa(on_new_message, text, self.output, sender, self.name())
            return response.text("EVENT_RECEIVED")

        return webhook


def messages_in(body: Dict[str, Any]) -> Iterator[Tuple[str, str]]:
    """(sender, text) for each person's message, quick reply or postback in a batch."""
    for entry in body.get("entry", []):
        for event in entry.get("messaging", []):
            sender = event.get("sender", {}).get("id")
            message = event.get("message", {})
            if not sender or message.get("is_echo"):
                continue  # our own replies are echoed back
            if "quick_reply" in message:
                yield sender, message["quick_reply"].get("payload", "")
            elif message.get("text", "").strip():
                yield sender, message["text"]
            elif message:
                yield sender, NON_TEXT_MESSAGE  # a photo, sticker or voice note
            elif "postback" in event:
                yield sender, event["postback"].get("payload", "")
