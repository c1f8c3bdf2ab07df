"""The socket.io channel (what the web widget uses), with session persistence on."""

import asyncio
import uuid
from typing import Optional

import socketio

from tools.content_audit import response_texts


async def converse(url: str, messages, settle: float = 1.5, session_id: Optional[str] = None):
    """Send messages over socket.io like the widget does; return the replies to each. On
    long-polling each poll is a new HTTP request (through nginx, in the scale-out tests)."""
    # Long-polling: the pinned engine.io client needs a newer aiohttp for websockets than
    # Rasa 3.6 allows; the server side is the same either way.
    client = socketio.AsyncClient(reconnection=False)
    session_id = session_id or uuid.uuid4().hex
    replies, confirmed = [], asyncio.Event()
    client.on("session_confirm", lambda *_: confirmed.set())
    client.on("bot_uttered", lambda data: replies[-1].append(data))
    await client.connect(url, socketio_path="/socket.io", transports=["polling"], wait_timeout=10)
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), 10)
        for message in messages:
            replies.append([])
            await client.emit("user_uttered", {"message": message, "session_id": session_id})
            for _ in range(int(settle * 10)):
                await asyncio.sleep(0.1)
                if replies[-1]:
                    break
            await asyncio.sleep(0.5)  # the rest of a multi-message answer
    finally:
        await client.disconnect()
    return replies


async def test_widget_channel_answers_refuses_and_escalates(assistant, domain):
    what, dose, crisis = await converse(
        assistant.url, ["what is kratom", "how many grams should i take", "my friend is not breathing"]
    )
    # The socket.io channel sends each paragraph as its own message, quick replies on the last.
    assert joined(what) in response_texts(domain, "utter_what_is_kratom")
    assert what[-1]["quick_replies"]
    assert dose[0]["text"] in response_texts(domain, "utter_dosing_refusal")
    assert crisis[0]["text"] in response_texts(domain, "utter_emergency_numbers")


def joined(messages) -> str:
    return "\n\n".join(m["text"] for m in messages)


async def test_widget_channel_crisis_in_another_language_and_the_safety_line(assistant, domain):
    crisis, unplaced = await converse(assistant.url, ["me quiero morir, ya no aguanto", "zxqv blorp"])
    spanish = [
        v["text"].strip()
        for v in domain["responses"]["utter_self_harm_support"]
        if {"type": "slot", "name": "language", "value": "es"} in v.get("condition", [])
    ]
    assert crisis[0]["text"] in spanish
    assert unplaced[0]["text"] in response_texts(domain, "utter_rephrase")
    assert unplaced[-1]["text"] in response_texts(domain, "utter_safety_net")
