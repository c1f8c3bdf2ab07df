"""The widget's privacy controls in a real browser (Debian's chromium driven by Playwright)
against the real servers, conversations kept in SQLite as `make run` keeps them:

- Delete chat: "/forget" goes to the assistant, which deletes the conversation from its
  store; the browser forgets it too and a new session starts with the confirmation.
- Leave quickly (the button, or Escape twice): the chat gone from the browser, the
  assistant asked to delete it, and the page replaced by the site's neutral page, which
  the back button does not leave.

The site's page (the demo page with data-exit-url on the widget's script tag) and the
neutral page are served by the test on 127.0.0.1, so nothing leaves the machine."""

import html
import json
import re
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_widget_browser import (
    answer,
    is_response,
    open_widget,
    say,
    session_id,
    settled,
    shown,
)
from tests.conftest import RESULTS, stored_data
from tools import demo_page, servers
from tools.content_audit import response_texts

RASA_PORT, ACTION_PORT, WEB_PORT, EXIT_PORT = 6201, 6202, 6203, 6204
ORIGIN = f"http://127.0.0.1:{WEB_PORT}"
EXIT_URL = f"http://127.0.0.1:{EXIT_PORT}/weather"
DB = RESULTS / "widget-privacy.db"
OFFLINE = "Can't reach the assistant, trying again…"


class Served(BaseHTTPRequestHandler):
    def send_body(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        pass


class SitePage(Served):
    """The demo page as a site owner embeds the widget, with data-exit-url on its script
    tag (?exit=... chooses it), and the widget's files as the demo page serves them.

    Served here because tools/demo_page.py has no such option, and a page rewritten by
    Playwright's routing counts as public to Chromium, which then refuses its requests
    to the Rasa server on 127.0.0.1 (local network access)."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/":
            exit_url = parse_qs(url.query).get("exit", [EXIT_URL])[0]
            page = (demo_page.WEB / "index.html").read_text(encoding="utf-8")
            page = page.replace("{{SERVER_URL}}", f"http://127.0.0.1:{RASA_PORT}")
            tag = '<script src="/widget.js"'
            assert tag in page
            page = page.replace(tag, f'{tag} data-exit-url="{html.escape(exit_url, quote=True)}"')
            self.send_body(200, page.encode())
        elif url.path in demo_page.FILES:
            file, content_type = demo_page.FILES[url.path]
            self.send_body(200, file.read_bytes(), content_type)
        else:
            self.send_body(404, b"<!doctype html><title>Not found</title><p>Not found</p>")


class NeutralPage(Served):
    """The page the site owner chose for Leave quickly (a weather page, say)."""

    def do_GET(self) -> None:
        self.send_body(200, b'<!doctype html><html lang="en"><title>Weather</title><h1>Weather today</h1></html>')


@contextmanager
def serving(port: int, handler) -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name=f"page-{port}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The assistant (conversations in DB), the site's page and the neutral page."""
    RESULTS.mkdir(exist_ok=True)
    for path in (DB, DB.with_name(DB.name + "-wal"), DB.with_name(DB.name + "-shm")):
        path.unlink(missing_ok=True)
    with (
        open(RESULTS / "widget-privacy.log", "w") as log,
        servers.running(RASA_PORT, ACTION_PORT, log=log, cors=[ORIGIN], tracker_db=DB),
        serving(WEB_PORT, SitePage),
        serving(EXIT_PORT, NeutralPage),
    ):
        yield ORIGIN + "/"


@pytest.fixture
def visit(browser, site):
    """The site's page in a fresh profile; records dialogs and the socket.io frames it sends."""
    contexts = []

    def open_page(exit_url: str = EXIT_URL, width: int = 1024, height: int = 768) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.sent, page.dialogs = [], []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: page.sent.append(payload)))
        page.goto(site + "?" + urlencode({"exit": exit_url}))
        return page

    yield open_page
    for context in contexts:
        context.close()


# ------------------------------------------------------------------ helpers
def stored_events(session: str) -> int:
    """How many events (and slot snapshots) of this conversation the assistant's store
    holds, found as the store files them (tests/conftest.py: by its id's keyed hash)."""
    return len(stored_data(DB, session))


def wait_for(page: Page, condition, timeout: float = 15, what: str = "condition") -> None:
    """Polls condition; waiting through the page lets Playwright deliver its events."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        page.wait_for_timeout(200)


def user_messages_sent(page: Page) -> List[Dict]:
    """The user_uttered events the page sent over the socket ('42["user_uttered",{...}]')."""
    messages = []
    for frame in page.sent:
        match = re.fullmatch(r'42\["user_uttered",(.*)\]', frame if isinstance(frame, str) else "")
        if match:
            messages.append(json.loads(match.group(1)))
    return messages


def widget_keys(page: Page) -> Dict[str, List[str]]:
    return page.evaluate(
        "() => Object.fromEntries(['localStorage', 'sessionStorage'].map(name => "
        "[name, Object.keys(window[name]).filter(key => key.startsWith('kratomWidget.'))]))"
    )


def a_conversation(page: Page, domain) -> str:
    """A question answered and stored; the session id."""
    open_widget(page)
    say(page, "is kratom addictive")
    answer(page, is_response(domain, "utter_dependence"))
    settled(page)
    session = session_id(page)
    wait_for(page, lambda: stored_events(session) > 0, what="the conversation to be stored")
    return session


def left_for_the_neutral_page(page: Page, site: str, old_session: str, history: int) -> None:
    """On the neutral page; the widget's keys gone from the site's storage; Back does not
    return to the chat; the assistant deleted the conversation."""
    page.wait_for_url(EXIT_URL, timeout=10_000)
    expect(page.locator("h1")).to_have_text("Weather today")
    origins = {o["origin"]: o["localStorage"] for o in page.context.storage_state()["origins"]}
    assert not [item for item in origins.get(ORIGIN, []) if item["name"].startswith("kratomWidget.")]

    # The chat page was replaced, not left (as many entries in the history as on the
    # chat page): Back goes to the page before it (the new tab's blank page), never to the chat.
    assert page.evaluate("history.length") == history
    page.go_back()
    page.wait_for_timeout(500)
    assert not page.url.startswith(ORIGIN)
    assert page.locator(".kw-root").count() == 0

    # The same tab on the site's origin again (a page without the widget: the
    # site's 404), to read its sessionStorage too.
    page.goto(site + "not-here")
    assert widget_keys(page) == {"localStorage": [], "sessionStorage": []}
    # Sent without waiting for the answer, it still reached the assistant.
    wait_for(page, lambda: stored_events(old_session) == 0, what="the assistant to delete the conversation")


# ------------------------------------------------------------------ Delete chat
def test_delete_chat_deletes_the_conversation_here_and_on_the_server(visit, domain):
    page = visit()
    old = a_conversation(page, domain)
    confirmations = response_texts(domain, "utter_conversation_forgotten")

    delete = page.get_by_role("button", name=re.compile("^Delete chat"))
    expect(delete).to_have_accessible_name(re.compile("on the assistant's server"))
    # What the click leaves at once, before any answer: an empty transcript, a new session.
    right_after = page.evaluate(
        "() => { document.querySelector('.kw-delete').click(); return {"
        "messages: document.querySelectorAll('.kw-message').length,"
        "transcript: JSON.parse(localStorage.getItem('kratomWidget.transcript')),"
        "session: JSON.parse(localStorage.getItem('kratomWidget.session'))}; }"
    )
    assert right_after["messages"] == 0 and right_after["transcript"] is None  # the key is gone
    new = right_after["session"]
    assert new and new != old

    # "/forget" went for the old session, and is not shown as a message.
    wait_for(page, lambda: user_messages_sent(page)[-1:] == [{"message": "/forget", "session_id": old}], what="/forget")

    # The assistant's confirmation, answered on the old session, opens the new transcript.
    def confirmed() -> bool:
        messages = shown(page)
        return {who for who, _ in messages} == {"bot"} and "\n\n".join(t for _, t in messages) in confirmations

    wait_for(page, confirmed, what="the confirmation")
    confirmation = [text for _, text in shown(page)]
    expect(page.locator("#kw-input")).to_be_focused()
    stored = page.evaluate("JSON.parse(localStorage.getItem('kratomWidget.transcript'))")
    assert [m["text"] for m in stored] == confirmation
    assert session_id(page) == new

    # Not one event of the old session is left in the store.
    wait_for(page, lambda: stored_events(old) == 0, what="the old conversation to be deleted")

    # The new conversation goes on under the new id.
    expect(page.locator(".kw-panel")).to_have_attribute("data-state", "online")
    say(page, "what is kratom")
    answer(page, is_response(domain, "utter_what_is_kratom"))
    assert user_messages_sent(page)[-1]["session_id"] == new
    wait_for(page, lambda: stored_events(new) > 0, what="the new conversation to be stored")
    assert stored_events(old) == 0


def test_delete_chat_offline_clears_here_and_queues_nothing(visit, domain):
    page = visit()
    old = a_conversation(page, domain)
    # The server unreachable: the socket drops and cannot come back.
    page.route(re.compile(r"/socket\.io/"), lambda route: route.abort())
    page.context.set_offline(True)
    expect(page.locator(".kw-status")).to_have_text(OFFLINE, timeout=20_000)

    page.get_by_role("button", name=re.compile("^Delete chat")).click()
    assert shown(page) == []
    expect(page.locator(".kw-status")).to_contain_text("Deleted from this device only")
    new = session_id(page)
    assert new != old
    assert page.evaluate("localStorage.getItem('kratomWidget.transcript')") is None

    # Back online: the widget joins the new session, and nothing was queued for the old one.
    page.context.set_offline(False)
    page.unroute(re.compile(r"/socket\.io/"))
    expect(page.locator(".kw-panel")).to_have_attribute("data-state", "online", timeout=20_000)
    expect(page.locator(".kw-status")).to_be_hidden()
    page.wait_for_timeout(1500)
    assert [m for m in user_messages_sent(page) if m["message"] == "/forget"] == []
    assert shown(page) == []
    assert stored_events(old) > 0  # the assistant was never asked: its copy stays (retention)
    say(page, "what is kratom")
    answer(page, is_response(domain, "utter_what_is_kratom"))
    assert user_messages_sent(page)[-1]["session_id"] == new


# ------------------------------------------------------------------ Leave quickly
def test_leave_quickly_button(visit, domain, site):
    page = visit()
    old = a_conversation(page, domain)
    page.evaluate("sessionStorage.setItem('kratomWidget.draft', '1')")  # any key of the widget's
    leave = page.get_by_role("button", name=re.compile("^Leave quickly"))
    expect(leave).to_be_visible()
    history = page.evaluate("history.length")
    leave.click()
    left_for_the_neutral_page(page, site, old, history)
    assert page.dialogs == []


@pytest.mark.parametrize("panel", ["open", "closed"])
def test_escape_twice_leaves_the_page(visit, domain, site, panel):
    page = visit()
    old = a_conversation(page, domain)
    if panel == "closed":
        page.keyboard.press("Escape")  # closes the panel...
        expect(page.locator(".kw-panel")).to_be_hidden()
        expect(page.locator(".kw-launcher")).to_be_focused()
        page.wait_for_timeout(1300)  # ...and, a second later, a single Escape still doesn't leave
        page.keyboard.press("Escape")
        page.wait_for_timeout(1300)
        assert page.url.startswith(site)
        page.locator("h1").click()  # focus on the page itself, not the widget
    else:
        expect(page.locator("#kw-input")).to_be_focused()
    history = page.evaluate("history.length")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    left_for_the_neutral_page(page, site, old, history)


def test_the_default_exit_is_a_search_page_and_only_web_addresses_are_taken(visit, site):
    # An address that is not http(s) falls back to the default; the test stands in for it.
    page = visit(exit_url="javascript:alert(1)")
    page.route(
        "https://www.google.com/", lambda route: route.fulfill(body="<title>Search</title>", content_type="text/html")
    )
    page.click(".kw-launcher")
    page.get_by_role("button", name=re.compile("^Leave quickly")).click()
    page.wait_for_url("https://www.google.com/", timeout=10_000)
    assert page.dialogs == []
