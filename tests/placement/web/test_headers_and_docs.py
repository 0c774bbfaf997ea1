"""Every response has a strict CSP and no framing; the API docs work offline from the package."""

import re

import pytest

from placement import CONTENT_SECURITY_POLICY

STRICT = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


@pytest.mark.parametrize("path", ["/login", "/api/v1/regions", "/api/v1/docs", "/nowhere"])
def test_every_response_has_the_strict_policy_and_refuses_framing(client, path):
    response = client.get(path)
    assert set(response.headers["Content-Security-Policy"].split("; ")) == STRICT
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_hsts_is_sent_over_tls(client):
    response = client.get("/login", base_url="https://streha.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def _assets(page):
    """Every address the page loads, less the empty favicon (`data:,`, which loads nothing)."""
    return [a for a in re.findall(r'(?:src|href)="([^"]+)"', page) if a != "data:,"]


def test_pages_have_no_inline_script_or_style_and_no_other_origin(client):
    for path in ("/login", "/api/v1/docs"):
        page = client.get(path).get_data(as_text=True)
        assert "<style" not in page and " style=" not in page, path
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page), f"inline script on {path}"
        assert "://" not in page.replace("content='{\"", ""), f"another origin named on {path}"


def test_the_api_docs_load_pinned_swagger_ui_from_the_package(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assets = _assets(page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("api-docs.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        with client.get(asset) as served:
            assert served.status_code == 200 and len(served.data) > 100, asset
    spec = re.search(r'data-spec-url="([^"]+)"', page).group(1)
    assert client.get(spec).get_json()["info"]["title"] == "Streha"


def test_the_vendored_files_are_the_versions_the_readme_names(client):
    with client.get("/static/vendor/README.md") as response:
        readme = response.get_data(as_text=True)
    with client.get("/static/vendor/htmx/htmx.min.js") as response:
        htmx = response.get_data(as_text=True)
    assert "| 2.0.11 |" in readme and 'version:"2.0.11"' in htmx.replace(" ", "")


def test_the_coordinate_scan_covers_html_pages(client):
    from tests.placement.conftest import SEEDED_COORDINATES

    SEEDED_COORDINATES.add("Sign in to Streha")  # stands in for a coordinate in a page
    try:
        with pytest.raises(AssertionError, match="leaked a shelter coordinate"):
            client.get("/login")
    finally:
        SEEDED_COORDINATES.discard("Sign in to Streha")
