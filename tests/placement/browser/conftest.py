"""Browser tests: the app on a live server thread, driven by Debian's Chromium through Playwright.

The server runs over the test's own fresh database (the `app` fixture: SQLite, or PostgreSQL with
STREHA_TEST_BACKEND=postgres), and every response it sends passes the coordinate scan. Each test
gets a fresh browser context (`page`); the helpers for writing page tests are fixtures:

    def test_my_page(page, sign_in, axe_check, shot):
        sign_in(page, "case_manager", language="sq")
        page.goto("/cases/")
        axe_check(page)          # fails on any axe-core violation
        shot(page, "cases")      # tests/output/screenshots/<test>/cases-sq.png

Every page a test navigates to must pass `axe_check` (or `shot`, which runs it): the test fails
at teardown naming any page that did not. A CSP violation in the browser fails the test too.
Between browser steps, test code that reads the database must end its transaction
(`db.session.commit()`), or the server's writes wait for it on SQLite.
"""

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from placement.extensions import db
from tests.placement.conftest import PASSWORD, leaked_coordinates

CHROMIUM = os.environ.get("STREHA_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "output" / "screenshots"
TIMEOUT_MS = 15_000


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class ScanningMiddleware:
    """Fail any live-server response that carries a seeded coordinate (as ScanningClient does)."""

    def __init__(self, app):
        self.app = app
        self.leaks = []

    def __call__(self, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)
            return lambda _data: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        text = body.decode("utf-8", "replace") + str(captured["headers"])
        if leaked_coordinates(text):
            self.leaks.append(environ.get("PATH_INFO"))
            start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")])
            return [b"the coordinate scan stopped this response"]
        start_response(captured["status"], captured["headers"], captured["exc_info"])
        return [body]


@dataclass
class LiveServer:
    url: str
    scanner: ScanningMiddleware


@pytest.fixture
def live_server(app):
    """The app served on a free 127.0.0.1 port; yields a LiveServer (its base `url`)."""
    scanner = ScanningMiddleware(app)
    server = make_server("127.0.0.1", 0, scanner, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # The test thread's session must not hold SQLite's write lock while the server works.
    db.session.commit()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", scanner)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
    assert not scanner.leaks, f"pages leaked a shelter coordinate: {scanner.leaks}"


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions: on a loaded machine a poll can take a few seconds.
    expect.set_options(timeout=TIMEOUT_MS)

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page() -> a tab in a new browser context: one per person when a test has several at
    once (a case manager and a shelter manager). Each is checked for CSP and axe coverage at the
    end, as `page` is."""
    tabs = []

    def open_tab():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        tab = context.new_page()
        tab.streha_visited = set()
        tab.streha_checked = set()
        tab.streha_csp = []
        tab.streha_missing = []
        tab.on("framenavigated", lambda frame: _visited(tab, frame))
        tab.on("console", lambda message: _console(tab, message))
        tab.on("response", lambda response: _asset(tab, response))
        tab.on("requestfailed", lambda request: tab.streha_missing.append(request.url))
        tabs.append(tab)
        return tab

    yield open_tab
    for tab in tabs:
        tab.context.close()
    for tab in tabs:
        assert not tab.streha_csp, f"the CSP blocked something: {tab.streha_csp}"
        assert not tab.streha_missing, f"assets that did not load: {tab.streha_missing}"
        unchecked = sorted(tab.streha_visited - tab.streha_checked)
        assert not unchecked, f"pages visited without axe_check: {unchecked}"


@pytest.fixture
def page(open_page):
    """A fresh browser context on the live server; checks CSP and axe coverage at the end."""
    return open_page()


def _visited(tab, frame):
    if frame == tab.main_frame:
        tab.streha_visited.add(_page_path(frame.url))


ASSET_TYPES = ("script", "stylesheet", "image", "font")


def _asset(tab, response):
    if response.request.resource_type in ASSET_TYPES and response.status >= 400:
        tab.streha_missing.append(f"{response.status} {response.url}")


def _console(tab, message):
    if "Content Security Policy" in message.text:
        tab.streha_csp.append(message.text)


def _page_path(url):
    return urlsplit(url).path


@pytest.fixture
def axe_check():
    """axe_check(page): run axe-core (offline, bundled by axe-playwright-python); fail on any
    violation."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(tab):
        results = axe.run(tab)
        violations = results.response["violations"]
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in violations
        ]
        assert not violations, f"axe-core on {tab.url}:\n" + "\n".join(summary)
        tab.streha_checked.add(_page_path(tab.url))

    return check


@pytest.fixture
def shot(request, axe_check):
    """shot(page, name): check the page with axe, then save a full-page screenshot per language."""
    folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)

    def take(tab, name):
        axe_check(tab)
        language = tab.locator("html").get_attribute("lang") or "none"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}-{language}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def sign_in(network, make_user, axe_check):
    """sign_in(page, role, language=None, **scope) -> Caller: a new account of `role`, signed in
    through the form. Scope defaults: organisation org-a, region prishtine, shelter dv-prishtine."""

    def sign(tab, role, language=None, password=PASSWORD, **scope):
        if role == "shelter_manager":
            scope.setdefault("shelters", ["dv-prishtine"])
        caller = make_user(role, **scope)
        if language:
            from placement.models import User

            db.session.get(User, caller.user_id).language = language
        db.session.commit()
        tab.goto("/login")
        axe_check(tab)
        tab.get_by_label(re.compile("Username|Emri i përdoruesit|Korisničko ime")).fill(
            caller.username
        )
        tab.locator("#password").fill(password)
        tab.locator("form.form button[type=submit]").click()
        tab.wait_for_load_state()
        return caller

    return sign
