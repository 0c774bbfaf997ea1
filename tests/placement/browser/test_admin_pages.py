"""In Chromium: an administrator creates an account, resets its password (shown once), disables
it, reads the audit log filtered with the chain check, and edits a shelter's policy."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from placement.extensions import db
from placement.models import Shelter, User

WORDS = {
    "sq": {"intact": "I paprekur", "taken": "Ky emër përdoruesi është i zënë"},
    "sr_Latn": {"intact": "Netaknut", "taken": "Ovo korisničko ime je zauzeto"},
}


@pytest.mark.parametrize("language", ["sq", "sr_Latn"])
def test_an_admin_manages_an_account_reads_the_audit_log_and_edits_a_shelter(
        page, sign_in, network, shot, axe_check, language):
    admin = sign_in(page, "admin", language=language)
    shot(page, "admin-home")
    page.locator("main a[href='/admin/accounts/']").click()
    shot(page, "accounts")
    page.locator("main a[href='/admin/accounts/new']").click()
    page.locator("#username").fill(admin.username)  # taken: refused, named next to the field
    page.locator("#role").select_option("case_manager")
    page.locator("#organisation").fill("org-b")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("#username-error")).to_contain_text(WORDS[language]["taken"])
    expect(page.locator("#organisation")).to_have_value("org-b")  # what was typed is kept
    shot(page, "account-new-refused")
    page.locator("#username").fill("night-worker")
    page.locator("form.form button[type=submit]").click()
    password = page.locator("#new-password").inner_text()
    assert len(password) >= 12
    shot(page, "account-created")

    page.locator("main a[href*='/admin/accounts/']").click()
    expect(page.locator("main")).not_to_contain_text(password)
    axe_check(page)
    page.locator("main form[action$='/password'] button").click()
    reset = page.locator("#new-password").inner_text()
    assert reset != password
    shot(page, "password-reset")
    # Reloading the answer does not reset again nor show the password.
    page.reload()
    expect(page.locator("#new-password")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(reset)
    expect(page.locator(".notice[role=status]")).to_be_visible()
    axe_check(page)
    page.locator("main form[action$='/disable'] button").click()
    expect(page.locator("main form[action$='/enable'] button")).to_be_visible()
    shot(page, "account-disabled")
    user = db.session.scalar(sa.select(User).where(User.username == "night-worker"))
    assert user.disabled_at is not None and user.organisation.code == "org-b"
    db.session.commit()

    page.goto("/admin/")
    axe_check(page)
    page.locator("main a[href='/admin/audit/']").click()
    expect(page.locator("#verify .status")).to_have_text(WORDS[language]["intact"])
    page.locator("#actor").select_option(str(admin.user_id))
    page.locator("#action").fill("user.")
    page.locator("form.filters button").click()
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_contain_text("user.")
    actions_seen = rows.locator("td code").all_inner_texts()
    assert set(actions_seen) == {"user.create", "user.password_set", "user.disable"}
    shot(page, "audit-log")

    page.goto("/admin/")
    axe_check(page)
    page.locator("main a[href='/admin/shelters/']").click()
    shot(page, "shelters")
    shelter_id = network["thb-high"]
    page.locator(f"main a[href='/admin/shelters/{shelter_id}']").click()
    shot(page, "shelter-edit")
    page.locator("#max_accompanying_boy_age").fill("12")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".notice[role=status]")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Shelter, shelter_id).max_accompanying_boy_age == 12
    db.session.commit()

    # The administrator reads no case data: the case manager's pages are closed to them.
    response = page.goto("/case-manager/")
    assert response.status == 403
    axe_check(page)
    assert re.search(r"/case-manager/$", page.url)
