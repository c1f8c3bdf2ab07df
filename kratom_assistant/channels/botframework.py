"""Microsoft Bot Framework (Teams, Web Chat and the other Azure Bot Service channels).

Every activity carries a JWT signed by the Bot Framework; it is checked against the keys
the Bot Framework publishes (fetched when first needed, refreshed daily), for our app id
as audience and the Bot Framework as issuer. Replies go to the activity's serviceUrl with
a token for our app id. Quick replies are suggested actions; a tap sends the title back.
"""

import time
from typing import Any, Awaitable, Callable, Dict

import aiohttp
import jwt
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
)

ISSUER = "https://api.botframework.com"
KEYS_MAX_AGE = 24 * 3600


def openid_config_url() -> str:
    return api_url("BOTFRAMEWORK_OPENID_URL", "https://login.botframework.com/v1/.well-known/openidconfiguration")


def token_url() -> str:
    return api_url("BOTFRAMEWORK_TOKEN_URL", "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token")


class BotFrameworkOutput(PlatformOutput):
    @classmethod
    def name(cls) -> str:
        return "botframework"

    def __init__(self, credentials: "AppCredentials", activity: Dict[str, Any]) -> None:
        self.credentials = credentials
        self.activity = activity

    async def send(self, recipient_id: str, text: str, buttons: Buttons) -> None:
        incoming = self.activity
        reply: Dict[str, Any] = {
            "type": "message",
            "text": text,
            "textFormat": "plain",
            "from": incoming.get("recipient"),
            "recipient": incoming.get("from"),
            "conversation": incoming["conversation"],
            "replyToId": incoming.get("id"),
        }
        if buttons:
            reply["suggestedActions"] = {
                "actions": [{"type": "imBack", "title": b["title"], "value": b["title"]} for b in buttons]
            }
        token = await self.credentials.token()
        url = (
            f"{incoming['serviceUrl'].rstrip('/')}/v3/conversations/"
            f"{incoming['conversation']['id']}/activities/{incoming.get('id', '')}"
        )
        await self.post(url, json=reply, headers={"Authorization": f"Bearer {token}"})


class AppCredentials:
    """Our app's outgoing token (client credentials), cached until shortly before expiry."""

    def __init__(self, app_id: str, app_password: str) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self._token, self._expires = "", 0.0

    async def token(self) -> str:
        if time.time() < self._expires:
            return self._token
        form = {
            "grant_type": "client_credentials",
            "client_id": self.app_id,
            "client_secret": self.app_password,
            "scope": "https://api.botframework.com/.default",
        }
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
            async with session.post(token_url(), data=form) as answer:
                answer.raise_for_status()
                body = await answer.json(content_type=None)
        self._token = body["access_token"]
        self._expires = time.time() + int(body.get("expires_in", 3600)) - 300
        return self._token


class BotFrameworkInput(PlatformInput):
    CREDENTIALS = ("app_id", "app_password")

    @classmethod
    def name(cls) -> str:
        return "botframework"

    def __init__(self, app_id: str, app_password: str) -> None:
        self.credentials = AppCredentials(app_id, app_password)
        self._keys: Dict[str, Any] = {}
        self._keys_fetched = 0.0

    async def signing_keys(self) -> Dict[str, Any]:
        if time.time() - self._keys_fetched > KEYS_MAX_AGE:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
                async with session.get(openid_config_url()) as answer:
                    jwks_uri = (await answer.json(content_type=None))["jwks_uri"]
                async with session.get(jwks_uri) as answer:
                    keys = (await answer.json(content_type=None))["keys"]
            self._keys = {key["kid"]: jwt.PyJWK(key, "RS256").key for key in keys}
            self._keys_fetched = time.time()
        return self._keys

    async def signed_by_bot_framework(self, request: Request, activity: Dict[str, Any]) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False
        token = header[len("Bearer ") :]
        try:
            key = (await self.signing_keys()).get(jwt.get_unverified_header(token).get("kid"))
            if key is None:
                return False
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=self.credentials.app_id, issuer=ISSUER)
        except (jwt.PyJWTError, aiohttp.ClientError, KeyError, ValueError):
            return False
        # The token names the service it was issued for; a reply must go nowhere else.
        return claims.get("serviceUrl", activity.get("serviceUrl")) == activity.get("serviceUrl")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = self.new_blueprint()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            activity = json_object(request)
            if not await self.signed_by_bot_framework(request, activity):
                return response.json({"error": "missing or invalid Bot Framework token"}, status=401)
            if (
                activity.get("type") != "message"
                or not activity.get("serviceUrl")
                or not activity.get("conversation", {}).get("id")
                or not activity.get("from", {}).get("id")
            ):
                return response.json({"status": "ignored"})  # typing, joins, reactions
            sender = activity["from"]["id"]
            text = (activity.get("text") or "").strip() or NON_TEXT_MESSAGE
            text = await as_payload_if_chosen(request, sender, text)
            output = BotFrameworkOutput(self.credentials, activity)
            await hand_to_rasa(on_new_message, text, output, sender, self.name())
            return response.json({"status": "ok"})

        return webhook
