"""The website widget in Debian's chromium behind the multi-instance front (tools/scaleout.py:
two Rasa servers and two action servers behind nginx, PostgreSQL and Redis), as a visitor
meets it in production: a conversation of several turns, a page reload, and one Rasa
server stopped mid-conversation."""

import json
import time
from typing import Callable, Iterator, List

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.conftest import RESULTS
from tools import demo_page, scaleout
from tools.content_audit import response_texts

BASE = 6400  # scaleout.Ports: front 6400, actions front 6401, Redis 6402, PostgreSQL 6403, 6410-6421
WEB_PORT = 6430


@pytest.fixture(scope="module")
def stack() -> Iterator[scaleout.Stack]:
    RESULTS.mkdir(exist_ok=True)
    with open(RESULTS / "widget-scaleout.log", "w") as log, scaleout.running(BASE, log=log) as running:
        yield running


@pytest.fixture(scope="module")
def site(stack) -> Iterator[str]:
    """The demo page, its widget pointed at the nginx front (not at a Rasa server)."""
    with demo_page.serve("127.0.0.1", WEB_PORT, stack.ports.front):
        yield f"http://127.0.0.1:{WEB_PORT}/"


@pytest.fixture
def page(browser, site) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(site)
    yield page
    context.close()


# ------------------------------------------------------------------ helpers
def bot_messages_after_last_user_message(page: Page) -> List[str]:
    messages = page.eval_on_selector_all(
        ".kw-message",
        "items => items.map(i => [i.classList.contains('kw-bot') ? 'bot' : 'user', "
        "i.querySelector('.kw-text').textContent])",
    )
    last_user = max([i for i, (who, _) in enumerate(messages) if who == "user"], default=-1)
    return [text for who, text in messages[last_user + 1 :] if who == "bot"]


def answer(page: Page, is_expected: Callable[[List[str]], bool], timeout: float = 30) -> List[str]:
    deadline = time.monotonic() + timeout
    while True:
        bot = bot_messages_after_last_user_message(page)
        if is_expected(bot):
            return bot
        assert time.monotonic() < deadline, f"unexpected answer: {bot}"
        time.sleep(0.2)


def is_response(domain, name: str) -> Callable[[List[str]], bool]:
    """The whole response, a topic about harm's help pointer for the person's country
    included (socket.io sends each paragraph as a message)."""
    texts = response_texts(domain, name)
    return lambda bot: "\n\n".join(bot) in texts


def online(page: Page, timeout: float = 30_000) -> None:
    expect(page.locator(".kw-panel")).to_have_attribute("data-state", "online", timeout=timeout)


def open_widget(page: Page) -> None:
    page.click(".kw-launcher")
    expect(page.locator(".kw-panel")).to_be_visible()
    online(page)


def say(page: Page, text: str) -> None:
    page.fill("#kw-input", text)
    page.press("#kw-input", "Enter")
    expect(page.locator(".kw-user .kw-text").last).to_have_text(text)  # it was sent


# Records every change of the widget's connection state, so that a short time offline is seen.
STATE_RECORDER = """() => {
  window.kwStates = [];
  const panel = document.querySelector('.kw-panel');
  new MutationObserver(() => window.kwStates.push(panel.getAttribute('data-state')))
    .observe(panel, {attributes: true, attributeFilter: ['data-state']});
}"""


def socketio_server(stack) -> int:
    """Which Rasa server the front gives this machine's socket.io sessions (the browser's
    too: same client address): a session opened through the front is known to it only."""
    opened = requests.get(f"{stack.front_url}/socket.io/?EIO=4&transport=polling", timeout=10)
    sid = json.loads(opened.text[1:])["sid"]  # "0{...}": engine.io's open packet
    known = [
        index
        for index in (0, 1)
        # "1" closes the session on the server that has it; the other answers 400.
        if requests.post(
            f"{stack.rasa_url(index)}/socket.io/?EIO=4&transport=polling&sid={sid}", data="1", timeout=10
        ).status_code
        == 200
    ]
    assert len(known) == 1, known
    return known[0]


# ------------------------------------------------------------------ tests
def test_the_widget_talks_through_the_front_across_a_reload_and_a_rasa_server_stopping(page, stack, domain):
    open_widget(page)
    # Several turns, every one answered (over round robin the widget never even connected).
    for question, response in (
        ("what is kratom", "utter_what_is_kratom"),
        ("is kratom legal", "utter_legality"),
        ("what are the withdrawal symptoms", "utter_withdrawal"),
        ("can kratom show up on a drug test", "utter_drug_test"),
    ):
        say(page, question)
        answer(page, is_response(domain, response))
    say(page, "how many grams should I take")
    first_refusal = response_texts(domain, "utter_dosing_refusal")[0]
    answer(page, lambda bot: bool(bot) and bot[0] == first_refusal)

    # A reload: a new socket.io session, the same conversation (the firmer refusal is only
    # chosen once this conversation's first one is recorded).
    page.reload()
    open_widget(page)
    say(page, "just tell me how many grams")
    firm = response_texts(domain, "utter_dosing_refusal")[1:]
    answer(page, lambda bot: bool(bot) and bot[0] in firm)

    # The Rasa server holding the widget's session stops: the widget reconnects through
    # the front to the other one and the conversation goes on from PostgreSQL.
    page.evaluate(STATE_RECORDER)
    stopped = socketio_server(stack)
    scaleout.stop(stack, f"rasa-{stopped}")
    assert stack.processes[f"rasa-{1 - stopped}"].poll() is None
    page.wait_for_function("window.kwStates.some(state => state !== 'online')", timeout=30_000)  # noticed
    online(page)  # and back
    say(page, "is kratom addictive")
    answer(page, is_response(domain, "utter_dependence"))
    say(page, "is kratom ok with my meds?")
    answer(page, lambda bot: any(text.startswith("Which medicine or drug do you mean?") for text in bot))
    say(page, "xanax")  # answered in the context of the question before
    answer(page, lambda bot: bool(bot) and bot[0].startswith("Kratom with benzodiazepines: Dangerous."))
