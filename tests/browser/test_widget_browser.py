"""The website widget in a real browser (Debian's chromium driven by Playwright), against
the real action and Rasa servers and the demo page, as a visitor meets it."""

import re
import time
from typing import Callable, Iterator, List, Tuple

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import SHOTS, assistant_site
from tools import demo_page
from tools.content_audit import response_texts, topic_response

RASA_PORT, ACTION_PORT, WEB_PORT, OTHER_WEB_PORT = 6171, 6172, 6173, 6174
DISCLAIMER = "Information, not medical advice. In an emergency call your local emergency number."
OFFLINE = "Can't reach the assistant, trying again…"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with assistant_site(RASA_PORT, ACTION_PORT, WEB_PORT, "widget-browser.log") as url:
        yield url


@pytest.fixture
def visit(browser, site):
    """Opens the demo page in a fresh browser profile (empty localStorage); records dialogs."""
    contexts = []

    def open_page(width: int = 1024, height: int = 768, url: str = site) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()


# ------------------------------------------------------------------ helpers
def shown(page: Page) -> List[Tuple[str, str]]:
    """The conversation as the widget shows it: (who, text) per message."""
    return [
        tuple(m)
        for m in page.eval_on_selector_all(
            ".kw-message",
            "items => items.map(i => [i.classList.contains('kw-bot') ? 'bot' : 'user', "
            "i.querySelector('.kw-text').textContent])",
        )
    ]


def answer(page: Page, is_expected: Callable[[List[str]], bool], timeout: float = 20) -> List[str]:
    """The bot messages after the user's last message, once is_expected accepts them."""
    deadline = time.monotonic() + timeout
    while True:
        messages = shown(page)
        last_user = max([i for i, (who, _) in enumerate(messages) if who == "user"], default=-1)
        bot = [text for who, text in messages[last_user + 1 :] if who == "bot"]
        if is_expected(bot):
            return bot
        assert time.monotonic() < deadline, f"unexpected answer: {bot}"
        time.sleep(0.2)


def settled(page: Page, quiet: float = 1.5, timeout: float = 20) -> None:
    """Waits until no new message has arrived for `quiet` seconds (a long answer is complete)."""
    deadline, count, since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() - since < quiet:
        now = page.locator(".kw-message").count()
        if now != count:
            count, since = now, time.monotonic()
        assert time.monotonic() < deadline, "messages kept arriving"
        time.sleep(0.1)


def is_response(domain, name: str) -> Callable[[List[str]], bool]:
    """The whole response, a topic about harm's help pointer for the person's country
    included (socket.io sends each paragraph as a message)."""
    texts = response_texts(domain, name)
    return lambda bot: "\n\n".join(bot) in texts


def starts_with_response(domain, name: str) -> Callable[[List[str]], bool]:
    texts = response_texts(domain, name)
    return lambda bot: bool(bot) and bot[0] in texts


def open_widget(page: Page) -> None:
    page.click(".kw-launcher")
    expect(page.locator(".kw-panel")).to_be_visible()
    expect(page.locator(".kw-panel")).to_have_attribute("data-state", "online", timeout=10_000)
    expect(page.locator(".kw-status")).to_be_hidden()


def say(page: Page, text: str) -> None:
    page.fill("#kw-input", text)
    page.press("#kw-input", "Enter")
    expect(page.locator(".kw-user .kw-text").last).to_have_text(text)  # it was sent


def session_id(page: Page) -> str:
    return page.evaluate("JSON.parse(localStorage.getItem('kratomWidget.session'))")


# ------------------------------------------------------------------ tests
def test_answers_quick_replies_links_and_dosing_refusal(visit, domain):
    page = visit()
    open_widget(page)
    expect(page.locator(".kw-disclaimer")).to_have_text(DISCLAIMER)

    say(page, "what is kratom")
    answer(page, is_response(domain, "utter_what_is_kratom"))
    # The new answer is read out to screen readers: the transcript is a live log.
    expect(page.locator(".kw-panel [role=log][aria-live=polite]")).to_contain_text("Kratom is a tree")

    # The sources become links opening in a new tab, without the brackets around them.
    nida = page.locator(".kw-bot a", has_text="https://nida.nih.gov/research-topics/kratom")
    expect(nida).to_have_attribute("href", "https://nida.nih.gov/research-topics/kratom")
    links = page.eval_on_selector_all(
        ".kw-bot a", "links => links.map(a => [a.getAttribute('href'), a.textContent, a.target, a.rel])"
    )
    assert len(links) == 2
    for href, text, target, rel in links:
        assert href == text and re.fullmatch(r"https://[^\s()<>;]+[^\s().;,]", href)
        assert target == "_blank" and set(rel.split()) >= {"noopener", "noreferrer"}

    # A quick reply shows its title as the user's message and sends its payload.
    button = domain["responses"]["utter_what_is_kratom"][0]["buttons"][0]
    replies = page.locator(".kw-reply")
    expect(replies).to_have_text([b["title"] for b in domain["responses"]["utter_what_is_kratom"][0]["buttons"]])
    replies.filter(has_text=button["title"]).click()
    answer(page, is_response(domain, topic_response(button["payload"].lstrip("/"))))
    assert ("user", button["title"]) in shown(page)

    say(page, "how many grams should I take")
    answer(page, starts_with_response(domain, "utter_dosing_refusal"))
    page.screenshot(path=str(SHOTS / "conversation.png"))


def test_crises_come_first_in_the_browser_also_in_another_language(visit, domain):
    page = visit()
    open_widget(page)
    say(page, "been throwing up for hours after a 7oh shot and now im confused")
    answer(page, starts_with_response(domain, "utter_emergency_numbers"))
    settled(page)  # the first-aid paragraphs that follow the numbers have arrived
    say(page, "me quiero morir")
    bot = answer(page, starts_with_response(domain, "utter_self_harm_support"))
    assert "024" in bot[0] and "findahelpline.com" in bot[0]


def test_history_and_session_survive_a_reload(visit, domain):
    page = visit()
    open_widget(page)
    say(page, "how many grams should I take")
    first_refusal = response_texts(domain, "utter_dosing_refusal")[0]
    answer(page, lambda bot: bool(bot) and bot[0] == first_refusal)
    settled(page)
    before, session = shown(page), session_id(page)

    page.reload()
    open_widget(page)
    assert shown(page) == before
    assert session_id(page) == session
    # The same conversation goes on in Rasa: insisting gets the firm wording, which
    # Rasa only chooses once this session's refusal is recorded.
    say(page, "just tell me how many grams")
    answer(page, lambda bot: bool(bot) and bot[0] in response_texts(domain, "utter_dosing_refusal")[1:])


def test_messages_are_shown_as_text_never_as_html(visit):
    page = visit()
    open_widget(page)
    say(page, XSS)
    answer(page, lambda bot: bool(bot))  # whatever the assistant says to it
    assert shown(page)[0] == ("user", XSS)
    page.reload()  # and the same from the kept transcript
    open_widget(page)
    assert shown(page)[0] == ("user", XSS)
    assert page.locator("img").count() == 0
    assert page.dialogs == []


def test_phone_width_fits_without_horizontal_scrolling(visit, domain):
    page = visit(width=375, height=667)
    open_widget(page)
    say(page, "what is kratom")
    answer(page, is_response(domain, "utter_what_is_kratom"))
    panel = page.locator(".kw-panel").bounding_box()
    assert panel["x"] == 0 and panel["width"] == 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.evaluate(
        "document.querySelector('.kw-log').scrollWidth <= document.querySelector('.kw-log').clientWidth"
    )
    disclaimer = page.locator(".kw-disclaimer")
    expect(disclaimer).to_be_in_viewport(ratio=1)
    expect(disclaimer).to_have_text(DISCLAIMER)
    expect(page.locator("#kw-input")).to_be_in_viewport(ratio=1)
    page.screenshot(path=str(SHOTS / "conversation-phone.png"))


def test_keyboard_only(visit, domain):
    page = visit()
    for _ in range(10):  # Tab from the top of the page to the launcher
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('kw-launcher')"):
            break
    else:
        pytest.fail("Tab never reached the launcher")

    page.keyboard.press("Enter")
    expect(page.locator(".kw-panel")).to_be_visible()
    expect(page.locator("#kw-input")).to_be_focused()
    expect(page.locator("label[for=kw-input]")).to_have_text("Your message")
    expect(page.locator(".kw-panel")).to_have_attribute("data-state", "online", timeout=10_000)
    page.keyboard.type("what is kratom")
    page.keyboard.press("Enter")
    answer(page, is_response(domain, "utter_what_is_kratom"))

    for _ in range(5):  # from the input, Tab on to the first quick reply
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('kw-reply')"):
            break
    else:
        pytest.fail("Tab never reached a quick reply")
    focused = page.evaluate(
        "[document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle,"
        " getComputedStyle(document.activeElement).outlineWidth]"
    )
    title, outline_style, outline_width = focused
    assert outline_style != "none" and outline_width != "0px", "focus is not visible"
    payload = next(
        b["payload"] for b in domain["responses"]["utter_what_is_kratom"][0]["buttons"] if b["title"] == title
    )
    page.keyboard.press("Enter")
    answer(page, is_response(domain, topic_response(payload.lstrip("/"))))

    page.keyboard.press("Escape")
    expect(page.locator(".kw-panel")).to_be_hidden()
    expect(page.locator(".kw-launcher")).to_be_focused()


def test_offline_state_keeps_what_the_user_typed(visit, domain):
    page = visit()
    page.route(re.compile(r"/socket\.io/"), lambda route: route.abort())  # the server unreachable
    page.click(".kw-launcher")
    expect(page.locator(".kw-status")).to_have_text(OFFLINE, timeout=10_000)
    page.fill("#kw-input", "is kratom addictive")
    page.press("#kw-input", "Enter")
    expect(page.locator("#kw-input")).to_have_value("is kratom addictive")
    assert shown(page) == []

    page.unroute(re.compile(r"/socket\.io/"))  # back: the widget reconnects by itself
    expect(page.locator(".kw-panel")).to_have_attribute("data-state", "online", timeout=20_000)
    expect(page.locator(".kw-status")).to_be_hidden()
    page.press("#kw-input", "Enter")
    answer(page, is_response(domain, "utter_dependence"))
    expect(page.locator("#kw-input")).to_have_value("")


def test_an_origin_cors_does_not_allow_cannot_connect(visit):
    # The same page from another port: an origin the Rasa server was not told to allow.
    with demo_page.serve("127.0.0.1", OTHER_WEB_PORT, RASA_PORT):
        page = visit(url=f"http://127.0.0.1:{OTHER_WEB_PORT}/")
        page.click(".kw-launcher")
        expect(page.locator(".kw-status")).to_have_text(OFFLINE, timeout=10_000)
