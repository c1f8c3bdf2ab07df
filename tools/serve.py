"""`make run`: start the action server, the Rasa server and the widget's demo page, say
where to talk, stop them all on Ctrl-C."""

import os
import signal
import sys
import time
from pathlib import Path

from kratom_assistant.channels import config as channel_config
from tools import demo_page, purge, servers

RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
ACTION_PORT = int(os.environ.get("ACTION_PORT", "5055"))
WEB_PORT = int(os.environ.get("WEB_PORT", "8080"))
HOST = os.environ.get("HOST", "127.0.0.1")
# Conversations are kept in this SQLite file so they survive a restart (make purge
# deletes old ones); STORE_CONVERSATIONS=no keeps them in memory only.
CONVERSATIONS_DB = Path(os.environ.get("CONVERSATIONS_DB", servers.ROOT / "var" / "conversations.db"))
STORE = os.environ.get("STORE_CONVERSATIONS", "yes").lower() not in ("no", "false", "0", "off")
# The demo page's origins are allowed by default, so its widget can reach the Rasa server.
CORS = os.environ.get("CORS_ORIGINS", f"http://localhost:{WEB_PORT} http://127.0.0.1:{WEB_PORT}")


PURGE_EVERY = 24 * 3600  # seconds: retention holds without a cron job


def _stop_on_sigterm(*_) -> None:
    raise KeyboardInterrupt


def purge_stale() -> None:
    """Delete conversations idle past the retention (RETENTION_DAYS), as `make purge` does."""
    if STORE:
        deleted = purge.purge(f"sqlite:///{CONVERSATIONS_DB}", purge.DEFAULT_DAYS)
        print(f"purge: deleted {deleted} conversation(s) idle for more than {purge.DEFAULT_DAYS} days", flush=True)


def main() -> int:
    # Ctrl-C and a plain `kill` both stop the servers in order (a shell may start
    # background jobs with SIGINT ignored, so install the handler explicitly).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        purge_stale()
        last_purge = time.monotonic()
        # The demo page first: a port already in use fails at once, not after Rasa's start.
        with (
            demo_page.serve(HOST, WEB_PORT, RASA_PORT),
            servers.running(
                RASA_PORT, ACTION_PORT, host=HOST, cors=CORS.split(), tracker_db=CONVERSATIONS_DB if STORE else None
            ) as (rasa, actions),
        ):
            print(
                "\nThe kratom information assistant is running.\n"
                f"  REST:      curl -s -XPOST http://localhost:{RASA_PORT}/webhooks/rest/webhook "
                '-d \'{"sender":"me","message":"is kratom addictive"}\'\n'
                f"  socket.io: http://localhost:{RASA_PORT}/socket.io (for the web widget)\n"
                f"  demo page: http://localhost:{WEB_PORT} (the web widget)\n"
                f"  conversations: {CONVERSATIONS_DB if STORE else 'in memory only (STORE_CONVERSATIONS=no)'}\n"
                "Press Ctrl-C to stop the servers.\n",
                flush=True,
            )
            for platform, variables in channel_config.missing_variables(
                channel_config.read(servers.ROOT / "credentials.yml"), os.environ
            ).items():
                print(f"  {platform} is off; set {' and '.join(variables)} to turn it on.")
            if not demo_page.SOCKET_IO.is_file():
                print("The demo page's widget needs web/node_modules: run `make setup`.", file=sys.stderr)
            while True:
                for name, process in (("action server", actions), ("Rasa server", rasa)):
                    if process.poll() is not None:
                        print(f"The {name} stopped (exit code {process.returncode}).", file=sys.stderr)
                        return 1
                if time.monotonic() - last_purge > PURGE_EVERY:
                    purge_stale()
                    last_purge = time.monotonic()
                time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        print("The servers stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
