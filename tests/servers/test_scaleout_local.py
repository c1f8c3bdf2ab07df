"""Parts of the set-up on their own: the action server listens on 127.0.0.1 only (as `make
run` and `make scaleout` start it), and PostgreSQL and nginx work from a checkout that
their users cannot enter (a clone in /root, or in any folder with mode 0700)."""

import shutil
import socket
import tempfile
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, List, Set

import psutil
import psycopg2
import pytest
import requests

from tests.conftest import RESULTS
from tools import scaleout, servers

ACTION_PORT = 6480
BASE = 6440  # scaleout.Ports: front 6440, actions front 6441, PostgreSQL 6443, upstreams 6450-6461


def listening_addresses(pid: int) -> Set[str]:
    """The addresses the process and its children listen on (TCP)."""
    process, found = psutil.Process(pid), set()
    for p in [process, *process.children(recursive=True)]:
        try:
            found |= {c.laddr.ip for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
        except psutil.NoSuchProcess:
            pass  # a short-lived helper (PostgreSQL starts some) that has ended
    return found


def other_addresses() -> List[str]:
    """This machine's addresses apart from loopback."""
    return [
        a.address.split("%")[0]
        for addresses in psutil.net_if_addrs().values()
        for a in addresses
        if a.family in (socket.AF_INET, socket.AF_INET6) and not a.address.startswith(("127.", "::1"))
    ]


def test_the_action_server_listens_on_loopback_only():
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "scaleout-local-actions.log", "w") as log:
        actions = servers.start_action_server(ACTION_PORT, log=log)
        try:
            servers.wait_ready(f"http://127.0.0.1:{ACTION_PORT}/health", actions)
            assert listening_addresses(actions.pid) == {"127.0.0.1"}
            for address in other_addresses():
                with pytest.raises(OSError):
                    socket.create_connection((address, ACTION_PORT), timeout=2).close()
        finally:
            servers.stop(actions)


@pytest.fixture
def closed_checkout() -> Iterator[Path]:
    """The work directory of a checkout in a folder only its owner may enter (mode 0700)."""
    home = Path(tempfile.mkdtemp(prefix="kratom-home-"))  # 0700
    workdir = scaleout.prepare_workdir(home / "kratom-assistant" / "var" / "scaleout")
    shared = scaleout.shared_dir(workdir)
    yield workdir
    if shared != workdir:
        shutil.rmtree(shared, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)


def test_postgres_runs_from_a_checkout_its_user_cannot_enter(closed_checkout):
    ports = scaleout.Ports(BASE)
    postgres = scaleout.start_postgres(ports, closed_checkout, None)
    try:
        assert listening_addresses(postgres.pid) == {"127.0.0.1"}
        connection = psycopg2.connect(host="127.0.0.1", port=ports.postgres, user="rasa", dbname="rasa")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE kept (word TEXT)")
            cursor.execute("INSERT INTO kept VALUES ('still here')")
        connection.close()
    finally:
        scaleout.stop_postgres(closed_checkout, postgres)
    # Started again from the same checkout, it finds the same database.
    postgres = scaleout.start_postgres(ports, closed_checkout, None)
    try:
        connection = psycopg2.connect(host="127.0.0.1", port=ports.postgres, user="rasa", dbname="rasa")
        with connection.cursor() as cursor:
            cursor.execute("SELECT word FROM kept")
            assert cursor.fetchall() == [("still here",)]
        connection.close()
    finally:
        scaleout.stop_postgres(closed_checkout, postgres)


class _Upstream(BaseHTTPRequestHandler):
    """Stands in for the Rasa and action servers behind nginx."""

    def do_GET(self) -> None:
        self._reply()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self._reply()

    def _reply(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"[]")

    def log_message(self, *_) -> None:
        pass


@contextmanager
def upstreams(ports: List[int]) -> Iterator[None]:
    running = [ThreadingHTTPServer(("127.0.0.1", port), _Upstream) for port in ports]
    for server in running:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        for server in running:
            server.shutdown()
            server.server_close()


def test_nginx_takes_a_large_body_from_a_checkout_its_workers_cannot_enter(closed_checkout):
    """A body beyond nginx's memory buffer is written to a temporary file by a worker
    (user nobody): in the closed checkout that was a 500 "Permission denied"."""
    ports = scaleout.Ports(BASE)
    with upstreams(ports.rasa + ports.actions):
        nginx = scaleout.start_nginx(ports, closed_checkout, None, rate=50, burst=100)
        try:
            assert listening_addresses(nginx.pid) == {"127.0.0.1"}
            answer = requests.post(f"http://127.0.0.1:{ports.front}/webhooks/rest/webhook", data="x" * 100_000)
            assert answer.status_code == 200
        finally:
            servers.stop(nginx)
