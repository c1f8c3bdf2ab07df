"""The demo page server (tools/demo_page.py): four files, the right types, 404 for the rest."""

import http.client
import importlib

import pytest

from tools import demo_page

PORT, RASA_PORT = 6176, 6199


@pytest.fixture(scope="module")
def server():
    with demo_page.serve("127.0.0.1", PORT, RASA_PORT):
        yield


def get(path: str, method: str = "GET", host: str = None):
    """One request, the path sent exactly as written (no client-side clean-up of '..')."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
    headers = {"Host": host} if host else {}
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.getheader("Content-Type"), body


@pytest.mark.parametrize(
    "path, content_type, file",
    [
        ("/widget.js", "text/javascript; charset=utf-8", "widget.js"),
        ("/widget.css", "text/css; charset=utf-8", "widget.css"),
        ("/widget.js?v=2", "text/javascript; charset=utf-8", "widget.js"),
        ("/socket.io.min.js", "text/javascript; charset=utf-8", "node_modules/socket.io-client/dist/socket.io.min.js"),
    ],
)
def test_serves_the_widget_files(server, path, content_type, file):
    status, served_type, body = get(path)
    assert (status, served_type) == (200, content_type)
    assert body == (demo_page.WEB / file).read_bytes()


def test_the_page_points_the_widget_at_the_rasa_server(server):
    for path in ("/", "/index.html"):
        status, content_type, body = get(path, host=f"127.0.0.1:{PORT}")
        assert (status, content_type) == (200, "text/html; charset=utf-8")
        assert f'data-server-url="http://127.0.0.1:{RASA_PORT}"'.encode() in body
        assert b"{{" not in body
    # The host name the browser used, so the page works however it is reached...
    assert f'"http://localhost:{RASA_PORT}"'.encode() in get("/", host=f"localhost:{PORT}")[2]
    # ...but never anything else written into the page.
    body = get("/", host='x"><script>alert(1)</script>')[2]
    assert b"<script>alert" not in body
    assert f'data-server-url="http://localhost:{RASA_PORT}"'.encode() in body


@pytest.mark.parametrize(
    "path",
    [
        "/../README.md",
        "/%2e%2e/README.md",
        "/widget.js/../../README.md",
        "/..%2f..%2fetc%2fpasswd",
        "//etc/passwd",
        "/web/",
        "/web/widget.js",
        "/node_modules/",
        "/node_modules/socket.io-client/package.json",
        "/package.json",
        "/socket.io.min.js.map",
        "/tools/demo_page.py",
        "/index.html/",
        "/favicon.ico",
        "/.git/config",
    ],
)
def test_anything_else_is_not_found(server, path):
    status, _, body = get(path)
    assert status == 404
    assert b"README" not in body and b"root:" not in body


def test_head_and_other_methods(server):
    status, content_type, body = get("/widget.css", method="HEAD")
    assert (status, content_type, body) == (200, "text/css; charset=utf-8", b"")
    assert get("/", method="POST")[0] == 501


def test_make_run_allows_the_demo_page_origin_by_default(monkeypatch):
    from tools import serve

    monkeypatch.delenv("CORS_ORIGINS", raising=False)
    monkeypatch.setenv("WEB_PORT", "8123")
    try:
        assert importlib.reload(serve).CORS.split() == ["http://localhost:8123", "http://127.0.0.1:8123"]
    finally:
        monkeypatch.undo()
        importlib.reload(serve)
