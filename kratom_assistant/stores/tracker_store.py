"""The conversation store: Rasa's SQL tracker store, same table and same rules, with its
per-message reads and writes as SQLAlchemy Core statements instead of ORM queries.

For every message Rasa's SQLTrackerStore builds an ORM query, makes an object of each
stored event, counts the stored events with a second ORM query and inserts the new ones
through the ORM's unit of work, the largest share of the Rasa server's time under load
with SQLite (profiled with py-spy). This store reads the events of the latest session and appends the new ones
with three statements built once, on the same `events` table, so `make purge`, the
PostgreSQL set-up and Rasa's own store all work on the same database. SQLite runs in
write-ahead-log mode (below).
"""

import itertools
import json
from pathlib import Path
from typing import Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

EVENTS = SQLTrackerStore.SQLEvent.__table__
_SENDER = sa.bindparam("sender")
# As Rasa: the events from the latest session start on, or all when there is none.
_SESSION_START = (
    sa.select(sa.func.max(EVENTS.c.timestamp))
    .where(EVENTS.c.sender_id == _SENDER, EVENTS.c.type_name == SessionStarted.type_name)
    .scalar_subquery()
)
_IN_LATEST_SESSION = sa.and_(
    EVENTS.c.sender_id == _SENDER, sa.or_(EVENTS.c.timestamp >= _SESSION_START, _SESSION_START.is_(None))
)
LATEST_SESSION_EVENTS = sa.select(EVENTS.c.data).where(_IN_LATEST_SESSION).order_by(EVENTS.c.id)
STORED_IN_LATEST_SESSION = sa.select(sa.func.count()).select_from(EVENTS).where(_IN_LATEST_SESSION)
APPEND_EVENT = EVENTS.insert()


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

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = session.execute(LATEST_SESSION_EVENTS, {"sender": sender_id}).all()
        if not self.domain or not rows:
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(data) for (data,) in rows], self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = session.execute(STORED_IN_LATEST_SESSION, {"sender": tracker.sender_id}).scalar()
            rows = []
            for event in itertools.islice(tracker.events, stored, None):
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data),
                    }
                )
            if rows:
                session.execute(APPEND_EVENT, rows)
            session.commit()
