"""End to end in a real headless Chromium (Debian's package, driven by Playwright): type a
defensive French draft, see the highlight and the block verdict, apply the rewrite, see send.

Needs /usr/bin/chromium (`.ci/run` installs it); skipped with the reason when it is absent.
A screenshot is kept in tests/artifacts/ as the test's artefact.
"""
from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
ARTIFACTS = Path(__file__).parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server_url():
    import uvicorn

    from coach.config import Config
    from coach.server import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(Config()), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_agent_fixes_a_defensive_draft(server_url, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(locale="fr-FR")
        page.goto(server_url)
        expect(page.locator("#editor-label")).to_have_text("Votre réponse")  # the browser's language
        page.fill("#incoming", "Cela fait dix jours que mon nom de domaine devait être transféré !")
        page.click("#editor")
        page.keyboard.type("Bonjour, c'est votre point de vue. Quand on a 50 000 clients, ça prend du temps.")
        mark = page.locator("#editor mark.block").first
        expect(mark).to_be_visible(timeout=15000)
        expect(page.locator("#verdict")).to_have_attribute("data-verdict", "block")
        mark.focus()  # keyboard: the explanation shows on focus
        expect(page.locator("#tip")).to_be_visible()
        expect(page.locator("#tip")).to_contain_text("Pourquoi")
        page.screenshot(path=str(ARTIFACTS / "page-block.png"), full_page=True)
        page.click("#rewrite")
        expect(page.locator("#verdict")).to_have_attribute("data-verdict", "send", timeout=15000)
        assert "50 000" not in page.locator("#editor").inner_text()
        page.screenshot(path=str(ARTIFACTS / "page-send.png"), full_page=True)
        page.select_option("#ui-lang", "en")  # the switch
        expect(page.locator("#editor-label")).to_have_text("Your reply")
        browser.close()
