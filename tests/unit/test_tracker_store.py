"""The conversation store reads back a bounded window plus the slots, and stores every
event exactly once (kratom_assistant/stores/tracker_store.py)."""

import asyncio
import json

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from kratom_assistant.stores import tracker_store
from kratom_assistant.stores.tracker_store import RECENT_EVENTS, ConversationStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, inform_country]
slots:
  country: {type: text, mappings: [{type: custom}]}
  dosing_refused: {type: bool, mappings: [{type: custom}]}
responses:
  utter_greet: [{text: hi}]
"""
)


def turn(tracker, number: int) -> None:
    tracker.update(UserUttered(f"message {number}", {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered("hi"))
    tracker.update(ActionExecuted("action_listen"))


@pytest.fixture
def store(tmp_path):
    return ConversationStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "conversations.db"))


def stored_events(store, sender):
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.select(tracker_store.EVENTS.c.data).where(tracker_store.EVENTS.c.sender_id == store.stored_id(sender))
        )
        return [json.loads(data) for (data,) in rows]


@pytest.mark.filterwarnings("ignore")
def test_a_long_conversation_comes_back_as_a_window_with_its_slots_and_is_stored_whole(store):
    tracker = asyncio.run(store.create_tracker("person"))
    tracker.update(SlotSet("country", "australia"))
    asyncio.run(store.save(tracker))
    for number in range(100):  # 400 events, saved turn by turn as Rasa saves them
        tracker = asyncio.run(store.retrieve("person"))
        turn(tracker, number)
        if number == 50:
            tracker.update(SlotSet("dosing_refused", True))
        asyncio.run(store.save(tracker))
    back = asyncio.run(store.retrieve("person"))
    assert len(back.events) <= RECENT_EVENTS + len(DOMAIN.slots)
    assert back.get_slot("country") == "australia" and back.get_slot("dosing_refused") is True
    window = [e for e in back.events if not isinstance(e, SlotSet)]
    assert window[0] == ActionExecuted("action_listen")  # begins with a whole turn
    assert back.latest_message.text == "message 99"
    # Every event stored once, in order, and none of the slot values put in front of the window.
    texts = [e["text"] for e in stored_events(store, "person") if e["event"] == "user"]
    assert texts == [f"message {n}" for n in range(100)]
    assert len(stored_events(store, "person")) == 1 + 1 + 100 * 4 + 1


@pytest.mark.filterwarnings("ignore")
def test_a_new_session_inside_the_window_starts_the_tracker_as_rasa_does(store):
    tracker = asyncio.run(store.create_tracker("person"))
    for number in range(30):
        turn(tracker, number)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(SlotSet("country", "uk"))
    turn(tracker, 30)
    asyncio.run(store.save(tracker))
    back = asyncio.run(store.retrieve("person"))
    assert isinstance(back.events[0], SessionStarted)
    assert back.get_slot("country") == "uk" and back.latest_message.text == "message 30"


@pytest.mark.filterwarnings("ignore")
def test_a_conversation_stored_before_the_snapshots_comes_back_whole(store):
    tracker = asyncio.run(store.create_tracker("person"))
    tracker.update(SlotSet("country", "ireland"))
    for number in range(40):
        turn(tracker, number)
    asyncio.run(store.save(tracker))
    with store.engine.begin() as connection:
        connection.execute(tracker_store.SLOTS.delete())
    back = asyncio.run(store.retrieve("person"))
    assert back.get_slot("country") == "ireland" and len(back.events) == len(tracker.events)


def test_the_window_is_cut_at_a_turn_boundary():
    events = [{"event": "bot", "text": "x"}, {"event": "action", "name": "action_listen"}, {"event": "user"}]
    assert tracker_store.from_turn_boundary(events) == events[1:]


@pytest.mark.filterwarnings("ignore")
def test_a_message_is_stored_without_personal_details_and_the_tracker_keeps_working(store):
    tracker = asyncio.run(store.create_tracker("person"))
    tracker.update(UserUttered("my name is Sarah, call me on 07700 900123", {"name": "greet", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    turn(tracker, 1)
    asyncio.run(store.save(tracker))  # the scrubbed message is still found as stored: nothing twice
    stored = stored_events(store, "person")
    assert [e["text"] for e in stored if e["event"] == "user"] == ["my name is [name], call me on [phone]", "message 1"]


def test_metadata_from_a_channel_is_scrubbed_and_rasas_own_ids_are_kept():
    event = UserUttered(
        "hi",
        {"name": "greet", "confidence": 1.0},
        metadata={"model_id": "20261130123456789", "note": "ring me on 07700 900123"},
    )
    assert tracker_store.stored_form(event)["metadata"] == {
        "model_id": "20261130123456789",
        "note": "ring me on [phone]",
    }


@pytest.mark.filterwarnings("ignore")
def test_a_turn_that_confirms_forget_me_deletes_every_session_of_the_conversation(store):
    tracker = asyncio.run(store.create_tracker("person"))
    tracker.update(SlotSet("country", "uk"))
    turn(tracker, 1)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    turn(tracker, 2)
    asyncio.run(store.save(tracker))
    asyncio.run(store.save(asyncio.run(store.create_tracker("someone else"))))
    tracker = asyncio.run(store.retrieve("person"))
    tracker.update(UserUttered("/forget", {"name": "forget", "confidence": 1.0}))
    tracker.update(ActionExecuted(tracker_store.FORGET_REPLY))
    asyncio.run(store.save(tracker))
    assert stored_events(store, "person") == [] and asyncio.run(store.retrieve("person")) is None
    with store.engine.connect() as connection:
        stored = [s for (s,) in connection.execute(sa.select(tracker_store.SLOTS.c.sender_id))]
    assert stored == [store.stored_id("someone else")]
    assert stored_events(store, "someone else")


@pytest.mark.filterwarnings("ignore")
def test_conversations_are_stored_under_a_keyed_hash_of_their_id(store, tmp_path, monkeypatch):
    phone = "whatsapp:+447700900123"
    tracker = asyncio.run(store.create_tracker(phone))
    turn(tracker, 1)
    asyncio.run(store.save(tracker))
    with store.engine.connect() as connection:
        ids = {s for (s,) in connection.execute(sa.select(tracker_store.EVENTS.c.sender_id))}
    assert ids == {store.stored_id(phone)} and "447700900123" not in store.stored_id(phone)
    assert asyncio.run(store.retrieve(phone)).sender_id == phone  # the channel still gets its id back
    assert asyncio.run(store.retrieve_full_tracker(phone)).latest_message.text == "message 1"
    # The same database gives the same ids to every server; another key gives others.
    again = ConversationStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "conversations.db"))
    assert again.stored_id(phone) == store.stored_id(phone)
    monkeypatch.setenv("CONVERSATION_ID_KEY", "a secret from the deployment")
    keyed = ConversationStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "conversations.db"))
    assert keyed.stored_id(phone) != store.stored_id(phone)


@pytest.mark.filterwarnings("ignore")
def test_a_save_builds_the_stored_form_only_of_the_new_events_and_the_last_stored_one(store, monkeypatch):
    tracker = asyncio.run(store.create_tracker("person"))
    for number in range(50):
        turn(tracker, number)
    asyncio.run(store.save(tracker))
    built = []
    real = tracker_store.stored_form
    monkeypatch.setattr(tracker_store, "stored_form", lambda event: built.append(event) or real(event))
    turn(tracker, 50)  # four new events after the 200 the tracker already holds
    asyncio.run(store.save(tracker))
    assert len(built) == 1 + 4  # the last stored event, found by its time, then the new rows
    assert [e["text"] for e in stored_events(store, "person") if e["event"] == "user"][-1] == "message 50"
