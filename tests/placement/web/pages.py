"""Helpers for page tests with Flask's test client: CSRF tokens from forms, sign-in."""

import re

from tests.placement.conftest import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path="/login"):
    """The CSRF token of the form on `path`, as a browser would read it."""
    page = client.get(path)
    found = CSRF_FIELD.search(page.get_data(as_text=True))
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def sign_in(client, username, password=PASSWORD, **extra):
    """Submit the sign-in form; returns the response (a redirect when it worked)."""
    token = csrf_token(client)
    form = {"csrf_token": token, "username": username, "password": password, **extra}
    return client.post("/login", data=form)


def post_form(client, path, data, form_page):
    """POST `data` to `path` with the CSRF token of the page `form_page`."""
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **data})
