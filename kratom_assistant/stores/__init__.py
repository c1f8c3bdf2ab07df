"""Where conversations (SQL) and per-conversation locks (Redis) are kept."""
