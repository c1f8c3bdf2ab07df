"""The demo page: a tiny static server for the website widget (web/), used by `make run`.

It serves exactly four files, each from a fixed path (so no directory listing and no
path traversal by construction), and 404 for anything else. The page's widget is
pointed at the Rasa server started beside it: the server's address is filled into
index.html when it is served.
"""

import html
import re
import threading
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

WEB = Path(__file__).resolve().parent.parent / "web"
# From the npm package (make setup runs npm ci): no CDN.
SOCKET_IO = WEB / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"

# URL path -> (file, content type). Nothing else is served.
FILES = {
    "/": (WEB / "index.html", "text/html; charset=utf-8"),
    "/index.html": (WEB / "index.html", "text/html; charset=utf-8"),
    "/widget.js": (WEB / "widget.js", "text/javascript; charset=utf-8"),
    "/widget.css": (WEB / "widget.css", "text/css; charset=utf-8"),
    "/socket.io.min.js": (SOCKET_IO, "text/javascript; charset=utf-8"),
}
# A host name or address as it may appear in a Host header (no port, no quotes).
_HOSTNAME = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])$")


class DemoPageHandler(BaseHTTPRequestHandler):
    rasa_port = 5005  # set per server by serve()

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        entry = FILES.get(urlsplit(self.path).path)
        if entry is None or not entry[0].is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        path, content_type = entry
        body = path.read_bytes()
        if path.name == "index.html":
            body = body.replace(b"{{SERVER_URL}}", self._server_url().encode())
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")  # edits to web/ show on reload
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _server_url(self) -> str:
        """The Rasa server on the host name the browser used for this page."""
        try:
            host = urlsplit("//" + (self.headers.get("Host") or "")).hostname or ""
        except ValueError:
            host = ""
        if ":" in host:
            host = f"[{host}]"  # an IPv6 address
        if not _HOSTNAME.match(host):
            host = "localhost"
        return html.escape(f"http://{host}:{self.rasa_port}", quote=True)

    def log_message(self, format: str, *args) -> None:
        pass  # the page's requests are not worth a line each in `make run`'s output


@contextmanager
def serve(host: str = "127.0.0.1", port: int = 8080, rasa_port: int = 5005) -> Iterator[ThreadingHTTPServer]:
    """The demo page server, answering in a background thread until the block ends."""
    handler = type("Handler", (DemoPageHandler,), {"rasa_port": rasa_port})
    server = ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name="demo-page", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
