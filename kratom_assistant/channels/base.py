"""What the platform channels share: quick replies answered by number or title, handing a
message to Rasa without logging its text, and posting replies to a platform's HTTP API."""

import asyncio
import hashlib
import hmac
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request

from kratom_assistant.channels.incoming import preparing
from kratom_assistant.channels.limits import MAX_BUTTON_TITLE

logger = logging.getLogger(__name__)

Buttons = List[Dict[str, Any]]
# Curated line that tells text-only users (SMS, WhatsApp) how to pick an option.
CHOOSE_BY_NUMBER = "utter_choose_by_number"
# What a photo, sticker or voice note is passed on as: the curated "what I can help with".
NON_TEXT_MESSAGE = "/out_of_scope"


def api_url(variable: str, default: str) -> str:
    """A platform's API address; tests and proxies point it elsewhere with an env variable."""
    return os.environ.get(variable, default).rstrip("/")


def signature_matches(expected: str, received: Optional[str]) -> bool:
    return bool(received) and hmac.compare_digest(expected.encode(), received.encode())


def hmac_hex(secret: str, message: bytes, digest=hashlib.sha256) -> str:
    return hmac.new(secret.encode(), message, digest).hexdigest()


def json_object(request: Request) -> Dict[str, Any]:
    """The request's JSON body if it is an object; anything else counts as empty."""
    return request.json if isinstance(request.json, dict) else {}


async def offered_buttons(request: Request, sender_id: str) -> Buttons:
    """The quick replies of the assistant's last turn in this conversation, if any."""
    tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
    for event in reversed(tracker.events if tracker else []):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and event.data.get("buttons"):
            return event.data["buttons"]
    return []


def chosen_payload(text: str, buttons: Buttons) -> Optional[str]:
    """The payload of the option a user picked by its number ("2", "2.") or its title."""
    choice = text.strip().rstrip(".)").strip()
    if choice.isdigit() and 1 <= int(choice) <= len(buttons):
        return buttons[int(choice) - 1]["payload"]
    for button in buttons:
        if button["title"].casefold() == text.strip().casefold():
            return button["payload"]
    return None


async def as_payload_if_chosen(request: Request, sender_id: str, text: str) -> str:
    """Text-only platforms answer quick replies by typing; turn a choice into its payload.

    Only short text can be a choice, so only then is the conversation read for its options.
    """
    if len(text.strip()) > MAX_BUTTON_TITLE:  # the audit keeps every title within it
        return text
    return chosen_payload(text, await offered_buttons(request, sender_id)) or text


def curated_text(request: Request, response_name: str) -> str:
    """A curated response's text from the loaded domain (for channel chrome such as hints)."""
    return request.app.ctx.agent.domain.responses[response_name][0]["text"]


async def hand_to_rasa(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    text: str,
    output: OutputChannel,
    sender_id: str,
    channel: str,
) -> None:
    """Run the message through the assistant (prepared, failures answered: incoming.py)."""
    await preparing(on_new_message)(UserMessage(text, output, sender_id, input_channel=channel))


class PlatformInput(InputChannel):
    """A platform's webhook at /webhooks/<name>/webhook, built from its credentials.yml block."""

    # The keys of the platform's credentials.yml block, in the order __init__ takes them.
    CREDENTIALS: Tuple[str, ...] = ()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        return cls(*(credentials[key] for key in cls.CREDENTIALS))

    def new_blueprint(self) -> Blueprint:
        """The platform's blueprint with a health check at /webhooks/<name>/."""
        webhook = Blueprint(f"{self.name()}_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request):
            return response.json({"status": "ok"})

        return webhook


class PlatformOutput(OutputChannel):
    """Sends each curated response as one platform message, its quick replies attached.

    Subclasses implement send(recipient, text, buttons); Rasa's per-paragraph splitting
    is not used, so a response and its source line arrive together.
    """

    async def send(self, recipient_id: str, text: str, buttons: Buttons) -> None:
        raise NotImplementedError

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send(recipient_id, text, [])

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: Buttons, **kwargs: Any) -> None:
        await self.send(recipient_id, text, buttons)

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: Buttons, **kwargs: Any) -> None:
        await self.send(recipient_id, text, quick_replies)

    async def post(self, url: str, **request: Any) -> Optional[Dict]:
        """POST to the platform; a failure is logged (status only), never raised to the user's turn."""
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
                async with session.post(url, **request) as response:
                    if response.status >= 300:
                        logger.warning("%s API answered %s", self.name(), response.status)
                        return None
                    return await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("%s API unreachable: %s", self.name(), type(error).__name__)
            return None
