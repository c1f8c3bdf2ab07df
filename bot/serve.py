"""`make run`: start the action server and the Rasa server, say where to talk, stop both on Ctrl-C."""
import os
import signal
import sys
import time

from bot import servers

RASA_PORT = int(os.environ.get("RASA_PORT", "5005"))
ACTION_PORT = int(os.environ.get("ACTION_PORT", "5055"))
HOST = os.environ.get("HOST", "127.0.0.1")
CORS = os.environ.get("CORS_ORIGINS", "http://localhost:8080 http://127.0.0.1:8080")


def _stop_on_sigterm(*_) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C and a plain `kill` both stop the two servers in order (a shell may start
    # background jobs with SIGINT ignored, so install the handler explicitly).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with servers.running(RASA_PORT, ACTION_PORT, host=HOST, cors=CORS.split()) as (rasa, actions):
            print(
                "\nThe kratom information assistant is running.\n"
                f"  REST:      curl -s -XPOST http://localhost:{RASA_PORT}/webhooks/rest/webhook "
                "-d '{\"sender\":\"me\",\"message\":\"is kratom addictive\"}'\n"
                f"  socket.io: http://localhost:{RASA_PORT}/socket.io (for the web widget)\n"
                "Press Ctrl-C to stop both servers.\n",
                flush=True,
            )
            while True:
                for name, process in (("action server", actions), ("Rasa server", rasa)):
                    if process.poll() is not None:
                        print(f"The {name} stopped (exit code {process.returncode}).", file=sys.stderr)
                        return 1
                time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        print("Both servers stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
