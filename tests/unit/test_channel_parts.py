"""The platform channels' parts without a server: which channels credentials enable, how a
typed choice maps to a quick reply, and which webhook bodies count as a person's message."""

import yaml

from kratom_assistant.channels import config, facebook, slack, telegram, twilio
from kratom_assistant.channels.base import NON_TEXT_MESSAGE, chosen_payload

BUTTONS = [{"title": "Effects", "payload": "/ask_effects"}, {"title": "Risks", "payload": "/ask_risks"}]


def test_a_platform_is_on_only_when_all_its_variables_are_set():
    blocks = config.read()
    assert set(config.enabled_blocks(blocks, {})) == {
        "kratom_assistant.channels.web.RestInput",
        "kratom_assistant.channels.web.SocketIOInput",
    }
    half = {"TELEGRAM_TOKEN": "1:abc"}
    assert "kratom_assistant.channels.telegram.TelegramInput" not in config.enabled_blocks(blocks, half)
    both = dict(half, TELEGRAM_SECRET_TOKEN="s")
    assert "kratom_assistant.channels.telegram.TelegramInput" in config.enabled_blocks(blocks, both)
    assert config.missing_variables(blocks, both)["Slack"] == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]


def test_the_written_credentials_keep_placeholders_not_secrets(tmp_path):
    environ = {"TELEGRAM_TOKEN": "1:real-secret", "TELEGRAM_SECRET_TOKEN": "s3cret"}
    written = config.write_enabled(environ, target=tmp_path / "credentials.yml")
    assert written == tmp_path / "credentials.yml"
    text = written.read_text()
    assert "real-secret" not in text and "s3cret" not in text and "${TELEGRAM_TOKEN}" in text
    assert (
        yaml.safe_load(text.replace("$", ""))["kratom_assistant.channels.web.SocketIOInput"]["session_persistence"]
        is True
    )


def test_every_platform_block_reads_its_secrets_from_the_environment():
    for channel, block in config.read().items():
        for value in (block or {}).values():
            if not channel.startswith("kratom_assistant.channels.web."):
                assert config.PLACEHOLDER.fullmatch(str(value)), (channel, value)


def test_a_choice_by_number_or_title_becomes_its_payload():
    assert chosen_payload("2", BUTTONS) == "/ask_risks"
    assert chosen_payload(" 1. ", BUTTONS) == "/ask_effects"
    assert chosen_payload("risks", BUTTONS) == "/ask_risks"
    assert chosen_payload("3", BUTTONS) is None
    assert chosen_payload("0", BUTTONS) is None
    assert chosen_payload("2", []) is None
    assert chosen_payload("what are the risks", BUTTONS) is None


def test_sms_options_are_a_numbered_list_under_the_answer():
    assert twilio.numbered("Answer.", BUTTONS, "Reply with a number.") == (
        "Answer.\n\nReply with a number.\n1. Effects\n2. Risks"
    )
    assert twilio.numbered("Answer.", [], "Reply with a number.") == "Answer."


def test_telegram_updates_that_are_a_persons_message():
    update = {"message": {"chat": {"id": 5}, "text": "hi"}}
    assert telegram.message_in(update) == ("5", "hi")
    assert telegram.message_in({"message": {"chat": {"id": 5}, "sticker": {}}}) == ("5", NON_TEXT_MESSAGE)
    assert telegram.message_in({"edited_message": {"chat": {"id": 5}, "text": "x"}}) is None
    assert telegram.message_in({}) is None
    assert telegram.message_in({"message": {"chat": {"id": 5}, "text": "/start"}}) == ("5", "/greet")
    assert telegram.message_in({"message": {"chat": {"id": 5}, "text": "/help@KratomBot"}}) == (
        "5",
        "/ask_capabilities",
    )


def test_slack_events_that_are_a_persons_message():
    def event(**fields):
        return {
            "type": "event_callback",
            "event": dict(
                {"type": "message", "channel_type": "im", "user": "U1", "channel": "D1", "text": "hi"}, **fields
            ),
        }

    assert slack.message_in(event()) == ("U1", "D1", "hi")
    assert slack.message_in(event(bot_id="B1")) is None  # our own reply
    assert slack.message_in(event(subtype="message_changed")) is None
    assert slack.message_in(event(channel_type="channel")) is None  # answered as an app_mention
    assert slack.message_in(event(type="app_mention", channel_type=None, text="<@U0BOT> hi")) == ("U1", "D1", "hi")
    assert slack.escape("a < b & c") == "a &lt; b &amp; c"


def test_messenger_events_that_are_a_persons_message():
    body = {
        "entry": [
            {
                "messaging": [
                    {"sender": {"id": "1"}, "message": {"text": "hi"}},
                    {"sender": {"id": "1"}, "message": {"text": "hi", "is_echo": True}},
                    {"sender": {"id": "2"}, "message": {"text": "Risks", "quick_reply": {"payload": "/ask_risks"}}},
                    {"sender": {"id": "3"}, "message": {"attachments": [{"type": "image"}]}},
                    {"sender": {"id": "4"}, "postback": {"payload": "/greet"}},
                    {"sender": {"id": "5"}, "delivery": {"mids": []}},
                ]
            }
        ]
    }
    assert list(facebook.messages_in(body)) == [
        ("1", "hi"),
        ("2", "/ask_risks"),
        ("3", NON_TEXT_MESSAGE),
        ("4", "/greet"),
    ]


def test_credentials_yml_works_as_it_is_with_rasa(monkeypatch):
    # No platform variable set: Rasa itself reads the file (it fails on an unset ${VARIABLE}).
    from rasa.core.run import create_http_input_channels

    for name in config.variables({k: v for b in config.read().values() for k, v in (b or {}).items()}):
        monkeypatch.delenv(name, raising=False)
    channels = create_http_input_channels(None, str(config.CREDENTIALS))
    assert sorted(c.name() for c in channels) == ["rest", "socketio"]
