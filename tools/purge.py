"""`make purge`: delete every conversation whose last message is older than the retention
period (RETENTION_DAYS, default 30), from the conversation store `make run` uses.

    python -m tools.purge [--days N] [--db URL]

--db takes an SQLAlchemy URL (the default is the SQLite file of `make run`; a PostgreSQL
tracker store works the same). Prints how many conversations were deleted, never their
content. Cron, every night at 03:15:
    15 3 * * *  cd /srv/kratom-assistant && make purge >> var/purge.log 2>&1
"""

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Optional

import sqlalchemy

from tools.servers import ROOT

DEFAULT_DB = f"sqlite:///{os.environ.get('CONVERSATIONS_DB', ROOT / 'var' / 'conversations.db')}"
DEFAULT_DAYS = int(os.environ.get("RETENTION_DAYS", "30"))
# Rasa's SQL tracker store keeps one row per event in this table, keyed by sender_id.
STALE = sqlalchemy.text("SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff")
DELETE = sqlalchemy.text(
    "DELETE FROM events WHERE sender_id IN "
    "(SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff)"
)
# The conversation store's slot snapshots (kratom_assistant/stores/tracker_store.py) go with them.
DELETE_SLOTS = sqlalchemy.text(
    "DELETE FROM conversation_slots WHERE sender_id NOT IN (SELECT DISTINCT sender_id FROM events)"
)


def purge(db_url: str, days: int, now: Optional[float] = None) -> int:
    """Delete conversations idle for more than `days`; returns how many."""
    url = sqlalchemy.engine.make_url(db_url)
    if url.drivername.startswith("sqlite") and not Path(url.database or "").is_file():
        return 0  # `make run` has not stored anything yet (and purge must not create it)
    engine = sqlalchemy.create_engine(url)
    try:
        if not sqlalchemy.inspect(engine).has_table("events"):
            return 0  # nothing stored yet
        cutoff = (now or time.time()) - days * 86400
        with engine.begin() as connection:
            stale = len(connection.execute(STALE, {"cutoff": cutoff}).fetchall())
            connection.execute(DELETE, {"cutoff": cutoff})
            if sqlalchemy.inspect(connection).has_table("conversation_slots"):
                connection.execute(DELETE_SLOTS)
        return stale
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
    parser.add_argument("--db", default=DEFAULT_DB)
    args = parser.parse_args()
    if args.days < 1:
        parser.error("--days must be at least 1")
    deleted = purge(args.db, args.days)
    print(f"purge: deleted {deleted} conversation(s) idle for more than {args.days} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
