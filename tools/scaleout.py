"""The multi-instance set-up on one machine: two Rasa servers and two action servers
behind nginx, a Redis lock store and a PostgreSQL tracker store, all on 127.0.0.1.

    make scaleout      # deploy/local/install.sh installs Debian's redis-server,
                       # postgresql and nginx if missing; then this runs the stack

Any Rasa server can take any message of a conversation: the conversation lives in
PostgreSQL, and Redis serialises one sender's messages across servers (so a burst is
answered in order). deploy/k8s/ is the same topology for Kubernetes.
"""

import glob
import os
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator, List, Optional

import psycopg2

from tools import endpoints, servers

ROOT = servers.ROOT
NGINX_TEMPLATE = ROOT / "deploy" / "local" / "nginx.conf.template"


@dataclass
class Ports:
    base: int = 7000

    @property
    def front(self) -> int:
        return self.base  # nginx: what clients talk to

    @property
    def actions_front(self) -> int:
        return self.base + 1

    @property
    def redis(self) -> int:
        return self.base + 2

    @property
    def postgres(self) -> int:
        return self.base + 3

    @property
    def rasa(self) -> List[int]:
        return [self.base + 10, self.base + 11]

    @property
    def actions(self) -> List[int]:
        return [self.base + 20, self.base + 21]


@dataclass
class Stack:
    ports: Ports
    workdir: Path
    processes: dict = field(default_factory=dict)  # name -> Popen

    @property
    def front_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.front}"

    def rasa_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports.rasa[index]}"


def endpoints_text(ports: Ports) -> str:
    return endpoints.as_yaml(
        endpoints.multi_instance(
            f"http://127.0.0.1:{ports.actions_front}/webhook", "127.0.0.1", ports.postgres, "", "127.0.0.1", ports.redis
        )
    )


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run deploy/local/install.sh (make scaleout does)")
    return found[-1]


def _as_postgres_user(args: List[str]) -> List[str]:
    # PostgreSQL refuses to run as root; Debian's package created the postgres user.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def prepare_workdir(workdir: Optional[Path] = None) -> Path:
    """The stack's work directory (a new temporary one by default), created if need be."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="kratom-scaleout-")).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o755)  # so that other users can enter it, if its parents let them
    return workdir


def _every_user_can_enter(path: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in [path, *path.parents])


def shared_dir(workdir: Path) -> Path:
    """Where the files written by other users go: PostgreSQL's (as the postgres user) and
    nginx's temporary files (its workers run as nobody). Run as root, from a checkout in a
    home folder those users cannot enter (/root, or any folder with mode 0700), they would
    get "Permission denied": then a private directory of the system's temporary directory
    is used, recorded in the work directory so that a restart finds the same database."""
    if os.geteuid() != 0 or _every_user_can_enter(workdir):
        return workdir  # not root: PostgreSQL and nginx's workers run as this user
    pointer = workdir / "shared-dir"
    if pointer.is_file():
        shared = Path(pointer.read_text().strip())
        if shared.is_dir() and shared.stat().st_uid == 0 and _every_user_can_enter(shared):
            return shared
    shared = Path(tempfile.mkdtemp(prefix="kratom-scaleout-shared-"))  # root's, 0700
    shared.chmod(0o711)  # others may enter it (their own directories inside), not list it
    pointer.write_text(f"{shared}\n")
    return shared


def remove_workdir(workdir: Path) -> None:
    """A work directory and the shared directory it points to (the database, logs)."""
    pointer = workdir / "shared-dir"
    if pointer.is_file():
        shutil.rmtree(pointer.read_text().strip(), ignore_errors=True)
    shutil.rmtree(workdir, ignore_errors=True)


def postgres_data(workdir: Path) -> Path:
    return shared_dir(workdir) / "postgres"


def _spawn(args: List[str], log: Optional[IO]) -> subprocess.Popen:
    return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for(check, what: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        try:
            if check():
                time.sleep(0.3)  # a server that lost its port to an old one exits just after
                if process.poll() is not None:
                    raise RuntimeError(f"{what} exited with code {process.returncode} (port in use?)")
                return
        except RuntimeError:
            raise
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not come up within {timeout} s")


def start_redis(ports: Ports, log: Optional[IO]) -> subprocess.Popen:
    import redis

    process = _spawn(
        ["redis-server", "--port", str(ports.redis), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], log
    )
    _wait_for(lambda: redis.Redis(port=ports.redis, socket_timeout=1).ping(), "Redis", process)
    return process


def start_postgres(ports: Ports, workdir: Path, log: Optional[IO]) -> subprocess.Popen:
    data = postgres_data(workdir)
    if not (data / "PG_VERSION").exists():
        data.mkdir(mode=0o700, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        subprocess.run(
            _as_postgres_user([_postgres_bin("initdb"), "-D", str(data), "-U", "rasa", "--auth=trust", "-E", "UTF8"]),
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process = _spawn(
        _as_postgres_user(
            [
                _postgres_bin("postgres"),
                "-D",
                str(data),
                "-p",
                str(ports.postgres),
                "-k",
                str(data),
                "-c",
                "listen_addresses=127.0.0.1",
            ]
        ),
        log,
    )

    def ready() -> bool:
        psycopg2.connect(
            host="127.0.0.1", port=ports.postgres, user="rasa", dbname="postgres", connect_timeout=1
        ).close()
        return True

    _wait_for(ready, "PostgreSQL", process)
    connection = psycopg2.connect(host="127.0.0.1", port=ports.postgres, user="rasa", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'rasa'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE DATABASE rasa")
    connection.close()
    return process


def stop_postgres(workdir: Path, process: subprocess.Popen) -> None:
    """A fast shutdown: a plain SIGTERM would wait for Rasa's pooled connections to close."""
    if process.poll() is None:
        subprocess.run(
            _as_postgres_user(
                [_postgres_bin("pg_ctl"), "stop", "-D", str(postgres_data(workdir)), "-m", "fast", "-w", "-t", "20"]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    servers.stop(process)


def stop(stack: "Stack", name: str) -> None:
    if name == "postgres":
        stop_postgres(stack.workdir, stack.processes[name])
    else:
        servers.stop(stack.processes[name])


def start_nginx(ports: Ports, workdir: Path, log: Optional[IO], rate: int, burst: int) -> subprocess.Popen:
    import urllib.request

    home = workdir / "nginx"  # its configuration, log and pid (the master's, as root)
    home.mkdir(parents=True, exist_ok=True)
    temporary = shared_dir(workdir) / "nginx-tmp"  # request bodies and the like, written by its workers
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temporary / sub).mkdir(parents=True, exist_ok=True)
        (temporary / sub).chmod(0o777)  # nginx's workers do not run as root
    # safe_substitute: nginx's own $variables stay as they are.
    config = string.Template(NGINX_TEMPLATE.read_text()).safe_substitute(
        WORKDIR=home,
        TMPDIR=temporary,
        FRONT=ports.front,
        ACTIONS_FRONT=ports.actions_front,
        RATE=rate,
        BURST=burst,
        RASA_A=ports.rasa[0],
        RASA_B=ports.rasa[1],
        ACTIONS_A=ports.actions[0],
        ACTIONS_B=ports.actions[1],
    )
    assert "${" not in config, "a placeholder of the nginx template was not filled in"
    (home / "nginx.conf").write_text(config)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = _spawn([nginx, "-p", str(home), "-c", str(home / "nginx.conf"), "-g", "daemon off;"], log)
    _wait_for(
        lambda: urllib.request.urlopen(f"http://127.0.0.1:{ports.actions_front}/health", timeout=1).status == 200,
        "nginx",
        process,
    )
    return process


@contextmanager
def running(
    base_port: int = 7000,
    workdir: Optional[Path] = None,
    log: Optional[IO] = None,
    rate: int = 50,
    burst: int = 100,
    api_token: Optional[str] = None,
) -> Iterator[Stack]:
    """The whole stack, stopped (in reverse order) when the block ends. Without a
    workdir, it runs in a temporary one, removed with everything in it at the end."""
    ports = Ports(base_port)
    temporary = workdir is None
    workdir = prepare_workdir(workdir)
    stack = Stack(ports, workdir)
    with ExitStack() as cleanup:
        if temporary:  # registered first, so it runs last: after every process stopped
            cleanup.callback(remove_workdir, workdir)

        def keep(name: str, process: subprocess.Popen) -> None:
            stack.processes[name] = process
            # By name: a fault test may replace a process (restart PostgreSQL, say).
            cleanup.callback(stop, stack, name)

        keep("redis", start_redis(ports, log))
        keep("postgres", start_postgres(ports, workdir, log))
        for index, port in enumerate(ports.actions):
            keep(f"actions-{index}", servers.start_action_server(port, log=log))
        for index, port in enumerate(ports.actions):
            servers.wait_ready(f"http://127.0.0.1:{port}/health", stack.processes[f"actions-{index}"])
        keep("nginx", start_nginx(ports, workdir, log, rate, burst))
        for index, port in enumerate(ports.rasa):
            keep(
                f"rasa-{index}",
                servers.start_rasa_server(port, log=log, api_token=api_token, endpoints_text=endpoints_text(ports)),
            )
        for index, port in enumerate(ports.rasa):
            servers.wait_ready(f"http://127.0.0.1:{port}/", stack.processes[f"rasa-{index}"])
        yield stack


def main() -> int:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    base = int(os.environ.get("SCALEOUT_PORT", "7000"))
    try:
        with running(base, workdir=ROOT / "var" / "scaleout") as stack:
            print(
                f"\nTwo Rasa servers and two action servers behind nginx at {stack.front_url}\n"
                f"  curl -s -XPOST {stack.front_url}/webhooks/rest/webhook "
                '-d \'{"sender":"me","message":"is kratom addictive"}\'\n'
                "Press Ctrl-C to stop.\n",
                flush=True,
            )
            while all(p.poll() is None for p in stack.processes.values()):
                time.sleep(1)
            print("A process of the stack stopped.", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
