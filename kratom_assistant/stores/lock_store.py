"""Rasa's Redis lock store with its read-modify-write steps made atomic.

Rasa 3.6's RedisLockStore reads a conversation's ticket lock, changes it and writes it
back without any guard. With two Rasa servers taking messages of one conversation at
once, one server can write back a ticket the other had just removed; that ticket then
blocks every later message of the conversation until it expires (a minute), which we
saw as a burst of messages hanging. Here each of those steps holds a short Redis mutex
for the conversation (SET NX with a timeout, released by a script that checks the owner).
"""

from typing import Text

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

MUTEX_SECONDS = 5  # far longer than the few Redis round trips a step takes


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _mutex(self, conversation_id: Text):
        # sleep: how long a waiter pauses between tries; it blocks the server's event loop,
        # so it is short (the mutex is only ever held for a few milliseconds).
        return self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex",
            timeout=MUTEX_SECONDS,
            sleep=0.002,
            blocking_timeout=MUTEX_SECONDS,
        )

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # Holds the mutex over finish_serving and the deletion, which it calls.
        with self._mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
