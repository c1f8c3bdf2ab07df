"""Slack (Events API and interactive buttons), every request's signature checked.

Slack signs each request with the app's signing secret: v0=HMAC-SHA256 of
"v0:<timestamp>:<body>". Requests with a wrong signature or older than five minutes
(replays) are refused. Quick replies are Block Kit buttons whose value is the payload.
"""

import json
import re
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from kratom_assistant.channels.base import (
    Buttons,
    PlatformInput,
    PlatformOutput,
    api_url,
    hand_to_rasa,
    hmac_hex,
    json_object,
    signature_matches,
)

MAX_AGE_SECONDS = 300
MENTION = re.compile(r"<@[A-Z0-9]+>\s*")


def escape(text: str) -> str:
    """Slack's three control characters, so curated text shows exactly as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class SlackOutput(PlatformOutput):
    @classmethod
    def name(cls) -> str:
        return "slack"

    def __init__(self, bot_token: str, slack_channel: str) -> None:
        self.bot_token = bot_token
        self.slack_channel = slack_channel

    async def send(self, recipient_id: str, text: str, buttons: Buttons) -> None:
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}]
        if buttons:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": b["title"]},
                            "value": b["payload"],
                            "action_id": f"quick_reply_{i}",
                        }
                        for i, b in enumerate(buttons)
                    ],
                }
            )
        await self.post(
            f"{api_url('SLACK_API_URL', 'https://slack.com/api')}/chat.postMessage",
            headers={"Authorization": f"Bearer {self.bot_token}"},
            json={"channel": self.slack_channel, "text": escape(text), "blocks": blocks},
        )


class SlackInput(PlatformInput):
    CREDENTIALS = ("bot_token", "signing_secret")

    @classmethod
    def name(cls) -> str:
        return "slack"

    def __init__(self, bot_token: str, signing_secret: str) -> None:
        self.bot_token = bot_token
        self.signing_secret = signing_secret

    def signed_by_slack(self, request: Request) -> bool:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
        expected = "v0=" + hmac_hex(self.signing_secret, b"v0:" + timestamp.encode() + b":" + request.body)
        return signature_matches(expected, request.headers.get("X-Slack-Signature"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self.new_blueprint()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            if not self.signed_by_slack(request):
                return response.json({"error": "bad or stale Slack signature"}, status=401)
            if request.headers.get("X-Slack-Retry-Num"):
                return response.json({"status": "already handled"})  # Slack's retry of a slow answer
            body = parse_body(request)
            if body.get("type") == "url_verification":
                return response.json({"challenge": body.get("challenge", "")})
            found = message_in(body)
            if found is not None:
                user, slack_channel, text = found
                output = SlackOutput(self.bot_token, slack_channel)
                await hand_to_rasa(on_new_message, text, output, user, self.name())
            return response.json({"status": "ok"})

        return webhook


def parse_body(request: Request) -> Dict[str, Any]:
    """Events arrive as JSON; button clicks as a form with a JSON `payload` field."""
    try:
        if request.form.get("payload"):
            return json.loads(request.form.get("payload"))
        return json_object(request)
    except (ValueError, TypeError):
        return {}


def message_in(body: Dict[str, Any]) -> Optional[Tuple[str, str, str]]:
    """(user, Slack channel, text) of a person's message or button click; None otherwise."""
    if body.get("type") == "block_actions" and body.get("actions"):
        return body["user"]["id"], body["channel"]["id"], body["actions"][0].get("value", "")
    event = body.get("event", {}) if body.get("type") == "event_callback" else {}
    # Direct messages, and mentions in channels (a mention's plain message event is skipped
    # so it is answered once); bots (our own replies come back as events) and edits skipped.
    direct = event.get("type") == "message" and event.get("channel_type") == "im"
    if not (direct or event.get("type") == "app_mention") or event.get("bot_id") or event.get("subtype"):
        return None
    text = MENTION.sub("", event.get("text", "")).strip()
    return (event["user"], event["channel"], text) if text and event.get("user") else None
