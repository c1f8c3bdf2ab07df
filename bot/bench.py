"""`make bench`: latency, throughput, start-up, memory and training time, side by side
with Rasa's stock configuration (what `rasa init` writes) trained on the same data.

Each configuration is trained (timed), then the action server and the Rasa server are
started as `make run` starts them, and the REST webhook is driven on loopback by a load
generator in this process: realistic conversations (greeting, topic questions, a
dosing request, an interaction question with a follow-up, thanks) from many distinct
senders, first one at a time (latency per message), then 16 at a time (throughput).
Results go to stdout and reports/bench.md. `--smoke` (run by make test) uses the
current model and a handful of messages, only to show the benchmark runs and reports.
"""
import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import aiohttp

from bot import servers

ROOT = servers.ROOT
REPORTS = ROOT / "reports"
CONVERSATION = [
    "hi",
    "what is kratom",
    "is kratom addictive",
    "how many grams should i take",
    "is kratom ok with my meds?",
    "xanax",
    "what about alcohol?",
    "what are the withdrawal symptoms",
    "thanks",
]
# The configuration `rasa init` writes in Rasa 3.6 (its defaults made explicit).
STOCK_CONFIG = """recipe: default.v1
language: en
assistant_id: stock-baseline
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: UnexpecTEDIntentPolicy
    max_history: 5
    epochs: 100
  - name: TEDPolicy
    max_history: 5
    epochs: 100
    constrain_similarities: true
"""


@dataclass
class Result:
    name: str
    train_seconds: Optional[float] = None
    ready_seconds: float = 0.0
    latencies_c1: List[float] = field(default_factory=list)
    c16_seconds: float = 0.0
    latencies_c16: List[float] = field(default_factory=list)
    rss_mb: Dict[str, float] = field(default_factory=dict)
    errors: int = 0

    def throughput(self) -> float:
        return len(self.latencies_c16) / self.c16_seconds if self.c16_seconds else 0.0


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else 0.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def train(config: Path, name: str) -> float:
    started = time.monotonic()
    subprocess.run([str(servers.BIN / "rasa"), "train", "--config", str(config), "--out", str(REPORTS / "models"),
                    "--fixed-model-name", name, "--force"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - started


async def user(session: aiohttp.ClientSession, url: str, messages: int, result: List[float], errors: List[int]):
    """One person: the conversation from the top, again with a new sender, until done."""
    sent = 0
    while sent < messages:
        sender = uuid.uuid4().hex
        for text in CONVERSATION[: messages - sent]:
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                body = await response.json()
                if response.status != 200 or not body:
                    errors.append(1)
            result.append((time.perf_counter() - started) * 1000)
            sent += 1


async def drive(url: str, users: int, messages_each: int):
    latencies: List[float] = []
    errors: List[int] = []
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        started = time.perf_counter()
        await asyncio.gather(*(user(session, url, messages_each, latencies, errors) for _ in range(users)))
        return latencies, time.perf_counter() - started, len(errors)


def first_answer_seconds(client: servers.RestClient, started: float, process, timeout: float = 300) -> float:
    """Seconds from start until the Rasa server answers a first message."""
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError("the Rasa server exited during start-up")
        try:
            if client.texts("hi", "bench-ready"):
                return time.monotonic() - started
        except OSError:  # not listening yet
            pass
        time.sleep(0.1)
    raise TimeoutError("no answer")


def measure(name: str, model: Path, c1_messages: int, c16_each: int, port: int,
            train_seconds: Optional[float] = None) -> Result:
    result = Result(name, train_seconds)
    started = time.monotonic()
    with open(REPORTS / f"bench-{name.split()[0]}.log", "w") as log, \
            servers.running(port, port + 50, wait=False, log=log, model=model) as (rasa, actions):
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        result.ready_seconds = first_answer_seconds(servers.RestClient(f"http://127.0.0.1:{port}"), started, rasa)
        asyncio.run(drive(url, 1, len(CONVERSATION)))  # warm-up: one full conversation
        result.latencies_c1, _, errors_c1 = asyncio.run(drive(url, 1, c1_messages))
        result.latencies_c16, result.c16_seconds, errors_c16 = asyncio.run(drive(url, 16, c16_each))
        result.errors = errors_c1 + errors_c16
        result.rss_mb = {"rasa": rss_mb(rasa.pid), "actions": rss_mb(actions.pid)}
    return result


def report(results: List[Result]) -> str:
    lines = ["| configuration | train s | ready s | p50 ms (c=1) | p95 ms | p99 ms | msg/s (c=16) | p99 ms (c=16) | Rasa RSS MB | actions RSS MB | errors |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        trained = f"{r.train_seconds:.0f}" if r.train_seconds is not None else "(existing model)"
        lines.append(
            f"| {r.name} | {trained} | {r.ready_seconds:.1f} | {percentile(r.latencies_c1, 50):.1f} | "
            f"{percentile(r.latencies_c1, 95):.1f} | {percentile(r.latencies_c1, 99):.1f} | {r.throughput():.1f} | "
            f"{percentile(r.latencies_c16, 99):.1f} | {r.rss_mb.get('rasa', 0):.0f} | {r.rss_mb.get('actions', 0):.0f} | {r.errors} |")
    if len(results) == 2 and results[1].throughput():
        ours, stock = results
        lines.append("")
        lines.append(f"Ratios to stock: throughput x{ours.throughput() / stock.throughput():.2f}, "
                     f"p50 x{percentile(ours.latencies_c1, 50) / percentile(stock.latencies_c1, 50):.2f}, "
                     f"training x{(ours.train_seconds or 0) / (stock.train_seconds or 1):.2f}, "
                     f"Rasa RSS x{ours.rss_mb['rasa'] / stock.rss_mb['rasa']:.2f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="current model only, a few messages")
    parser.add_argument("--no-stock", action="store_true", help="skip the stock-configuration baseline")
    args = parser.parse_args()
    REPORTS.mkdir(exist_ok=True)
    results = []
    if args.smoke:
        results.append(measure("project (smoke)", servers.DEFAULT_MODEL, c1_messages=5, c16_each=2, port=5405))
    else:
        seconds = train(ROOT / "config.yml", "bench-project")
        results.append(measure("project", REPORTS / "models" / "bench-project.tar.gz", 300, 100, 5405, seconds))
        if not args.no_stock:
            stock_config = Path(tempfile.mkdtemp()) / "config.yml"
            stock_config.write_text(STOCK_CONFIG)
            seconds = train(stock_config, "bench-stock")
            results.append(measure("stock", REPORTS / "models" / "bench-stock.tar.gz", 300, 100, 5505, seconds))
    table = report(results)
    print(table)
    (REPORTS / ("bench-smoke.md" if args.smoke else "bench.md")).write_text(
        f"# Benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)\n\n{table}\n")
    return 0 if all(r.latencies_c1 and r.latencies_c16 and not r.errors for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
