"""Shared fixtures: the domain, trackers and dispatchers for action tests (as in Rasa's
financial-demo), and the real servers for end-to-end tests."""

import itertools
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from rasa.core.agent import Agent
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from tools import content_audit, servers

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
RESULTS = ROOT / "results"


@pytest.fixture(scope="session")
def agent() -> Agent:
    """The trained model, loaded once for every NLU test."""
    return Agent.load(str(servers.DEFAULT_MODEL))


@pytest.fixture(scope="session")
def domain() -> Dict:
    return content_audit.load_domain()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def make_tracker(text: str, intent: str, slots: Optional[Dict] = None, screen: Optional[Dict] = None) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    if screen:
        latest["safety_screen"] = screen
    return Tracker("test-user", slots or {}, latest, [], False, None, {}, "action_listen")


@pytest.fixture
def tracker_for():
    return make_tracker


# ------------------------------------------------------------------ real servers
_ports = itertools.count(5105, 10)


def _running(with_action_server: bool, name: str):
    """A RestClient for a freshly started assistant, its logs under results/."""
    RESULTS.mkdir(exist_ok=True)
    rasa_port, action_port = next(_ports), next(_ports)
    token = uuid.uuid4().hex
    db = RESULTS / f"{name}.db"  # conversations in SQLite, as `make run` keeps them
    db.unlink(missing_ok=True)
    with (
        open(RESULTS / f"{name}.log", "w") as log,
        servers.running(
            rasa_port, action_port, with_actions=with_action_server, log=log, api_token=token, tracker_db=db
        ),
    ):
        yield servers.RestClient(f"http://127.0.0.1:{rasa_port}", token)


@pytest.fixture(scope="session")
def assistant():
    """The assistant as `make run` starts it (the HTTP API on, with a token, to read trackers)."""
    yield from _running(with_action_server=True, name="assistant")


@pytest.fixture(scope="module")
def assistant_without_actions():
    """The Rasa server with its action server down: the fail-safe case."""
    yield from _running(with_action_server=False, name="no-actions")


def stored_data(db: Path, sender: Optional[str] = None) -> List[str]:
    """What the conversation store holds (SQLite): each event's stored JSON and each slot
    snapshot, for one conversation (by the channel's id) or all."""
    import sqlalchemy as sa

    from kratom_assistant.privacy import pseudonym
    from kratom_assistant.stores.tracker_store import EVENTS, SLOTS

    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as connection:
            events = sa.select(EVENTS.c.data)
            slots = sa.select(SLOTS.c.slots)
            if sender is not None:  # stored under a keyed hash of the id
                stored_id = pseudonym.stored_id(pseudonym.load_key(engine), sender)
                events = events.where(EVENTS.c.sender_id == stored_id)
                slots = slots.where(SLOTS.c.sender_id == stored_id)
            return [row[0] for row in connection.execute(events)] + [row[0] for row in connection.execute(slots)]
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def text_to_response(domain) -> Dict[str, str]:
    """Every curated text mapped back to its response name."""
    return {v["text"].strip(): name for name, vs in domain["responses"].items() for v in vs}


# ------------------------------------------------------------- printed figures
_FIGURES: List[str] = []


@pytest.fixture(scope="session")
def report():
    """Record a figure to print at the end of the run (accuracy, red-team rates)."""
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)
