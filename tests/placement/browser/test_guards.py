"""The browser tests' guards can fail: the coordinate scan, the CSP watch and the axe check."""

import pytest

from tests.placement.conftest import SEEDED_COORDINATES


def test_the_live_server_stops_a_page_that_carries_a_coordinate(page, live_server, axe_check):
    SEEDED_COORDINATES.add("Sign in to Streha")  # stands in for a coordinate in the HTML
    try:
        response = page.goto("/login")
    finally:
        SEEDED_COORDINATES.discard("Sign in to Streha")
    assert response.status == 500
    assert live_server.scanner.leaks == ["/login"]
    live_server.scanner.leaks.clear()
    page.goto("/login")
    axe_check(page)


def test_a_csp_violation_is_seen(page, axe_check):
    page.goto("/login")
    axe_check(page)
    with page.expect_console_message(lambda m: "Content Security Policy" in m.text):
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "document.title = 'inline ran'";
                document.body.appendChild(script);
            }"""
        )
    assert page.title() != "inline ran"
    assert page.streha_csp
    page.streha_csp.clear()


def test_an_accessibility_violation_fails_the_check(page, axe_check):
    page.goto("/login")
    page.evaluate("() => document.querySelector('#username').removeAttribute('id')")
    with pytest.raises(AssertionError, match="label"):
        axe_check(page)
    page.streha_checked.add("/login")
