"""The conversation store: Rasa's SQL tracker store, same table, with its per-message reads
and writes as SQLAlchemy Core statements instead of ORM queries, and a cost per message
that does not grow with the conversation.

For every message Rasa's SQLTrackerStore builds an ORM query, makes an object of each
stored event, counts the stored events with a second ORM query and inserts the new ones
through the ORM's unit of work, the largest share of the Rasa server's time under load
with SQLite (profiled with py-spy). This store reads the events of the latest session and appends the new ones
with three statements built once, on the same `events` table, so `make purge`, the
PostgreSQL set-up and Rasa's own store all work on the same database. SQLite runs in
write-ahead-log mode (below).

Flat cost per turn. Rasa rebuilds the tracker from every event of the session on each
message, and the rule policy then computes the states of the whole conversation, so a
turn took twelve times longer at message 400 than at message 1 (`make bench`). What
later turns depend on lives in slots (country, substances named, a refusal given, a
pending "which one?"), and no rule looks back more than a few turns. So `retrieve` reads
only the latest RECENT_EVENTS events, cut at a turn boundary, and puts the slot values in
front of them as SlotSet events; the values come from a one-row-per-conversation snapshot
(`conversation_slots`) that `save` updates with the tracker's final slots. Replaying the
window on top of the final values gives the final values again. Every event is still
appended to `events`: the full conversation stays for the API, the purge and forget-me.
`save` finds the new events by locating the last stored event in the tracker, since the
tracker no longer holds the whole session.

Privacy. Conversations are stored under a keyed hash of their id, never the id itself
(a phone number on SMS and WhatsApp; kratom_assistant/privacy/pseudonym.py). What a
person wrote is stored with personal details replaced by placeholders
(kratom_assistant/privacy/scrub.py): the assistant has understood and answered the
original by then. A turn that confirmed "forget me" (FORGET_REPLY) deletes the whole
conversation, every session and the slot snapshot, instead of storing the turn, so the
next message starts afresh.
"""

import json
import logging
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from kratom_assistant.privacy import pseudonym
from kratom_assistant.privacy.scrub import scrub, scrub_values

logger = logging.getLogger(__name__)

EVENTS = SQLTrackerStore.SQLEvent.__table__
# Events read back per message: four turns of about a dozen events, more than any rule
# looks back (the rule policy's work grows with the window: 80 cost 1.3 ms more a turn).
RECENT_EVENTS = 48
SLOTS = sa.Table(
    "conversation_slots",
    sa.MetaData(),
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("slots", sa.Text, nullable=False),
)
_SENDER = sa.bindparam("sender")
LATEST_EVENTS = (
    sa.select(EVENTS.c.type_name, EVENTS.c.data)
    .where(EVENTS.c.sender_id == _SENDER)
    .order_by(EVENTS.c.id.desc())
    .limit(RECENT_EVENTS)
)
# As Rasa's store when the window does not reach back to the session's start and there is
# no snapshot (a conversation stored before the snapshots existed): the whole session.
_SESSION_START = (
    sa.select(sa.func.max(EVENTS.c.timestamp))
    .where(EVENTS.c.sender_id == _SENDER, EVENTS.c.type_name == SessionStarted.type_name)
    .scalar_subquery()
)
LATEST_SESSION_EVENTS = (
    sa.select(EVENTS.c.type_name, EVENTS.c.data)
    .where(EVENTS.c.sender_id == _SENDER, sa.or_(EVENTS.c.timestamp >= _SESSION_START, _SESSION_START.is_(None)))
    .order_by(EVENTS.c.id)
)
ALL_EVENTS = sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == _SENDER).order_by(EVENTS.c.id)
LAST_STORED = sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == _SENDER).order_by(EVENTS.c.id.desc()).limit(1)
READ_SLOTS = sa.select(SLOTS.c.slots).where(SLOTS.c.sender_id == _SENDER)
UPDATE_SLOTS = SLOTS.update().where(SLOTS.c.sender_id == _SENDER).values(slots=sa.bindparam("slots"))
INSERT_SLOTS = SLOTS.insert()
APPEND_EVENT = EVENTS.insert()
FORGET_EVENTS = EVENTS.delete().where(EVENTS.c.sender_id == _SENDER)
FORGET_SLOTS = SLOTS.delete().where(SLOTS.c.sender_id == _SENDER)
# The curated reply to "forget me" (/forget, "delete my conversation", the widget's button).
FORGET_REPLY = "utter_conversation_forgotten"


def _normalised(data: Dict[Text, Any]) -> Any:
    return json.loads(json.dumps(data))


# What Rasa itself puts in every event's metadata: the model's and assistant's ids, not
# personal details (a model id's run of digits would cost a phone-number search per message).
RASA_METADATA = frozenset({"model_id", "assistant_id"})


def stored_form(event: Event) -> Dict[Text, Any]:
    """The event as it is stored: a user's message without personal details (in its
    text, the parse result's text and entity values, and any metadata)."""
    data = event.as_dict()
    if isinstance(event, UserUttered):
        data["text"] = scrub(data.get("text"))
        parse = data.get("parse_data") or {}
        parse["text"] = scrub(parse.get("text"))
        for entity in parse.get("entities") or []:
            if isinstance(entity.get("value"), str):
                entity["value"] = scrub(entity["value"])
        if data.get("metadata"):
            data["metadata"] = {
                key: value if key in RASA_METADATA else scrub_values(value) for key, value in data["metadata"].items()
            }
    return data


def forgets(events: List[Event]) -> bool:
    return any(isinstance(event, ActionExecuted) and event.action_name == FORGET_REPLY for event in events)


def recent_window(rows: List[tuple]) -> Optional[List[Dict[Text, Any]]]:
    """The events of `rows` (the latest stored, oldest first) from the session's start, as
    in Rasa's store, or None when the window does not reach back to it."""
    events = [json.loads(data) for _, data in rows]
    starts = [i for i, (type_name, _) in enumerate(rows) if type_name == SessionStarted.type_name]
    if starts:
        return events[starts[-1] :]
    if len(rows) < RECENT_EVENTS:
        return events  # the whole conversation
    return None


def from_turn_boundary(events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """From the first `action_listen` on, so that the window begins with a whole turn."""
    for i, event in enumerate(events):
        if event.get("event") == ActionExecuted.type_name and event.get("name") == ACTION_LISTEN_NAME:
            return events[i:]
    return events


def _write_ahead_log(connection, _record) -> None:
    """SQLite in write-ahead-log mode, synced at checkpoints rather than at every commit:
    a commit survives the server being killed; only a power cut or an operating system
    crash can lose the last commits. Without this each message waited for a disk sync
    (a measurable share of the throughput)."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


class ConversationStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs) -> None:
        if kwargs.get("dialect", "sqlite") == "sqlite" and kwargs.get("db"):
            # endpoints.yml names var/conversations.db: a fresh clone has no var/ yet.
            Path(kwargs["db"]).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # One kept connection (the server is one thread) instead of SQLAlchemy's
            # default for SQLite files, a new connection for every message.
            self.engine.dispose()
            self.engine = sa.create_engine(
                self.engine.url, poolclass=sa.pool.QueuePool, pool_size=1, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _write_ahead_log)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
        pseudonym.create_table(SLOTS, self.engine)
        self._id_key = pseudonym.load_key(self.engine)

    def stored_id(self, sender_id: Text) -> Text:
        """The id a conversation is stored under (never the channel's id itself)."""
        return pseudonym.stored_id(self._id_key, sender_id)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        stored_id = self.stored_id(sender_id)
        with self.session_scope() as session:
            rows = session.execute(LATEST_EVENTS, {"sender": stored_id}).all()[::-1]
            if not self.domain or not rows:
                return None
            events = recent_window(rows)
            if events is None:
                snapshot = session.execute(READ_SLOTS, {"sender": stored_id}).scalar()
                if snapshot is None:
                    rows = session.execute(LATEST_SESSION_EVENTS, {"sender": stored_id}).all()
                    events = [json.loads(data) for _, data in rows]
                else:
                    events = from_turn_boundary([json.loads(data) for _, data in rows])
                    at = events[0].get("timestamp")
                    slots = [
                        {"event": "slot", "name": name, "value": value, "timestamp": at}
                        for name, value in json.loads(snapshot).items()
                    ]
                    events = slots + events
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        """Every session of the conversation (the HTTP API's tracker)."""
        with self.session_scope() as session:
            rows = session.execute(ALL_EVENTS, {"sender": self.stored_id(conversation_id)}).all()
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(
            conversation_id, [json.loads(data) for (data,) in rows], self.domain.slots
        )

    async def keys(self) -> Iterable[Text]:
        """The stored ids (keyed hashes: the channels' ids are not kept)."""
        with self.session_scope() as session:
            return [sender for (sender,) in session.execute(sa.select(EVENTS.c.sender_id).distinct())]

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        stored_id = self.stored_id(tracker.sender_id)
        with self.session_scope() as session:
            last = session.execute(LAST_STORED, {"sender": stored_id}).scalar()
            new_events = self._new_events(tracker, last)
            if forgets(new_events):
                session.execute(FORGET_EVENTS, {"sender": stored_id})
                session.execute(FORGET_SLOTS, {"sender": stored_id})
                session.commit()
                return
            rows = [self._row(stored_id, event) for event in new_events]
            if rows:
                session.execute(APPEND_EVENT, rows)
            slots = json.dumps(tracker.current_slot_values())
            if not session.execute(UPDATE_SLOTS, {"sender": stored_id, "slots": slots}).rowcount:
                session.execute(INSERT_SLOTS, {"sender_id": stored_id, "slots": slots})
            session.commit()

    @staticmethod
    def _new_events(tracker: DialogueStateTracker, last_stored: Optional[Text]) -> List[Event]:
        """The tracker's events after the last one stored."""
        events = list(tracker.events)
        if last_stored is None:
            return events
        stored = json.loads(last_stored)
        for i in range(len(events) - 1, -1, -1):
            # Only an event of the same time can be the stored one: its stored form (a
            # search for personal details) is built for that event alone.
            if events[i].timestamp == stored.get("timestamp") and _normalised(stored_form(events[i])) == stored:
                return events[i + 1 :]
        # Not found: the tracker was not read from this store. Keep what is newer.
        logger.warning("The last stored event is not in the tracker; storing the events after its time.")
        return [event for event in events if event.timestamp > stored.get("timestamp", 0)]

    @staticmethod
    def _row(sender_id: Text, event: Event) -> Dict[Text, Any]:
        data = stored_form(event)
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
