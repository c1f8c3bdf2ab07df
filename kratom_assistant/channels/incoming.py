"""Every channel's first and last step with a person's message.

Messages over MAX_CHARS are not run through the NLU (100 KB of text would hold the
server for seconds); they get the curated "please send a shorter message" reply, unless
the reviewed safety patterns find a crisis anywhere in them: then the crisis answer
comes first, as for any message. Control characters are dropped.

If the assistant fails on a message (its conversation store or lock store unreachable,
say), the person gets the curated "temporarily unavailable" reply with emergency
advice instead of silence, and the failure is logged without the message's text.
"""

import asyncio
import logging
import re
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from kratom_assistant.safety import patterns as safety_patterns

logger = logging.getLogger(__name__)

MAX_CHARS = 2000
TOO_LONG = "/message_too_long"
UNAVAILABLE = "utter_service_unavailable"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps \t and \n


def prepare(text: str) -> str:
    text = CONTROL.sub(" ", text)
    if len(text) <= MAX_CHARS:
        return text
    match = safety_patterns.load().match(text)
    return f"/{match.intent}" if match and match.intent in safety_patterns.CRISIS_INTENTS else TOO_LONG


def unavailable_text() -> str:
    """From the domain the server loaded with its model (the model cannot be asked
    while it fails); the server runs one Sanic app, so it is found without a request."""
    return Sanic.get_app().ctx.agent.domain.responses[UNAVAILABLE][0]["text"]


def preparing(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """Wrap a channel's hand-over to Rasa: every message prepared first, and a failure
    answered with the curated "temporarily unavailable" reply."""

    async def handle(message: UserMessage) -> Any:
        if isinstance(message.text, str):
            message.text = prepare(message.text)
        try:
            return await on_new_message(message)
        except asyncio.CancelledError:
            # The client went away mid-answer. Rasa's REST channel would log this with the
            # message's text; end here instead (nothing is left to answer).
            logger.warning("A client left before its answer on %s", message.input_channel)
            return None
        except Exception as error:  # noqa: BLE001 - the person must not be left in silence
            logger.error("Could not answer a message on %s: %s", message.input_channel, type(error).__name__)
            await message.output_channel.send_response(message.sender_id, {"text": unavailable_text()})

    return handle
