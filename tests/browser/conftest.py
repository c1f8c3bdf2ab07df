"""What every browser test shares: Debian's chromium, launched once (Playwright never
downloads a browser here), and the assistant with its demo page as `make run` starts them."""

from contextlib import contextmanager
from typing import Iterator

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import RESULTS
from tools import demo_page, servers

CHROMIUM = "/usr/bin/chromium"
SHOTS = RESULTS / "widget"


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@contextmanager
def assistant_site(rasa_port: int, action_port: int, web_port: int, log_name: str) -> Iterator[str]:
    """The assistant and its demo page as `make run` starts them; the page's URL.

    The page (web_port) and the Rasa server (rasa_port) are different origins, so the
    widget only connects if CORS allows the page's origin."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    origin = f"http://127.0.0.1:{web_port}"
    with (
        open(RESULTS / log_name, "w") as log,
        servers.running(rasa_port, action_port, log=log, cors=[origin]),
        demo_page.serve("127.0.0.1", web_port, rasa_port),
    ):
        yield origin + "/"
