"""A shelter's referral phone: in the network file, shown to the roles that see shelters and in
proposals (to confirm a stale bed by phone), changed by the administrator; never an address."""

from tests.placement.workflow_helpers import open_request


def test_every_role_that_sees_shelters_sees_the_referral_line(client, network, make_user):
    shelter = network["dv-prizren"]
    for role in ("case_manager", "regional_coordinator", "national_coordinator", "admin"):
        caller = make_user(role, region="prizren" if role == "regional_coordinator" else None)
        one = client.get(f"/api/v1/shelters/{shelter}", headers=caller.headers).get_json()
        assert one["referral_phone"] == "+383 00 555 0107", role
        listed = client.get("/api/v1/shelters", headers=caller.headers).get_json()
        assert listed and all(s["referral_phone"].startswith("+383 00 555 01")
                              for s in listed), role
    manager = make_user("shelter_manager", shelters=["dv-prizren"])
    own = client.get(f"/api/v1/shelters/{shelter}", headers=manager.headers).get_json()
    assert own["referral_phone"] == "+383 00 555 0107"


def test_the_administrator_changes_it_and_an_address_is_refused(client, network, make_user):
    admin = make_user("admin")
    url = f"/api/v1/shelters/{network['dv-gjilan']}"
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    refused = client.patch(url, json={"referral_phone": "Rruga e Dëshmorëve 12, Gjilan"},
                           headers={**admin.headers, "If-Match": etag})
    assert refused.status_code == 422
    assert "referral_phone" in refused.get_json()["errors"]["json"]
    changed = client.patch(url, json={"referral_phone": "+383 (0)00 555-999"},
                           headers={**admin.headers, "If-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["referral_phone"] == "+383 (0)00 555-999"


def test_proposals_give_the_line_with_each_option(client, network, make_user):
    caller = make_user("case_manager")
    _case, request = open_request(client, caller, suspects=[])
    options = client.get(f"/api/v1/placement-requests/{request['id']}/proposals",
                         headers=caller.headers).get_json()["options"]
    assert options and all(o["referral_phone"].startswith("+383 00 555 01") for o in options)
