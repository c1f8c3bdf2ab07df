"""A stand-in for the messaging platforms' HTTP APIs on 127.0.0.1: it records every
request the channels make (a reply being sent) and answers as the platform would."""

import json
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Dict, List, Optional


@dataclass
class Call:
    method: str
    path: str
    query: Dict[str, str]
    headers: Dict[str, str]
    body: bytes

    def json(self) -> Dict:
        return json.loads(self.body)

    def form(self) -> Dict[str, str]:
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.body.decode()).items()}


class FakePlatformAPI:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.calls: List[Call] = []
        # path prefix -> JSON body to answer GET and POST with (default {"ok": true})
        self.answers: Dict[str, Dict] = {}
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _record_and_answer(self) -> None:
                parsed = urllib.parse.urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                api.calls.append(
                    Call(
                        self.command,
                        parsed.path,
                        dict(urllib.parse.parse_qsl(parsed.query)),
                        {k.lower(): v for k, v in self.headers.items()},
                        self.rfile.read(length),
                    )
                )
                answer = next(
                    (body for prefix, body in api.answers.items() if parsed.path.startswith(prefix)), {"ok": True}
                )
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _record_and_answer

            def log_message(self, *_) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent(self, where: Callable[[Call], bool], since: int = 0, timeout: float = 15) -> List[Call]:
        """Requests (from index `since`) that match, waiting until at least one arrives."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls[since:] if where(c)]
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def mark(self) -> int:
        return len(self.calls)

    def first(self, where: Callable[[Call], bool], since: int) -> Optional[Call]:
        found = self.sent(where, since)
        return found[0] if found else None
