"""Faults against real processes: the action server stopped, then started again."""

import uuid

import pytest

from tests.conftest import RESULTS
from tools import servers
from tools.content_audit import response_texts

RASA_PORT, ACTION_PORT = 5745, 5755


@pytest.fixture(scope="module")
def rasa_alone():
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "faults.log", "w") as log, servers.running(RASA_PORT, ACTION_PORT, with_actions=False, log=log):
        yield servers.RestClient(f"http://127.0.0.1:{RASA_PORT}"), log


def unavailable(domain):
    return [
        v["text"].strip()
        for v in domain["responses"]["utter_interactions"]
        if any(c["name"] == "interaction_checked" and c["value"] is False for c in v.get("condition") or [])
    ]


def test_without_the_action_server_interactions_say_unavailable_and_resume_after_a_restart(rasa_alone, domain):
    client, log = rasa_alone
    sender = uuid.uuid4().hex
    # An earlier answer must not come back stale: first a known class, then one needing the action.
    texts = client.texts("can I take kratom with xanax", sender)  # bounded by the client's timeout
    assert texts[0] in unavailable(domain)
    assert client.texts("what is kratom", sender)[0] in response_texts(domain, "utter_what_is_kratom")
    assert client.texts("how much kratom should I take", sender)[0] in response_texts(domain, "utter_dosing_refusal")

    actions = servers.start_action_server(ACTION_PORT, log=log)
    try:
        servers.wait_ready(f"http://127.0.0.1:{ACTION_PORT}/health", actions)
        texts = client.texts("can I take kratom with xanax", sender)
        assert texts[0].startswith("Kratom with benzodiazepines: Dangerous.")
    finally:
        servers.stop(actions)
    texts = client.texts("and with alcohol?", sender)
    assert texts[0] in unavailable(domain)  # stopped again: no stale benzodiazepine answer
