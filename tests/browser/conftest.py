"""Browser helpers: pages on the live server, checked with axe-core for WCAG 2.x
A/AA problems (and for landmarks a screen reader cannot tell apart, axe's
best-practice rule landmark-unique), watched for Content-Security-Policy errors,
and photographed into test-artifacts/ so a person can look at them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, ROOT

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_PATH = "/__tests__/axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """Accounts made by factories get cheap argon2 hashes (the live server verifies
    them with the settings stored in the hash)."""
    from argon2 import PasswordHasher

    from server.accounts import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)


class Session:
    """One person's browser context on the live server."""

    def __init__(self, browser, server, *, width: int = 1100, height: int = 900):
        self.server = server
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=server.url
        )
        self.context.set_default_timeout(10_000)
        # axe is served from the site's own origin, so the page's strict CSP
        # (script-src 'self') allows it and stays on for everything else.
        axe = AXE.read_text(encoding="utf-8")
        self.context.route(
            f"**{AXE_PATH}",
            lambda route: route.fulfill(
                status=200, content_type="application/javascript", body=axe
            ),
        )
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))

    def _console(self, message) -> None:
        # A form answered with 4xx is expected (its errors are shown on the page);
        # anything else, CSP violations above all, is a problem.
        expected = message.text.startswith(
            "Failed to load resource: the server responded with a status of 4"
        )
        if message.type == "error" and not expected:
            self.problems.append(f"console: {message.text}")

    def goto(self, path: str):
        response = self.page.goto(path)
        assert response is not None and response.status < 400, f"{path}: {response.status}"
        return self.page

    def sign_in(self, email: str, password: str = PASSWORD):
        page = self.goto("/sign-in")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{self.server.url}/")
        return page

    def check(self, name: str, *, full_page: bool = True) -> None:
        """Photograph the page and fail on any axe violation or CSP/script error."""
        self.photograph(name, full_page)
        if not self.page.evaluate("() => Boolean(window.axe)"):
            self.page.add_script_tag(url=self.server.url + AXE_PATH)
        result = self.page.evaluate(
            "async (tags) => { const r = await axe.run(document, "
            "{runOnly: {type: 'tag', values: tags}, rules: {'landmark-unique': {enabled: true}}, "
            "resultTypes: ['violations']}); "
            "return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, "
            "nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))"
            "; }",
            AXE_TAGS,
        )
        assert result == [], f"{name}: axe violations:\n{json.dumps(result, indent=2)}"
        # An id used twice sends a label to the wrong control: the browser follows the
        # first, while axe finds a label for each and passes them (the members page's
        # role menus were named by the invite form's radio buttons).
        twice = self.page.evaluate(
            "() => { const seen = new Set(), twice = new Set(); "
            "document.querySelectorAll('[id]').forEach(el => "
            "{ if (seen.has(el.id)) twice.add(el.id); seen.add(el.id); }); return [...twice]; }"
        )
        assert twice == [], f"{name}: ids used more than once: {twice}"
        assert self.problems == [], f"{name}: browser errors: {self.problems}"

    def photograph(self, name: str, full_page: bool = True) -> None:
        """Chromium now and then refuses one capture ("Unable to capture screenshot")
        and takes the same picture when asked again a moment later; the photograph is
        for a person to look at, so a refusal is asked again, not failed on."""
        from playwright.sync_api import Error

        ARTIFACTS.mkdir(exist_ok=True)
        for attempt in range(3):
            try:
                self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
                return
            except Error as error:
                if "Unable to capture screenshot" not in str(error) or attempt == 2:
                    raise
                self.page.wait_for_timeout(250)

    def no_sideways_scroll(self, name: str) -> None:
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name}: the page scrolls sideways by {overflow}px"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_session(browser, live_server):
    opened: list[Session] = []

    def _open(**kwargs) -> Session:
        session = Session(browser, live_server, **kwargs)
        opened.append(session)
        return session

    yield _open
    for session in opened:
        session.close()
