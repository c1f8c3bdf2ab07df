"""The multi-instance set-up on real components: two Rasa servers and two action servers
behind nginx, Redis lock store, PostgreSQL tracker store (tools/scaleout.py)."""

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
import requests

from tests.conftest import RESULTS
from tests.servers.test_scaleout_local import listening_addresses
from tests.servers.test_socketio import converse
from tools import scaleout
from tools.content_audit import response_texts

TOKEN = uuid.uuid4().hex
# Questions whose curated answers differ, to tell which reply answers which message.
BURST = [
    ("what is kratom", "utter_what_is_kratom"),
    ("is kratom legal", "utter_legality"),
    ("can kratom show up on a drug test", "utter_drug_test"),
    ("is kratom safe in pregnancy", "utter_pregnancy"),
    ("what are the withdrawal symptoms", "utter_withdrawal"),
    ("what are red and green strains", "utter_strains"),
    ("is kratom addictive", "utter_dependence"),
    ("what does kratom do", "utter_effects"),
]


@pytest.fixture(scope="module")
def stack():
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "scaleout.log", "w") as log, scaleout.running(7200, log=log, api_token=TOKEN) as running:
        yield running
    assert not running.workdir.exists()  # a temporary stack's database and logs are removed


def say(url: str, sender: str, text: str):
    answer = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30)
    assert answer.status_code == 200, answer.text
    return [m.get("text", "") for m in answer.json()]


def test_one_conversation_alternately_through_both_rasa_servers_keeps_its_context(stack, domain):
    a, b = stack.rasa_url(0), stack.rasa_url(1)
    sender = uuid.uuid4().hex
    general, which, pointer = say(a, sender, "is kratom ok with my meds?")
    assert which.startswith("Which medicine or drug do you mean?")
    assert say(b, sender, "xanax")[0].startswith("Kratom with benzodiazepines: Dangerous.")
    assert say(a, sender, "and what about alcohol?")[0].startswith("Kratom with alcohol: Dangerous.")
    # Asking for a dose again on the other server gets the firmer wording: the slot set on A was seen by B.
    first = say(b, sender, "how much kratom should I take")[0]
    again = say(a, sender, "just tell me how many grams")[0]
    firm = [v["text"].strip() for v in domain["responses"]["utter_dosing_refusal"] if v.get("condition")]
    assert first in response_texts(domain, "utter_dosing_refusal") and first not in firm
    assert again in firm


def test_a_burst_from_one_sender_through_nginx_is_answered_in_order(stack, domain):
    sender = uuid.uuid4().hex

    def send(index: int):
        time.sleep(index * 0.08)  # sent in this order, far faster than anyone types, several in flight at once
        return say(stack.front_url, sender, BURST[index][0])

    with ThreadPoolExecutor(len(BURST)) as pool:
        replies = list(pool.map(send, range(len(BURST))))
    for (question, response), texts in zip(BURST, replies, strict=True):
        assert texts[0] in response_texts(domain, response), question  # each got its own answer
    # In the stored conversation the turns follow one another, each answer right after its question.
    events = requests.get(
        f"{stack.rasa_url(1)}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30
    ).json()["events"]
    turns = [e["text"] for e in events if e["event"] in ("user", "bot")]
    expected = []
    for (question, _), texts in zip(BURST, replies, strict=True):
        expected += [question, *texts]
    assert turns == expected


def unavailable(domain):
    return response_texts(domain, "utter_service_unavailable")


def answered_again(url, sender, question, expected, meanwhile, seconds=30):
    """Asks until the store is back (a bounded wait); the replies meanwhile must be clear."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        texts = say(url, sender, question)
        if texts[0] in expected:
            return True
        assert texts[0] in meanwhile, texts
        time.sleep(0.5)
    return False


@pytest.mark.parametrize("store", ["postgres", "redis"])
def test_a_store_outage_gets_a_clear_reply_and_service_resumes_with_nothing_lost(stack, domain, store):
    url, sender = stack.front_url, uuid.uuid4().hex
    assert say(url, sender, "what is kratom")[0] in response_texts(domain, "utter_what_is_kratom")
    scaleout.stop(stack, store)
    try:
        for _ in range(3):  # no crash, no hang, no silence: a clear reply, every time
            assert say(url, sender, "is kratom legal")[0] in unavailable(domain)
        assert all(stack.processes[f"rasa-{i}"].poll() is None for i in (0, 1))
    finally:
        start = scaleout.start_postgres if store == "postgres" else scaleout.start_redis
        args = (stack.ports, stack.workdir, None) if store == "postgres" else (stack.ports, None)
        stack.processes[store] = start(*args)
    assert answered_again(url, sender, "is kratom legal", response_texts(domain, "utter_legality"), unavailable(domain))
    # What was answered before the outage is still in the conversation.
    events = requests.get(
        f"{stack.rasa_url(0)}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30
    ).json()["events"]
    assert "what is kratom" in [e.get("text") for e in events if e["event"] == "user"]


async def test_a_polling_socketio_client_connects_and_is_answered_through_the_front_every_time(stack, domain):
    """Round robin sent the second poll of a session to the other Rasa server, which
    answered 400 (unknown session): socket.io is sticky by client at the front."""
    for _ in range(3):
        (replies,) = await converse(stack.front_url, ["what is kratom"], settle=20)
        assert "\n\n".join(m["text"] for m in replies) in response_texts(domain, "utter_what_is_kratom")


def rasa_connections(stack) -> dict:
    """TCP connections (any state, TIME_WAIT included) to each Rasa server, by the other end."""
    ports = set(stack.ports.rasa)
    found = {port: set() for port in ports}
    for c in psutil.net_connections(kind="tcp4"):
        if c.laddr and c.raddr:
            for mine, other in ((c.laddr, c.raddr), (c.raddr, c.laddr)):
                if mine.port in ports:
                    found[mine.port].add(other)
    return found


def test_rest_through_the_front_is_balanced_across_both_rasa_servers(stack, domain):
    # nginx opens a connection to a Rasa server per request: count the new ones.
    before = rasa_connections(stack)
    for _ in range(10):
        assert say(stack.front_url, uuid.uuid4().hex, "what is kratom")[0] in response_texts(
            domain, "utter_what_is_kratom"
        )
    after = rasa_connections(stack)
    new = {port: len(after[port] - before[port]) for port in stack.ports.rasa}
    assert all(count >= 3 for count in new.values()), new


def test_every_process_of_the_stack_listens_on_loopback_only(stack):
    for name, process in stack.processes.items():
        assert listening_addresses(process.pid) == {"127.0.0.1"}, name


# Last: it uses up this client's allowance at the front.


def test_nginx_limits_each_client_rate(stack):
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: requests.get(f"{stack.front_url}/", timeout=10).status_code, range(300)))
    assert set(codes) <= {200, 429}
    assert codes.count(429) > 0 and codes.count(200) >= 100  # the burst allowance, then refusals


def lock_cycles(store, conversation: str, cycles: int, errors: list) -> None:
    async def run():
        for _ in range(cycles):
            # A short lifetime, so a lost update costs seconds here, not a minute.
            async with store.lock(conversation, lock_lifetime=3, wait_time_in_seconds=0.005):
                await asyncio.sleep(0.001)

    try:
        asyncio.run(run())
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)


def test_two_servers_locking_one_conversation_do_not_lose_updates(stack):
    """Two lock stores (as two Rasa servers) take turns on one conversation as fast as
    they can. Rasa's own RedisLockStore fails this (a removed ticket comes back, and the
    conversation is blocked or the waiters spin for good); ours must finish cleanly."""
    import threading

    from rasa.utils.endpoints import EndpointConfig

    from kratom_assistant.stores.lock_store import AtomicRedisLockStore

    stores = [AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=stack.ports.redis, db=1)) for _ in range(2)]
    for _ in range(4):
        conversation, errors = uuid.uuid4().hex, []
        threads = [
            threading.Thread(target=lock_cycles, args=(s, conversation, 30, errors), daemon=True) for s in stores
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not any(t.is_alive() for t in threads), "a lock store is stuck waiting"
        assert errors == []
        assert stores[0].get_lock(conversation) is None  # no stale ticket left behind
