"""`make load`: 100 simulated people for 5 minutes against the multi-instance set-up's
nginx front on 127.0.0.1 (tools/scaleout.py), with Locust (tools/locustfile.py).

Reports throughput, p50/p99 latency, errors (must be zero) and the resident memory of
each Rasa and action server, whose growth after warm-up must stay under 10%, in
reports/load.md. Exits non-zero when either target is missed.

    python -m tools.load [--users 100] [--minutes 5] [--warm-up 60]
"""

import argparse
import csv
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Dict, List

from tools import scaleout
from tools.servers import rss_mb

ROOT = scaleout.ROOT
REPORTS = ROOT / "reports"
SERVERS = ["rasa-0", "rasa-1", "actions-0", "actions-1"]
MAX_GROWTH = 0.10


class MemorySampler(threading.Thread):
    """Every few seconds, each server's resident memory."""

    def __init__(self, pids: Dict[str, int], every: float = 5) -> None:
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.samples: List[tuple] = []  # (seconds since start, {server: MB})
        self.stopped = threading.Event()
        self.start_time = time.monotonic()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.samples.append(
                (time.monotonic() - self.start_time, {name: rss_mb(pid) for name, pid in self.pids.items()})
            )
            self.stopped.wait(self.every)

    def at(self, seconds: float) -> Dict[str, float]:
        return min(self.samples, key=lambda sample: abs(sample[0] - seconds))[1]


def aggregated(stats_csv: Path) -> Dict[str, str]:
    with open(stats_csv) as handle:
        return next(row for row in csv.DictReader(handle) if row["Name"] == "Aggregated")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--warm-up", type=float, default=60, help="seconds before the memory baseline")
    parser.add_argument("--port", type=int, default=7300)
    args = parser.parse_args()
    REPORTS.mkdir(exist_ok=True)
    seconds = int(args.minutes * 60)
    with open(REPORTS / "load-servers.log", "w") as log, scaleout.running(args.port, log=log) as stack:
        sampler = MemorySampler({name: stack.processes[name].pid for name in SERVERS})
        sampler.start()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bot" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                "10",
                "-t",
                f"{seconds}s",
                "--host",
                stack.front_url,
                "--csv",
                str(REPORTS / "load"),
                "--only-summary",
                "--stop-timeout",
                "10",
            ],
            check=False,
            timeout=seconds + 120,
        )
        sampler.stopped.set()
        sampler.join()
    stats = aggregated(REPORTS / "load_stats.csv")
    warm, end = sampler.at(args.warm_up), sampler.samples[-1][1]
    growth = {name: (end[name] - warm[name]) / warm[name] for name in SERVERS}
    errors = int(stats["Failure Count"])
    lines = [
        f"# Load test: {args.users} simulated people for {args.minutes:g} minutes (think time 2-6 s)",
        "",
        "Against the nginx front of two Rasa and two action servers (Redis, PostgreSQL), 127.0.0.1.",
        "",
        "| requests | errors | throughput | p50 | p99 |",
        "|---|---|---|---|---|",
        f"| {stats['Request Count']} | {errors} | {float(stats['Requests/s']):.1f} msg/s "
        f"| {stats['50%']} ms | {stats['99%']} ms |",
        "",
        f"| server | RSS after {args.warm_up:g} s warm-up | RSS at the end | growth |",
        "|---|---|---|---|",
        *[f"| {name} | {warm[name]:.0f} MB | {end[name]:.0f} MB | {growth[name]:+.1%} |" for name in SERVERS],
    ]
    (REPORTS / "load.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    missed = [f"{errors} errors"] if errors else []
    missed += [f"{name} grew {g:.1%}" for name, g in growth.items() if g >= MAX_GROWTH]
    print("load test: " + ("MISSED: " + ", ".join(missed) if missed else "errors zero, memory growth under 10%"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
