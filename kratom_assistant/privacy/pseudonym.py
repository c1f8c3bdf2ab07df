"""Conversation ids as stored: a keyed hash of the id the channel gives, never the id.

On SMS and WhatsApp the id is the person's phone number, on the other platforms an
account id; stored as it is, the database alone would tie every conversation to a
person. The store keeps HMAC-SHA256(key, id) instead, so the same person's messages
still form one conversation, and without the key the stored id cannot be turned back
into a phone number (a plain hash could be, by trying every number).

The key is CONVERSATION_ID_KEY when set (set it in production, from a secret, so that a
copy of the database alone links nothing); otherwise a random key the store creates once
and keeps in its own table, so that every server sharing the database agrees on it.
"""

import hashlib
import hmac
import os
import secrets
from typing import Text

import sqlalchemy as sa

KEY_VARIABLE = "CONVERSATION_ID_KEY"
KEYS = sa.Table(
    "conversation_id_key",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(128), nullable=False),
)


def stored_id(key: bytes, sender_id: Text) -> Text:
    return hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()


def load_key(engine: sa.engine.Engine) -> bytes:
    """The key from the environment, or the database's own (created on first use)."""
    if os.environ.get(KEY_VARIABLE):
        return os.environ[KEY_VARIABLE].encode("utf-8")
    create_table(KEYS, engine)
    with engine.begin() as connection:
        key = connection.execute(sa.select(KEYS.c.key).where(KEYS.c.id == 1)).scalar()
    if key is None:
        try:
            with engine.begin() as connection:
                connection.execute(KEYS.insert().values(id=1, key=secrets.token_hex(32)))
        except sa.exc.IntegrityError:
            pass  # another server created it first: use theirs
        with engine.begin() as connection:
            key = connection.execute(sa.select(KEYS.c.key).where(KEYS.c.id == 1)).scalar()
    return key.encode("utf-8")


def create_table(table: sa.Table, engine: sa.engine.Engine) -> None:
    """Create the table unless it exists; servers starting together may race to create it."""
    try:
        table.create(engine, checkfirst=True)
    except sa.exc.DBAPIError:
        if not sa.inspect(engine).has_table(table.name):
            raise
