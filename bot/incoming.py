"""Every channel's first step with a person's message, before the assistant sees it.

Messages over MAX_CHARS are not run through the NLU (100 KB of text would hold the
server for seconds); they get the curated "please send a shorter message" reply, unless
the reviewed safety patterns find a crisis anywhere in them: then the crisis answer
comes first, as for any message. Control characters are dropped.
"""
import re
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from bot import safety_patterns

MAX_CHARS = 2000
TOO_LONG = "/message_too_long"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # keeps \t and \n
CRISIS_INTENTS = (safety_patterns.SELF_HARM, safety_patterns.EMERGENCY)


def prepare(text: str) -> str:
    text = CONTROL.sub(" ", text)
    if len(text) <= MAX_CHARS:
        return text
    match = safety_patterns.load().match(text)
    return f"/{match.intent}" if match and match.intent in CRISIS_INTENTS else TOO_LONG


def preparing(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """Wrap a channel's hand-over to Rasa so every message is prepared first."""
    async def handle(message: UserMessage) -> Any:
        if isinstance(message.text, str):
            message.text = prepare(message.text)
        return await on_new_message(message)
    return handle
