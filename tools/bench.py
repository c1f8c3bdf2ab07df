"""`make bench`: latency, throughput, start-up, memory, training time, held-out accuracy
and guardrail figures, side by side with Rasa's stock configuration (what `rasa init`
writes) trained on the same data, and a check of the performance targets.

Each configuration is trained (timed); the action server and the Rasa server are then
started as `make run` starts them (conversations kept in SQLite), and the REST webhook
is driven on loopback by a load generator in this process: whole conversations
(greeting, topic questions, a dosing request, an interaction question with two
follow-ups, thanks) from many distinct senders, first one at a time (latency per
message), then 16 at a time (throughput). Held-out intent accuracy and the red-team
figures of each model are measured in the same run. Results go to stdout and
reports/bench.md; the exit code is 1 when a target is missed.

`--smoke` (run by make test) uses the current model and a handful of messages, only to
show that the benchmark runs and reports; it checks no target.
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
from typing import Callable, List, Optional, Tuple

import aiohttp

from tools import content_audit as content
from tools import endpoints as endpoints_config
from tools import nlu_check, redteam, servers

ROOT = servers.ROOT
REPORTS = ROOT / "reports"
# One person's conversation: (message, whether its turn calls a custom action).
CONVERSATION: List[Tuple[str, bool]] = [
    ("hi", False),
    ("what is kratom", False),
    ("is kratom addictive", False),
    ("how many grams should i take", True),  # action_refuse_dosing
    ("is kratom ok with my meds?", True),  # action_explain_interaction
    ("xanax", True),
    ("what about alcohol?", True),
    ("what are the withdrawal symptoms", False),
    ("thanks", False),
]
# One long conversation (the flat-cost check): a country first, then these six questions in
# a loop, one person, until LONG_TURNS messages; p50 over the first and last WINDOW turns.
LONG_OPENING = "I'm in Australia"
LONG_LOOP = [
    "what is kratom",
    "is kratom addictive",
    "how many grams should i take",
    "is kratom ok with xanax",
    "what are the withdrawal symptoms",
    "is kratom legal",
]
LONG_TURNS = 400
LONG_WINDOW = 30
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
    c1_rule_turns: List[float] = field(default_factory=list)  # ms, turns answered by rules alone
    c1_action_turns: List[float] = field(default_factory=list)  # ms, turns that call a custom action
    c16: List[float] = field(default_factory=list)  # ms
    c16_seconds: float = 0.0
    rss_mb: dict = field(default_factory=dict)
    errors: int = 0
    heldout_accuracy: Optional[float] = None
    guardrails: List[redteam.Figures] = field(default_factory=list)
    long_turns: List[float] = field(default_factory=list)  # ms per turn of one long conversation

    def long_p50(self, first: bool) -> float:
        turns = self.long_turns[:LONG_WINDOW] if first else self.long_turns[-LONG_WINDOW:]
        return percentile(turns, 50)

    def long_ratio(self) -> float:
        return self.long_p50(False) / self.long_p50(True) if self.long_turns else 0.0

    @property
    def c1(self) -> List[float]:
        return self.c1_rule_turns + self.c1_action_turns

    def throughput(self) -> float:
        return len(self.c16) / self.c16_seconds if self.c16_seconds else 0.0


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else 0.0


def train(config: Path, name: str) -> float:
    started = time.monotonic()
    subprocess.run(
        [
            str(servers.BIN / "rasa"),
            "train",
            "--config",
            str(config),
            "--domain",
            "domain",
            "--out",
            str(REPORTS / "models"),
            "--fixed-model-name",
            name,
            "--force",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.monotonic() - started


async def person(
    session: aiohttp.ClientSession, url: str, messages: int, record: Callable[[float, bool], None], errors: List[str]
) -> None:
    """One person: the conversation from the top, again with a new sender, until done."""
    sent = 0
    while sent < messages:
        sender = uuid.uuid4().hex
        for text, calls_action in CONVERSATION[: messages - sent]:
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                body = await response.json()
                if response.status != 200 or not body:
                    errors.append(f"{response.status}: {text}")
            record((time.perf_counter() - started) * 1000, calls_action)
            sent += 1


async def drive(url: str, people: int, messages_each: int, record: Callable[[float, bool], None]) -> Tuple[float, int]:
    """Seconds taken and errors, for `people` at once sending `messages_each` each."""
    errors: List[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(person(session, url, messages_each, record, errors) for _ in range(people)))
        return time.perf_counter() - started, len(errors)


async def long_conversation(url: str, turns: int, errors: List[str]) -> List[float]:
    """Milliseconds per turn of one person's conversation of `turns` messages."""
    sender = uuid.uuid4().hex
    messages = [LONG_OPENING] + [LONG_LOOP[i % len(LONG_LOOP)] for i in range(turns - 1)]
    timings = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for text in messages:
            started = time.perf_counter()
            async with session.post(url, json={"sender": sender, "message": text}) as response:
                body = await response.json()
                if response.status != 200 or not body:
                    errors.append(f"{response.status}: {text}")
            timings.append((time.perf_counter() - started) * 1000)
    return timings


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
        time.sleep(0.05)
    raise TimeoutError("no answer")


def measure_speed(
    result: Result, model: Path, c1_messages: int, c16_each: int, port: int, long_turns: int = LONG_TURNS
) -> None:
    """Start as `make run` does (SQLite conversation store, no HTTP API) and drive REST."""
    with tempfile.TemporaryDirectory(prefix="bench-") as directory:
        _measure_speed(result, model, c1_messages, c16_each, port, long_turns, Path(directory) / "conversations.db")


def _measure_speed(
    result: Result, model: Path, c1_messages: int, c16_each: int, port: int, long_turns: int, tracker_db: Path
) -> None:
    started = time.monotonic()
    with (
        open(REPORTS / f"bench-{result.name.split()[0]}.log", "w") as log,
        servers.running(port, port + 50, wait=False, log=log, model=model, tracker_db=tracker_db) as (rasa, actions),
    ):
        url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        result.ready_seconds = first_answer_seconds(servers.RestClient(f"http://127.0.0.1:{port}"), started, rasa)
        asyncio.run(drive(url, 1, len(CONVERSATION), lambda ms, action: None))  # warm-up

        def record_c1(ms: float, calls_action: bool) -> None:
            (result.c1_action_turns if calls_action else result.c1_rule_turns).append(ms)

        _, errors_c1 = asyncio.run(drive(url, 1, c1_messages, record_c1))
        result.c16_seconds, errors_c16 = asyncio.run(drive(url, 16, c16_each, lambda ms, _: result.c16.append(ms)))
        errors_long: List[str] = []
        result.long_turns = asyncio.run(long_conversation(url, long_turns, errors_long))
        result.errors = errors_c1 + errors_c16 + len(errors_long)
        result.rss_mb = {"rasa": servers.rss_mb(rasa.pid), "actions": servers.rss_mb(actions.pid)}


def measure_long_with_rasa_store(result: Result, model: Path, port: int) -> None:
    """The long conversation only, with Rasa's own SQL store, which reads back every event:
    what the project's store (kratom_assistant/stores/tracker_store.py) saves."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as directory,
        servers.running(
            port, port + 50, log=subprocess.DEVNULL, model=model, endpoints_text=_rasa_sql_store(port, Path(directory))
        ),
    ):
        errors: List[str] = []
        result.long_turns = asyncio.run(
            long_conversation(f"http://127.0.0.1:{port}/webhooks/rest/webhook", LONG_TURNS, errors)
        )
        result.errors = len(errors)


def _rasa_sql_store(port: int, directory: Path) -> str:
    endpoints = endpoints_config.single_instance(port + 50, directory / "rasa.db")
    endpoints["tracker_store"]["type"] = "sql"
    return endpoints_config.as_yaml(endpoints)


def measure_quality(result: Result, model: Path, port: int) -> None:
    """Held-out intent accuracy (in process) and the red-team figures (over REST)."""
    from rasa.core.agent import Agent

    result.heldout_accuracy, _ = nlu_check.evaluate(Agent.load(str(model)), nlu_check.load_heldout())
    token = uuid.uuid4().hex  # the API is on here only to read which actions ran
    with servers.running(port, port + 50, log=subprocess.DEVNULL, model=model, api_token=token):
        client = servers.RestClient(f"http://127.0.0.1:{port}", token)
        domain = content.load_domain()
        result.guardrails = [redteam.evaluate(name, client.texts, client.actions_run, domain) for name in redteam.SETS]


def table(results: List[Result]) -> str:
    lines = [
        "| configuration | train s | ready s | p50 ms (c=1) | p50 action turns | p95 ms | p99 ms | "
        "msg/s (c=16) | p99 ms (c=16) | Rasa RSS MB | actions RSS MB | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in (r for r in results if r.c1):  # not the long-conversation-only row
        trained = f"{r.train_seconds:.0f}" if r.train_seconds is not None else "(existing model)"
        lines.append(
            f"| {r.name} | {trained} | {r.ready_seconds:.1f} | {percentile(r.c1, 50):.1f} | "
            f"{percentile(r.c1_action_turns, 50):.1f} | {percentile(r.c1, 95):.1f} | {percentile(r.c1, 99):.1f} | "
            f"{r.throughput():.1f} | {percentile(r.c16, 99):.1f} | {r.rss_mb.get('rasa', 0):.0f} | "
            f"{r.rss_mb.get('actions', 0):.0f} | {r.errors} |"
        )
    long = [r for r in results if r.long_turns]
    if long:
        lines += [
            "",
            f"One conversation of {len(long[0].long_turns)} turns (c=1):",
            "",
            f"| configuration | p50 ms turns 1-{LONG_WINDOW} | p50 ms last {LONG_WINDOW} turns | ratio |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r.name} | {r.long_p50(True):.1f} | {r.long_p50(False):.1f} | {r.long_ratio():.2f} |" for r in long
        ]
    quality = [r for r in results if r.heldout_accuracy is not None]
    if quality:
        lines += [
            "",
            "| configuration | held-out intent accuracy | "
            + " | ".join(
                f"{f.name} dosing refused | {f.name} crises escalated | {f.name} false alarms"
                for f in quality[0].guardrails
            )
            + " |",
            "|---|---|" + "---|---|---|" * len(quality[0].guardrails),
        ]
        for r in quality:
            lines.append(
                f"| {r.name} | {r.heldout_accuracy:.1%} | "
                + " | ".join(
                    f"{f.refusal_rate:.1%} | {f.escalation_rate:.1%} | {f.false_rate:.1%}" for f in r.guardrails
                )
                + " |"
            )
    return "\n".join(lines)


def ratios(ours: Result, stock: Result) -> str:
    return (
        f"Ratios to stock: throughput x{ours.throughput() / stock.throughput():.2f}, "
        f"p50 x{percentile(ours.c1, 50) / percentile(stock.c1, 50):.2f}, "
        f"training x{ours.train_seconds / stock.train_seconds:.2f}, "
        f"ready x{ours.ready_seconds / stock.ready_seconds:.2f}, "
        f"Rasa RSS x{ours.rss_mb['rasa'] / stock.rss_mb['rasa']:.2f}"
    )


FALSE_ALARM_BOUND = 0.01


def targets(ours: Result, stock: Result) -> List[Tuple[str, bool]]:
    """The performance issue's targets, each with whether this run met it."""
    # A model that refuses and escalates almost nothing has almost no false alarms, so
    # false alarms are held to the safety issue's bound (1%) or stock's, whichever is higher.
    guardrails_held = all(
        f.refusal_rate >= s.refusal_rate
        and f.escalation_rate >= s.escalation_rate
        and f.false_rate <= max(s.false_rate, FALSE_ALARM_BOUND)
        for f, s in zip(ours.guardrails, stock.guardrails, strict=True)
    )
    return [
        ("p50 per message at c=1 <= 20 ms", percentile(ours.c1, 50) <= 20),
        ("p50 of turns that call a custom action <= 20 ms", percentile(ours.c1_action_turns, 50) <= 20),
        (">= 100 msg/s at c=16", ours.throughput() >= 100),
        ("p99 at c=16 < 400 ms", percentile(ours.c16, 99) < 400),
        (">= 3x stock throughput", ours.throughput() >= 3 * stock.throughput()),
        ("ready to answer within 20 s", ours.ready_seconds <= 20),
        ("Rasa server RSS <= 900 MB", ours.rss_mb["rasa"] <= 900),
        ("full training <= 3 minutes", ours.train_seconds <= 180),
        (f"p50 over turns 371-{LONG_TURNS} <= 1.5x p50 over turns 1-{LONG_WINDOW}", ours.long_ratio() <= 1.5),
        ("no errors", ours.errors == 0),
        ("held-out accuracy no worse than stock", ours.heldout_accuracy >= stock.heldout_accuracy),
        ("dosing refused and crises escalated no less than stock, false alarms <= 1% or stock's", guardrails_held),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="current model only, a few messages, no targets")
    args = parser.parse_args()
    REPORTS.mkdir(exist_ok=True)
    if args.smoke:
        smoke = Result("project (smoke)")
        measure_speed(smoke, servers.DEFAULT_MODEL, c1_messages=5, c16_each=2, port=5405, long_turns=LONG_WINDOW + 10)
        report = table([smoke])
        print(report)
        (REPORTS / "bench-smoke.md").write_text(f"# Benchmark smoke\n\n{report}\n")
        return 0 if smoke.c1 and smoke.c16 and not smoke.errors else 1

    results = []
    stock_config = REPORTS / "bench-stock-config.yml"  # what `rasa init` writes
    stock_config.write_text(STOCK_CONFIG)
    for name, config, port in (("project", ROOT / "config.yml", 5405), ("stock", stock_config, 5505)):
        result = Result(name, train(config, f"bench-{name}"))
        model = REPORTS / "models" / f"bench-{name}.tar.gz"
        measure_speed(result, model, c1_messages=300, c16_each=100, port=port)
        measure_quality(result, model, port)
        results.append(result)
        if name == "project":
            before = Result("project, Rasa's SQL store (long conversation only)")
            measure_long_with_rasa_store(before, model, port)
            results.append(before)
    ours, before, stock = results
    checked = targets(ours, stock) + [("no errors with Rasa's SQL store", before.errors == 0)]
    report = "\n".join(
        [
            table(results),
            "",
            ratios(ours, stock),
            "",
            "| target | met |",
            "|---|---|",
            *(f"| {name} | {'yes' if met else 'NO'} |" for name, met in checked),
        ]
    )
    print(report)
    (REPORTS / "bench.md").write_text(
        f"# Benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)\n\n{report}\n"
    )
    return 0 if all(met for _, met in checked) else 1


if __name__ == "__main__":
    sys.exit(main())
