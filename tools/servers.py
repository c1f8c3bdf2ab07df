"""Start, wait for and stop the two servers: the action server and the Rasa server.

Used by `make run` (tools/serve.py), the tests that talk to the real servers, `make eval`
and `make bench`, so all of them start the assistant the same way.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Dict, Iterator, List, Optional, Sequence, Tuple

import psutil
import requests

from kratom_assistant.channels import config as channel_config
from tools import endpoints as endpoints_config

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_MODEL = ROOT / "models" / "current.tar.gz"


def _spawn(args: List[str], log: Optional[IO], extra_env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), SQLALCHEMY_SILENCE_UBER_WARNING="1", **(extra_env or {}))
    # A process group of its own, so stop() can end the server and its children.
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_action_server(port: int = 5055, log: Optional[IO] = None, host: str = "127.0.0.1") -> subprocess.Popen:
    """rasa_sdk's own server, on `host` only (only the Rasa server talks to it).

    rasa_sdk 3.6's command line has no interface option: it listens on SANIC_HOST, and on
    every interface (0.0.0.0) when that is unset, as in its container (deploy/k8s/)."""
    return _spawn(
        [str(BIN / "python"), "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        log,
        {"SANIC_HOST": host},
    )


def start_rasa_server(
    port: int = 5005,
    action_port: int = 5055,
    model: Path = DEFAULT_MODEL,
    host: str = "127.0.0.1",
    cors: Sequence[str] = ("*",),
    api_token: Optional[str] = None,
    log: Optional[IO] = None,
    env: Optional[Dict[str, str]] = None,
    tracker_db: Optional[Path] = None,
    endpoints_text: Optional[str] = None,
) -> subprocess.Popen:
    """The Rasa server; a messaging platform's channel is on when env (or the environment)
    sets its variables (kratom_assistant/channels/config.py). With tracker_db, conversations are kept
    in that SQLite file and survive a restart; without it, in memory. endpoints_text
    replaces the endpoints altogether (the multi-instance set-up, tools/scaleout.py)."""
    # Its two configuration files, in a directory of its own that stop() removes.
    config_dir = Path(tempfile.mkdtemp(prefix="kratom-rasa-"))
    endpoints = config_dir / "endpoints.yml"
    endpoints.write_text(endpoints_text or endpoints_yaml(action_port, tracker_db))
    environ = dict(os.environ, **(env or {}))
    args = [
        str(BIN / "python"),
        "-m",
        "kratom_assistant",
        "run",
        "--model",
        str(model),
        "--interface",
        host,
        "--port",
        str(port),
        "--credentials",
        str(channel_config.write_enabled(environ, ROOT / "credentials.yml", config_dir / "credentials.yml")),
        "--endpoints",
        str(endpoints),
        "--cors",
        *cors,
    ]
    if api_token:
        # The HTTP API (trackers, model) is only on with a token: the tests read trackers.
        args += ["--enable-api", "--auth-token", api_token]
    process = _spawn(args, log, env)
    process.config_dir = config_dir
    return process


def endpoints_yaml(action_port: int, tracker_db: Optional[Path]) -> str:
    return endpoints_config.as_yaml(endpoints_config.single_instance(action_port, tracker_db))


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    """Wait until url answers 200, failing early if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def running(
    rasa_port: int = 5005,
    action_port: int = 5055,
    with_actions: bool = True,
    wait: bool = True,
    log: Optional[IO] = None,
    **rasa_options,
) -> Iterator[Tuple[subprocess.Popen, Optional[subprocess.Popen]]]:
    """The action server (unless with_actions is False) and the Rasa server, stopped on exit.

    With wait=False it returns as soon as the Rasa server is started (the benchmark
    times its first answer itself).
    """
    actions = rasa = None
    try:
        # Both start at once: the Rasa server needs the action server only to answer.
        if with_actions:
            actions = start_action_server(action_port, log=log)
        rasa = start_rasa_server(rasa_port, action_port, log=log, **rasa_options)
        if with_actions:
            wait_ready(f"http://127.0.0.1:{action_port}/health", actions)
        if wait:
            wait_ready(f"http://127.0.0.1:{rasa_port}/", rasa)
        yield rasa, actions
    finally:
        stop(rasa)
        stop(actions)


def rss_mb(pid: int) -> float:
    """Resident memory of a server and its child processes, in MB."""
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20


def stop(process: Optional[subprocess.Popen], timeout: float = 15) -> None:
    """Ask the server's process group to stop (SIGTERM), then kill it if it lingers; then
    remove the configuration files written for it."""
    if process is None:
        return
    try:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)
    except ProcessLookupError:
        pass
    if getattr(process, "config_dir", None):
        shutil.rmtree(process.config_dir, ignore_errors=True)


class RestClient:
    """Talks to a running Rasa server over REST, as a user's channel would."""

    def __init__(self, url: str, api_token: Optional[str] = None) -> None:
        self.url = url
        self.token = api_token

    def say(self, message: str, sender: Optional[str] = None) -> List[Dict]:
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender or uuid.uuid4().hex, "message": message},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def texts(self, message: str, sender: Optional[str] = None) -> List[str]:
        return [reply.get("text", "") for reply in self.say(message, sender)]

    def actions_run(self, sender: str) -> List[str]:
        """Names of the actions run in the sender's conversation (needs the API token)."""
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=30)
        response.raise_for_status()
        return [e["name"] for e in response.json()["events"] if e["event"] == "action"]
