"""The widget's accessibility in a real browser (Debian's chromium driven by Playwright)
against the real servers and the demo page: axe-core's WCAG 2.0-2.2 A and AA rules and
24x24 px buttons at desktop and phone widths, the typing indicator, the one live region
for messages, and the focus kept inside the panel while it covers a phone's screen.

axe-core comes from npm (web/package.json, `npm ci --prefix web`) and is put into the
page by the test only: the demo page does not serve it. Replies are held back, where a
test needs an answer to be pending, by routing the socket.io WebSocket through
Playwright."""

import re
from typing import Dict, Iterator, List

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.conftest import SHOTS, assistant_site
from tests.browser.test_widget_browser import (
    answer,
    is_response,
    open_widget,
    say,
    settled,
)
from tools import demo_page

RASA_PORT, ACTION_PORT, WEB_PORT = 6211, 6212, 6213
AXE = demo_page.WEB / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
TYPING = "Assistant is typing"
TYPING_TIMEOUT_S = 20  # widget.js TYPING_TIMEOUT_MS
PHONE = {"width": 375, "height": 667}
# What counts as a live region (ARIA roles that are live by default, or aria-live).
LIVE_REGIONS = "[aria-live], [role=log], [role=status], [role=alert], [role=marquee], [role=timer]"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with assistant_site(RASA_PORT, ACTION_PORT, WEB_PORT, "widget-accessibility.log") as url:
        yield url


class Replies:
    """The socket.io WebSocket routed through Playwright: the assistant's messages
    (bot_uttered) can be held back, and released later."""

    def __init__(self, page: Page) -> None:
        self.page, self.hold, self.held, self.client, self.switched = page, False, [], None, False
        page.route_web_socket(re.compile(r"/socket\.io/"), self._route)

    def _route(self, client: WebSocketRoute) -> None:
        server = client.connect_to_server()
        server.on_message(lambda message: self._from_server(client, message))
        client.on_message(lambda message: self._from_client(server, message))
        self.client = client

    def _from_client(self, server, message) -> None:
        if message == "5":  # engine.io's upgrade packet: from now on replies come this way
            self.switched = True
        server.send(message)

    def _from_server(self, client: WebSocketRoute, message) -> None:
        if self.hold and isinstance(message, str) and message.startswith('42["bot_uttered"'):
            self.held.append(message)
        else:
            client.send(message)

    def upgraded(self) -> None:
        """Waits until socket.io has moved from HTTP polling to the WebSocket."""
        for _ in range(50):
            if self.switched:  # the WebSocket open is not enough: replies use it after the upgrade
                return
            self.page.wait_for_timeout(100)
        pytest.fail("socket.io never opened its WebSocket")

    def release(self) -> None:
        self.hold = False
        for message in self.held:
            self.client.send(message)
        self.held.clear()


@pytest.fixture
def visit(browser, site):
    """The demo page in a fresh profile, the socket.io WebSocket routed (page.replies)."""
    contexts = []

    def open_page(width: int = 1024, height: int = 768) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.replies = Replies(page)
        page.goto(site)
        return page

    yield open_page
    for context in contexts:
        context.close()


def typing_indicator(page: Page):
    return page.locator(".kw-typing")


def pending_answer(page: Page, text: str) -> None:
    """Sends text with the answer held back; the typing indicator is up."""
    page.replies.upgraded()
    page.replies.hold = True
    say(page, text)
    expect(typing_indicator(page)).to_be_visible()
    expect(typing_indicator(page)).to_have_text(TYPING)


# ------------------------------------------------------------------ axe-core
def run_axe(page: Page) -> Dict:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))  # from web/node_modules, by the test only
    return page.evaluate(
        """async (tags) => {
          const result = await axe.run({include: [".kw-root"]}, {runOnly: {type: "tag", values: tags}});
          return {
            version: axe.version,
            violations: result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                    nodes: v.nodes.map(n => n.target.join(" "))})),
            passes: result.passes.map(p => p.id),
            incomplete: result.incomplete.map(i => i.id),
          };
        }""",
        WCAG_TAGS,
    )


def small_buttons(page: Page) -> List[Dict]:
    """The widget's shown buttons smaller than 24x24 CSS px (WCAG 2.5.8)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(".kw-root button")]
          .filter(b => b.getClientRects().length)
          .map(b => ({text: b.textContent, width: b.getBoundingClientRect().width,
                      height: b.getBoundingClientRect().height}))
          .filter(b => b.width < 24 || b.height < 24)"""
    )


@pytest.mark.parametrize("width, height", [(1024, 768), (PHONE["width"], PHONE["height"])], ids=["desktop", "phone"])
def test_axe_finds_no_wcag_a_or_aa_violations_and_buttons_are_24px(visit, domain, report, width, height):
    # The demo page does not serve axe-core.
    page = visit(width, height)
    for path in ("axe.min.js", "node_modules/axe-core/axe.min.js"):
        assert page.request.get(page.url + path).status == 404
    assert page.evaluate("typeof window.axe") == "undefined"

    open_widget(page)
    results = {}
    pending_answer(page, "what is kratom")  # the typing indicator showing
    results["answer pending"] = run_axe(page)
    assert small_buttons(page) == []
    page.replies.release()
    answer(page, is_response(domain, "utter_what_is_kratom"))  # links and quick replies
    settled(page)
    results["answered"] = run_axe(page)
    assert small_buttons(page) == []
    assert page.locator(".kw-root button").count() >= 8  # launcher, 3 header, Send, quick replies
    page.screenshot(path=str(SHOTS / f"accessibility-{width}.png"))

    for state, result in results.items():
        assert result["violations"] == [], f"{state}: {result['violations']}"
        report(
            f"axe-core {result['version']}, widget at {width} px, {state}: {len(result['violations'])} violations "
            f"of WCAG 2.0-2.2 A/AA rules, {len(result['passes'])} rules passed, "
            f"{len(result['incomplete'])} to check by hand ({', '.join(result['incomplete']) or 'none'})"
        )


# ------------------------------------------------------------------ typing indicator
def test_typing_indicator_shows_until_the_answer_and_is_announced_once(visit, domain):
    page = visit()
    open_widget(page)
    indicator = typing_indicator(page)
    expect(indicator).to_have_attribute("role", "status")  # a polite live region, there from the start
    expect(indicator).to_have_text("")
    # Every change to the indicator's content, as screen readers would be told of it.
    page.evaluate(
        """() => {
          window.typingChanges = [];
          const region = document.querySelector(".kw-typing");
          new MutationObserver(() => window.typingChanges.push(region.textContent))
            .observe(region, {childList: true, subtree: true, characterData: true, attributes: true});
        }"""
    )

    pending_answer(page, "what is kratom")
    expect(page.locator(".kw-typing .kw-dots")).to_have_attribute("aria-hidden", "true")
    page.wait_for_timeout(2500)  # the dots move in CSS: nothing new to announce
    assert page.evaluate("window.typingChanges") == [TYPING]
    assert page.locator(".kw-bot").count() == 0

    page.replies.release()
    answer(page, is_response(domain, "utter_what_is_kratom"))
    expect(indicator).to_have_text("")
    expect(indicator).to_have_css("height", "0px")
    assert page.evaluate("window.typingChanges") == [TYPING, ""]  # said once, then gone


def test_typing_indicator_gives_up_when_no_answer_comes(visit, domain):
    page = visit()
    open_widget(page)
    pending_answer(page, "is kratom addictive")
    page.wait_for_timeout((TYPING_TIMEOUT_S - 3) * 1000)
    expect(typing_indicator(page)).to_have_text(TYPING)
    expect(typing_indicator(page)).to_have_text("", timeout=6_000)
    page.replies.release()  # the late answer is still shown
    answer(page, is_response(domain, "utter_dependence"))


# ------------------------------------------------------------------ live regions
def test_the_transcript_is_the_one_live_region_for_messages(visit, domain):
    page = visit()
    open_widget(page)
    say(page, "what is kratom")
    answer(page, is_response(domain, "utter_what_is_kratom"))
    settled(page)
    log = page.locator(".kw-panel [role=log]")
    expect(log).to_have_count(1)
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_have_accessible_name("Conversation")
    expect(log).to_contain_text("Kratom is a tree")
    # Every message is in the log, and no other live region repeats any of them.
    assert page.locator(".kw-message").count() == page.locator(".kw-panel [role=log] .kw-message").count() > 1
    regions = page.evaluate(
        """(selector) => {
          const texts = [...document.querySelectorAll(".kw-message .kw-text")].map(t => t.textContent);
          return [...document.querySelectorAll(".kw-root " + selector)].map(r => ({
            role: r.getAttribute("role"), live: r.getAttribute("aria-live"),
            messages: texts.filter(t => r.textContent.includes(t)).length}));
        }""",
        LIVE_REGIONS,
    )
    assert [r for r in regions if r["messages"]] == [
        {"role": "log", "live": "polite", "messages": page.locator(".kw-message").count()}
    ]
    # The others: the connection's state and the typing indicator, both role="status".
    assert sorted(r["role"] for r in regions) == ["log", "status", "status"]


# ------------------------------------------------------------------ focus
def focused(page: Page) -> Dict:
    """Where the focus is: in the panel? the launcher? and can it be seen (WCAG 2.4.11)?"""
    return page.evaluate(
        """() => {
          const element = document.activeElement;
          // Seen: what is drawn at the middle of one of its boxes (a link may wrap) is it.
          const visible = [...element.getClientRects()].some(box => {
            const seen = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
            return Boolean(seen) && (element === seen || element.contains(seen));
          });
          return {name: (element.getAttribute("aria-label") || element.textContent || element.id).slice(0, 40),
                  inPanel: document.querySelector(".kw-panel").contains(element),
                  launcher: element.classList.contains("kw-launcher"), visible};
        }"""
    )


def test_focus_stays_in_the_panel_while_it_covers_a_phone_screen(visit, domain):
    page = visit(**PHONE)
    open_widget(page)  # (clicking the launcher focuses it: counted from here on)
    page.evaluate(
        "window.launcherFocused = 0;"
        "document.querySelector('.kw-launcher').addEventListener('focus', () => window.launcherFocused++)"
    )
    say(page, "what is kratom")
    answer(page, is_response(domain, "utter_what_is_kratom"))
    settled(page)
    panel = page.locator(".kw-panel").bounding_box()
    assert (panel["width"], panel["height"]) == (PHONE["width"], PHONE["height"])  # it covers the page

    # Shift+Tab from the header's first control goes round to the panel's last one.
    page.locator(".kw-close").focus()
    page.keyboard.press("Shift+Tab")
    last = focused(page)
    assert last["inPanel"] and last["visible"]
    expect(page.locator(".kw-reply").last).to_be_focused()

    # Tab all the way round, twice: every stop is in the panel and can be seen.
    stops = []
    for _ in range(2 * page.locator(".kw-panel button, .kw-panel input, .kw-panel a, .kw-log").count() + 2):
        page.keyboard.press("Tab")
        stops.append(focused(page))
    assert all(stop["inPanel"] and stop["visible"] for stop in stops), stops
    names = [stop["name"] for stop in stops]
    assert names[0] == "Close chat" and names.count("Close chat") >= 2  # round again after the last
    for _ in range(len(stops)):
        page.keyboard.press("Shift+Tab")
        stop = focused(page)
        assert stop["inPanel"] and stop["visible"], stop
    assert page.evaluate("window.launcherFocused") == 0

    # Escape closes the panel and gives the focus back to the launcher.
    page.keyboard.press("Escape")
    expect(page.locator(".kw-panel")).to_be_hidden()
    expect(page.locator(".kw-launcher")).to_be_focused()
    assert focused(page)["visible"]


def test_on_a_wide_screen_the_panel_does_not_hold_the_focus(visit):
    # Beside the page, the panel is not modal: Shift+Tab from its first control goes on to
    # the launcher, which is in sight.
    page = visit()
    open_widget(page)
    page.locator(".kw-close").focus()
    page.keyboard.press("Shift+Tab")
    expect(page.locator(".kw-launcher")).to_be_focused()
    assert focused(page)["visible"]
