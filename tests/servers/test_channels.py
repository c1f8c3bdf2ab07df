"""Messaging platforms end to end: a realistic webhook from each platform goes to the
running Rasa server, and the reply is caught by a fake platform API on 127.0.0.1.

Each platform: the curated answer arrives in the platform's format, a quick reply is
understood, a dosing question gets the refusal, and a forged request is refused.
"""

import base64
import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import quote, unquote_plus, urlencode

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from twilio.request_validator import RequestValidator

from kratom_assistant.channels.slack import escape
from tests.conftest import RESULTS, stored_data
from tests.fake_platform import FakePlatformAPI
from tests.servers.test_privacy import found, message_with, personal_details
from tools import servers
from tools.content_audit import response_texts

RASA_PORT, ACTION_PORT, FAKE_PORT = 5705, 5715, 5725
CHANNELS_DB = RESULTS / "channels.db"  # conversations kept as `make run` keeps them
API_TOKEN = uuid.uuid4().hex  # the HTTP API on, to read the trackers it returns
TELEGRAM_TOKEN = "123456:TEST-token-for-the-fake-api"
SECRETS = {
    "telegram": "telegram-secret",
    "slack": "slack-signing-secret",
    "facebook": "facebook-app-secret",
    "twilio": "twilio-auth-token",
}
TWILIO_SID = "AC" + "0" * 32
BOT_APP_ID = "test-app-id"
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
FORGED_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def platform():
    api = FakePlatformAPI(FAKE_PORT)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    api.answers = {
        "/botframework/openid": {"jwks_uri": f"{api.url}/botframework/keys"},
        "/botframework/keys": {"keys": [dict(public, kid="test-key", alg="RS256", use="sig")]},
        "/botframework/token": {"access_token": "outgoing-token", "expires_in": 3600},
    }
    env = {
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": SECRETS["telegram"],
        "TELEGRAM_API_URL": f"{api.url}/telegram",
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRETS["slack"],
        "SLACK_API_URL": f"{api.url}/slack",
        "FACEBOOK_VERIFY_TOKEN": "verify-me",
        "FACEBOOK_APP_SECRET": SECRETS["facebook"],
        "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token",
        "FACEBOOK_API_URL": f"{api.url}/facebook",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": SECRETS["twilio"],
        "TWILIO_WEBHOOK_URL": f"http://127.0.0.1:{RASA_PORT}/webhooks/twilio/webhook",
        "TWILIO_API_URL": f"{api.url}/twilio",
        "BOTFRAMEWORK_APP_ID": BOT_APP_ID,
        "BOTFRAMEWORK_APP_PASSWORD": "app-password",
        "BOTFRAMEWORK_OPENID_URL": f"{api.url}/botframework/openid",
        "BOTFRAMEWORK_TOKEN_URL": f"{api.url}/botframework/token",
    }
    RESULTS.mkdir(exist_ok=True)
    CHANNELS_DB.unlink(missing_ok=True)
    with (
        open(RESULTS / "channels.log", "w") as log,
        servers.running(RASA_PORT, ACTION_PORT, log=log, env=env, tracker_db=CHANNELS_DB, api_token=API_TOKEN),
    ):
        yield api
    api.stop()


def webhook(name: str) -> str:
    return f"http://127.0.0.1:{RASA_PORT}/webhooks/{name}/webhook"


def one_of(domain, *names):
    return set(response_texts(domain, *names))


# ------------------------------------------------------------------ Telegram
def telegram_update(chat_id: int, text: str) -> dict:
    return {
        "update_id": int(time.time() * 1000) % 10**9,
        "message": {
            "message_id": 7,
            "date": int(time.time()),
            "text": text,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "en"},
            "chat": {"id": chat_id, "first_name": "Sam", "type": "private"},
        },
    }


def telegram_say(platform, chat_id: int, text: str, secret=SECRETS["telegram"]):
    mark = platform.mark()
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    answer = requests.post(webhook("telegram"), json=telegram_update(chat_id, text), headers=headers, timeout=30)
    sent = [c.json() for c in platform.calls[mark:] if c.path == f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage"]
    return answer, sent


def test_telegram_answer_with_a_reply_keyboard_and_a_tapped_option(platform, domain):
    chat = 41000 + uuid.uuid4().int % 1000
    answer, sent = telegram_say(platform, chat, "what is kratom")
    assert answer.status_code == 200
    assert sent[0]["chat_id"] == str(chat) or sent[0]["chat_id"] == chat
    assert sent[0]["text"] in one_of(domain, "utter_what_is_kratom")  # the whole answer, source included
    keyboard = sent[0]["reply_markup"]["keyboard"]
    assert [row[0]["text"] for row in keyboard] == [
        b["title"] for b in domain["responses"]["utter_what_is_kratom"][0]["buttons"]
    ]
    # A tap on a reply keyboard sends the button's title as text.
    _, sent = telegram_say(platform, chat, "Risks")
    assert sent[0]["text"] in one_of(domain, "utter_risks")


def test_telegram_dosing_question_is_refused(platform, domain):
    _, sent = telegram_say(platform, 42001, "how many grams should i take")
    assert sent and sent[0]["text"] in one_of(domain, "utter_dosing_refusal")


@pytest.mark.parametrize("secret", [None, "guessed-secret"])
def test_telegram_update_without_the_secret_token_is_refused(platform, secret):
    answer, sent = telegram_say(platform, 42002, "what is kratom", secret=secret)
    assert answer.status_code == 403
    assert sent == []


# ------------------------------------------------------------------ Slack
def slack_post(body: bytes, content_type: str, secret=SECRETS["slack"], timestamp=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return requests.post(
        webhook("slack"),
        data=body,
        timeout=30,
        headers={"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature},
    )


def slack_event(user: str, text: str) -> bytes:
    return json.dumps(
        {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:8],
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel_type": "im",
                "user": user,
                "text": text,
                "ts": f"{time.time():.6f}",
                "channel": "D" + user,
                "team": "T1",
            },
        }
    ).encode()


def slack_sent(platform, mark):
    return [c for c in platform.calls[mark:] if c.path == "/slack/chat.postMessage"]


def test_slack_answer_with_buttons_and_a_click(platform, domain):
    user = "U" + uuid.uuid4().hex[:8].upper()
    mark = platform.mark()
    assert slack_post(slack_event(user, "what is kratom"), "application/json").status_code == 200
    reply = slack_sent(platform, mark)[0]
    assert reply.headers["authorization"] == "Bearer xoxb-test"
    body = reply.json()
    assert body["channel"] == "D" + user
    assert body["blocks"][0]["text"]["text"] in {escape(t) for t in one_of(domain, "utter_what_is_kratom")}
    buttons = body["blocks"][1]["elements"]
    assert [b["value"] for b in buttons] == [
        b["payload"] for b in domain["responses"]["utter_what_is_kratom"][0]["buttons"]
    ]
    # A click arrives as an interactive payload, form-encoded.
    click = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": "D" + user},
        "actions": [{"action_id": buttons[1]["action_id"], "value": buttons[1]["value"], "type": "button"}],
    }
    mark = platform.mark()
    form = urlencode({"payload": json.dumps(click)}).encode()
    assert slack_post(form, "application/x-www-form-urlencoded").status_code == 200
    assert slack_sent(platform, mark)[0].json()["blocks"][0]["text"]["text"] in {
        escape(t) for t in one_of(domain, "utter_risks")
    }


def test_slack_dosing_question_is_refused(platform, domain):
    mark = platform.mark()
    slack_post(slack_event("UDOSE1", "what dose of kratom should I take for pain"), "application/json")
    assert slack_sent(platform, mark)[0].json()["text"] in {escape(t) for t in one_of(domain, "utter_dosing_refusal")}


def test_slack_url_verification_needs_a_signature_too(platform):
    body = json.dumps({"type": "url_verification", "challenge": "abc123"}).encode()
    assert slack_post(body, "application/json").json() == {"challenge": "abc123"}
    assert slack_post(body, "application/json", secret="wrong").status_code == 401


@pytest.mark.parametrize("secret, age", [("wrong-secret", 0), (SECRETS["slack"], 600)])
def test_slack_bad_or_replayed_signature_is_refused(platform, secret, age):
    mark = platform.mark()
    answer = slack_post(
        slack_event("UBAD01", "what is kratom"), "application/json", secret=secret, timestamp=int(time.time()) - age
    )
    assert answer.status_code == 401
    assert slack_sent(platform, mark) == []


# ------------------------------------------------------------------ Facebook Messenger
def messenger_post(message: dict, sender: str, secret=SECRETS["facebook"], header="X-Hub-Signature"):
    body = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "PAGE1",
                    "time": int(time.time() * 1000),
                    "messaging": [
                        {
                            "sender": {"id": sender},
                            "recipient": {"id": "PAGE1"},
                            "timestamp": int(time.time() * 1000),
                            "message": dict(message, mid="m_" + uuid.uuid4().hex),
                        }
                    ],
                }
            ],
        }
    ).encode()
    digest = hashlib.sha1 if header == "X-Hub-Signature" else hashlib.sha256
    prefix = "sha1=" if header == "X-Hub-Signature" else "sha256="
    signature = prefix + hmac.new(secret.encode(), body, digest).hexdigest()
    return requests.post(
        webhook("facebook"), data=body, timeout=30, headers={"Content-Type": "application/json", header: signature}
    )


def messenger_sent(platform, mark):
    return [c for c in platform.calls[mark:] if c.path == "/facebook/me/messages"]


def test_messenger_subscription_check(platform):
    good = requests.get(
        webhook("facebook"),
        params={"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
        timeout=10,
    )
    assert good.status_code == 200 and good.text == "1158201444"
    bad = requests.get(
        webhook("facebook"),
        params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        timeout=10,
    )
    assert bad.status_code == 403


@pytest.mark.parametrize("header", ["X-Hub-Signature", "X-Hub-Signature-256"])
def test_messenger_answer_with_quick_replies_and_a_tap(platform, domain, header):
    sender = uuid.uuid4().hex[:16]
    mark = platform.mark()
    assert messenger_post({"text": "what is kratom"}, sender, header=header).status_code == 200
    reply = messenger_sent(platform, mark)[0]
    assert reply.query["access_token"] == "page-token"
    body = reply.json()
    assert body["recipient"] == {"id": sender}
    assert body["message"]["text"] in one_of(domain, "utter_what_is_kratom")
    quick = body["message"]["quick_replies"]
    assert 1 <= len(quick) <= 3 and all(len(q["title"]) <= 20 for q in quick)
    mark = platform.mark()
    messenger_post({"text": quick[1]["title"], "quick_reply": {"payload": quick[1]["payload"]}}, sender, header=header)
    assert messenger_sent(platform, mark)[0].json()["message"]["text"] in one_of(domain, "utter_risks")


def test_messenger_long_menu_uses_its_three_option_variation(platform, domain):
    mark = platform.mark()
    messenger_post({"text": "what can you do"}, uuid.uuid4().hex[:16])
    message = messenger_sent(platform, mark)[0].json()["message"]
    facebook = [v for v in domain["responses"]["utter_capabilities"] if v.get("channel") == "facebook"]
    assert message["text"] == facebook[0]["text"]
    assert len(message["quick_replies"]) == 3


def test_messenger_dosing_question_is_refused(platform, domain):
    mark = platform.mark()
    messenger_post({"text": "how many capsules is a good dose"}, uuid.uuid4().hex[:16])
    assert messenger_sent(platform, mark)[0].json()["message"]["text"] in one_of(domain, "utter_dosing_refusal")


@pytest.mark.parametrize("header", ["X-Hub-Signature", "X-Hub-Signature-256"])
def test_messenger_bad_signature_is_refused(platform, header):
    mark = platform.mark()
    answer = messenger_post({"text": "what is kratom"}, "forged", secret="not-the-app-secret", header=header)
    assert answer.status_code == 403
    assert messenger_sent(platform, mark) == []


# ------------------------------------------------------------------ Twilio SMS and WhatsApp
def twilio_post(sender: str, text: str, to="+15557654321", auth_token=SECRETS["twilio"]):
    form = {
        "ToCountry": "US",
        "SmsMessageSid": "SM" + uuid.uuid4().hex,
        "NumMedia": "0",
        "SmsSid": "SM1",
        "SmsStatus": "received",
        "Body": text,
        "To": to,
        "NumSegments": "1",
        "MessageSid": "SM2",
        "AccountSid": TWILIO_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator(auth_token).compute_signature(webhook("twilio"), form)
    return requests.post(webhook("twilio"), data=form, headers={"X-Twilio-Signature": signature}, timeout=30)


def twilio_sent(platform, mark):
    return [c for c in platform.calls[mark:] if c.path == f"/twilio/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"]


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_twilio_answer_with_numbered_options_answered_by_number(platform, domain, channel):
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    sender, ours = f"{prefix}+1555{uuid.uuid4().int % 10**7:07d}", f"{prefix}+15557654321"
    mark = platform.mark()
    answer = twilio_post(sender, "what is kratom", to=ours)
    assert answer.status_code == 200 and "<Response>" in answer.text
    reply = twilio_sent(platform, mark)[0]
    assert (
        reply.headers["authorization"]
        == "Basic " + base64.b64encode(f"{TWILIO_SID}:{SECRETS['twilio']}".encode()).decode()
    )
    form = reply.form()
    assert (form["To"], form["From"]) == (sender, ours)
    buttons = domain["responses"]["utter_what_is_kratom"][0]["buttons"]
    options = "\n".join(f"{n}. {b['title']}" for n, b in enumerate(buttons, 1))
    hint = domain["responses"]["utter_choose_by_number"][0]["text"]
    assert any(form["Body"] == f"{text}\n\n{hint}\n{options}" for text in one_of(domain, "utter_what_is_kratom"))
    mark = platform.mark()
    twilio_post(sender, "2", to=ours)  # the second option: Risks
    assert twilio_sent(platform, mark)[0].form()["Body"].startswith(tuple(one_of(domain, "utter_risks")))


def test_twilio_number_without_options_is_just_text(platform, domain):
    sender = "+15550000001"
    mark = platform.mark()
    twilio_post(sender, "thanks")
    twilio_post(sender, "7")
    bodies = [c.form()["Body"] for c in twilio_sent(platform, mark)]
    assert bodies and not any(b in one_of(domain, "utter_drug_test") for b in bodies)


def test_twilio_dosing_question_is_refused(platform, domain):
    mark = platform.mark()
    twilio_post("+15550000002", "how much kratom should i take to taper")
    assert twilio_sent(platform, mark)[0].form()["Body"] in one_of(domain, "utter_dosing_refusal")


def test_twilio_bad_signature_is_refused(platform):
    mark = platform.mark()
    answer = twilio_post("+15550000003", "what is kratom", auth_token="not-the-auth-token")
    assert answer.status_code == 403
    assert twilio_sent(platform, mark) == []


# ------------------------------------------------------------------ Microsoft Bot Framework
def activity(platform, user: str, text: str) -> dict:
    return {
        "type": "message",
        "id": "act-" + uuid.uuid4().hex[:8],
        "timestamp": "2026-11-22T08:00:00.000Z",
        "serviceUrl": f"{platform.url}/botframework/service",
        "channelId": "msteams",
        "from": {"id": user, "name": "Sam"},
        "conversation": {"id": "conv-" + user},
        "recipient": {"id": BOT_APP_ID, "name": "kratom-info"},
        "text": text,
        "textFormat": "plain",
    }


def bot_framework_token(service_url: str, key=SIGNING_KEY, audience=BOT_APP_ID) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": audience,
        "iat": now,
        "nbf": now - 5,
        "exp": now + 600,
        "serviceUrl": service_url,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "test-key"})


def bot_framework_post(body: dict, token: str):
    return requests.post(webhook("botframework"), json=body, timeout=30, headers={"Authorization": f"Bearer {token}"})


def bot_framework_sent(platform, mark, body):
    path = f"/botframework/service/v3/conversations/{body['conversation']['id']}/activities/{body['id']}"
    return [c for c in platform.calls[mark:] if c.path == path]


def test_bot_framework_answer_with_suggested_actions_and_a_tap(platform, domain):
    user = "29:" + uuid.uuid4().hex[:10]
    body = activity(platform, user, "what is kratom")
    mark = platform.mark()
    assert bot_framework_post(body, bot_framework_token(body["serviceUrl"])).status_code == 200
    reply = bot_framework_sent(platform, mark, body)[0]
    assert reply.headers["authorization"] == "Bearer outgoing-token"
    sent = reply.json()
    assert sent["text"] in one_of(domain, "utter_what_is_kratom")
    assert sent["replyToId"] == body["id"] and sent["recipient"]["id"] == user
    titles = [a["title"] for a in sent["suggestedActions"]["actions"]]
    assert titles == [b["title"] for b in domain["responses"]["utter_what_is_kratom"][0]["buttons"]]
    tap = activity(platform, user, titles[1])  # imBack sends the title
    mark = platform.mark()
    bot_framework_post(tap, bot_framework_token(tap["serviceUrl"]))
    assert bot_framework_sent(platform, mark, tap)[0].json()["text"] in one_of(domain, "utter_risks")


def test_bot_framework_dosing_question_is_refused(platform, domain):
    body = activity(platform, "29:dosing", "what's a safe amount of kratom per day")
    mark = platform.mark()
    bot_framework_post(body, bot_framework_token(body["serviceUrl"]))
    assert bot_framework_sent(platform, mark, body)[0].json()["text"] in one_of(domain, "utter_dosing_refusal")


@pytest.mark.parametrize("forgery", ["other key", "other audience", "other service", "no token"])
def test_bot_framework_forged_token_is_refused(platform, forgery):
    body = activity(platform, "29:forged", "what is kratom")
    token = {
        "other key": lambda: bot_framework_token(body["serviceUrl"], key=FORGED_KEY),
        "other audience": lambda: bot_framework_token(body["serviceUrl"], audience="someone-else"),
        "other service": lambda: bot_framework_token("https://elsewhere.invalid/"),
        "no token": lambda: "",
    }[forgery]()
    mark = platform.mark()
    assert bot_framework_post(body, token).status_code == 401
    assert bot_framework_sent(platform, mark, body) == []


# ------------------------------------------------------------------ Privacy, on every platform
def say_on(name: str, platform, user: str, text: str) -> None:
    if name == "telegram":
        telegram_say(platform, int(user), text)
    elif name == "slack":
        slack_post(slack_event(user, text), "application/json")
    elif name == "facebook":
        messenger_post({"text": text}, user)
    elif name == "twilio":
        twilio_post(user, text)
    else:
        body = activity(platform, user, text)
        bot_framework_post(body, bot_framework_token(body["serviceUrl"]))


def new_user(name: str) -> str:
    n = uuid.uuid4().int
    return {
        "telegram": str(42000 + n % 100000),
        "slack": "U" + uuid.uuid4().hex[:8].upper(),
        "facebook": uuid.uuid4().hex[:16],
        "twilio": f"+1555{n % 10**7:07d}",
        "botframework": "29:" + uuid.uuid4().hex[:10],
    }[name]


def eventually(check, timeout: float = 15.0):
    """check()'s result once it is truthy (platforms may answer after the webhook returns)."""
    deadline = time.monotonic() + timeout
    while not (result := check()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return result


@pytest.mark.parametrize("name", ["telegram", "slack", "facebook", "twilio", "botframework"])
def test_details_are_not_stored_and_forget_deletes_the_conversation(platform, domain, name):
    user, details, marker = new_user(name), personal_details(), f"okapi{uuid.uuid4().hex[:8]}"
    say_on(name, platform, user, message_with(details) + f" {marker}")
    say_on(name, platform, user, f"is kratom legal {marker}")

    def stored():
        return [row for row in stored_data(CHANNELS_DB) if marker in row]

    assert eventually(lambda: len([row for row in stored() if '"event": "user"' in row]) >= 2), name
    assert any("[name]" in row and "[email]" in row for row in stored())
    assert found(details, stored_data(CHANNELS_DB)) == []
    assert found(details, [(RESULTS / "channels.log").read_text(errors="replace")]) == []
    tracker = requests.get(
        f"http://127.0.0.1:{RASA_PORT}/conversations/{quote(user, safe='+:')}/tracker",
        params={"token": API_TOKEN},
        timeout=30,
    ).text
    assert marker in tracker and found(details, [tracker]) == [], name
    mark = platform.mark()
    say_on(name, platform, user, "/forget")
    assert eventually(
        lambda: [c for c in platform.calls[mark:] if "deleted this conversation" in unquote_plus(c.body.decode())]
    ), name
    assert eventually(lambda: not stored()), name
