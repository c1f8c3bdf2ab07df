"""Persistence and privacy: conversations survive a restart of the Rasa server (SQLite
store, as `make run` keeps them), `make purge` deletes idle ones, and the logs at the
default level never hold what people wrote."""

import asyncio
import time
import uuid

import pytest
import sqlalchemy
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from kratom_assistant.stores.tracker_store import SLOTS, ConversationStore
from tests.conftest import RESULTS
from tools import purge, servers
from tools.content_audit import response_texts

RASA_PORT, ACTION_PORT = 5765, 5775
DAY = 86400


def firm_refusal(domain):
    """The refusal wording for someone who asks again (dosing_refused already set)."""
    return [
        v["text"].strip()
        for v in domain["responses"]["utter_dosing_refusal"]
        if {"type": "slot", "name": "dosing_refused", "value": True} in (v.get("condition") or [])
    ]


def test_a_conversation_continues_after_a_rasa_restart_and_logs_hold_no_message_text(tmp_path, domain):
    db = tmp_path / "conversations.db"
    sender, marker = uuid.uuid4().hex, f"zebra{uuid.uuid4().hex[:8]}"
    RESULTS.mkdir(exist_ok=True)
    log_path = RESULTS / "persistence.log"
    with open(log_path, "w") as log, servers.running(RASA_PORT, ACTION_PORT, log=log, tracker_db=db) as (rasa, _):
        client = servers.RestClient(f"http://127.0.0.1:{RASA_PORT}")
        first = client.texts(f"how many grams of kratom should I take {marker}", sender)
        assert first[0] in response_texts(domain, "utter_dosing_refusal")
        assert first[0] not in firm_refusal(domain)
        servers.stop(rasa)  # the action server keeps running
        assert not rasa.config_dir.exists()  # its endpoints and credentials files are removed
        restarted = servers.start_rasa_server(RASA_PORT, ACTION_PORT, log=log, tracker_db=db)
        try:
            servers.wait_ready(f"http://127.0.0.1:{RASA_PORT}/", restarted)
            again = client.texts("ok but how much should I take", sender)
            # The firmer wording needs the slot from before the restart: the store kept it.
            assert again[0] in firm_refusal(domain)
        finally:
            servers.stop(restarted)
    assert db.stat().st_size > 0
    assert marker not in log_path.read_text(errors="replace")


def save_conversation(store, sender: str, *message_times: float) -> None:
    tracker = DialogueStateTracker(sender, slots=[])
    for when in message_times:
        tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}, timestamp=when))
    asyncio.run(store.save(tracker))


@pytest.mark.filterwarnings("ignore")
def test_purge_deletes_only_conversations_idle_past_the_retention(tmp_path):
    db = tmp_path / "conversations.db"
    store = ConversationStore(Domain.empty(), dialect="sqlite", db=str(db))
    now = time.time()
    save_conversation(store, "idle-40-days", now - 40 * DAY)
    save_conversation(store, "idle-10-days", now - 10 * DAY)
    save_conversation(store, "started-long-ago-still-active", now - 60 * DAY, now - 1 * DAY)
    assert purge.purge(f"sqlite:///{db}", days=30, now=now) == 1
    kept = set(asyncio.run(store.keys()))
    assert kept == {store.stored_id("idle-10-days"), store.stored_id("started-long-ago-still-active")}
    with store.engine.connect() as connection:  # the slot snapshots went with the conversations
        assert {s for (s,) in connection.execute(sqlalchemy.select(SLOTS.c.sender_id))} == kept
    assert purge.purge(f"sqlite:///{db}", days=5, now=now) == 1
    assert purge.purge(f"sqlite:///{tmp_path / 'empty.db'}", days=30, now=now) == 0
