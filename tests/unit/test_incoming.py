"""The length cap and clean-up every channel applies before the assistant sees a message."""

from kratom_assistant.channels.incoming import MAX_CHARS, TOO_LONG, prepare


def test_a_message_within_the_cap_is_kept_as_typed():
    assert prepare("is kratom addictive") == "is kratom addictive"
    assert prepare("x" * MAX_CHARS) == "x" * MAX_CHARS


def test_control_characters_are_dropped_but_lines_kept():
    assert prepare("hi\x00\x07\x1b[31m there\nsecond\tline") == "hi   [31m there\nsecond\tline"


def test_an_overlong_message_gets_the_too_long_reply():
    assert prepare("kratom " * 15000) == TOO_LONG
    assert prepare("how many grams should I take " * 200) == TOO_LONG


def test_a_crisis_in_an_overlong_message_still_comes_first():
    story = "I have been using kratom for years and things got worse. " * 100
    assert prepare(story + "Honestly I want to kill myself.") == "/express_self_harm"
    assert prepare(story + "My friend is not breathing and his lips are blue.") == "/report_emergency"


async def test_a_failure_is_answered_with_the_curated_unavailable_reply(domain):
    from types import SimpleNamespace

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.shared.core.domain import Domain
    from sanic import Sanic

    from kratom_assistant.channels.incoming import preparing

    # The reply comes from the domain the server loaded with its model, never from a file.
    app = Sanic("incoming_test")
    app.ctx.agent = SimpleNamespace(domain=Domain.from_dict(domain))

    async def failing(_message):
        raise ConnectionError("store down")

    output = CollectingOutputChannel()
    await preparing(failing)(UserMessage("is kratom legal", output, "someone"))
    assert [m["text"] for m in output.messages] == [domain["responses"]["utter_service_unavailable"][0]["text"]]


async def test_a_client_leaving_mid_answer_is_logged_without_its_text(caplog):
    import asyncio

    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from kratom_assistant.channels.incoming import preparing

    async def cancelled(_message):
        raise asyncio.CancelledError()

    await preparing(cancelled)(UserMessage("my secret question", CollectingOutputChannel(), "someone"))
    assert "my secret question" not in caplog.text and "left before its answer" in caplog.text
