"""In Chromium: sign in, read the home page in three languages, sign out; errors and refusals."""

import re

from playwright.sync_api import expect

from tests.placement.conftest import PASSWORD


def test_a_coordinator_signs_in_switches_language_and_signs_out(page, sign_in, shot):
    caller = sign_in(page, "regional_coordinator", region="peje")
    expect(page).to_have_url(re.compile(r"/coordinator/$"))
    expect(page.locator("h1")).to_have_text(f"Welcome, {caller.username}")
    expect(page.get_by_text("Your region: Pejë.")).to_be_visible()
    shot(page, "coordinator-home")

    page.get_by_role("button", name="Shqip").click()
    expect(page.locator("h1")).to_have_text(f"Mirë se vini, {caller.username}")
    expect(page.get_by_text("Rajoni juaj: Pejë.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "sq")
    shot(page, "coordinator-home")

    page.get_by_role("button", name="Srpski (latinica)").click()
    expect(page.locator("h1")).to_have_text(f"Dobro došli, {caller.username}")
    expect(page.get_by_text("Vaš region: Peć.")).to_be_visible()
    shot(page, "coordinator-home")

    page.get_by_role("button", name="Odjavite se").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))
    expect(page.get_by_text("Odjavili ste se.")).to_be_visible()
    shot(page, "signed-out")
    # Signed out means signed out: the home page sends the browser back to sign in.
    page.goto("/coordinator/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    shot(page, "sign-in-again")


def test_a_wrong_password_is_named_next_to_the_field(page, make_user, network, shot):
    caller = make_user("case_manager")
    page.goto("/login")
    page.get_by_label("Username").fill(caller.username)
    page.get_by_label("Password").fill(PASSWORD + " but wrong")
    page.get_by_role("button", name="Sign in").click()
    error = page.locator("#password-error")
    expect(error).to_contain_text("The username or password is wrong")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    shot(page, "sign-in-wrong-password")


def test_one_role_cannot_open_another_roles_home(page, sign_in, axe_check, shot):
    sign_in(page, "case_manager")
    expect(page).to_have_url(re.compile(r"/case-manager/$"))
    shot(page, "case-manager-home")
    for other in ("/coordinator/", "/shelter-manager/", "/admin/"):
        response = page.goto(other)
        assert response.status == 403, other
        expect(page.locator("h1")).to_have_text("You cannot open this page")
        axe_check(page)
    shot(page, "forbidden")


def test_every_role_has_a_home_that_passes_axe(page, sign_in, shot):
    for role in ("shelter_manager", "national_coordinator", "admin"):
        sign_in(page, role, language="sq")
        shot(page, f"{role}-home")
        page.context.clear_cookies()


def test_the_api_docs_render_offline_under_the_csp(page, live_server):
    page.goto("/api/v1/docs")
    expect(page.get_by_text("/api/v1/regions").first).to_be_visible()
    # Swagger UI is third-party markup: it is not held to axe here, only to the CSP.
    page.streha_checked.add("/api/v1/docs")


def test_htmx_works_under_the_csp_without_inline_styles(page, sign_in, axe_check):
    sign_in(page, "admin")
    assert page.evaluate("window.htmx.version") == "2.0.11"
    # A fragment fetched and swapped by htmx, as later pages do (hx-get, hx-select).
    page.evaluate(
        """() => {
            const probe = document.createElement("div");
            probe.id = "probe";
            probe.setAttribute("hx-get", "/admin/");
            probe.setAttribute("hx-select", "h1");
            probe.setAttribute("hx-trigger", "load");
            document.querySelector("main").appendChild(probe);
            window.htmx.process(probe);
        }"""
    )
    expect(page.locator("#probe h1")).to_contain_text("Welcome")
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    axe_check(page)
