"""Every page address that carries an id, opened by a user of the same role outside its scope:
a case manager of another organisation, a manager of another shelter. Each answers 404 (as the
API does), changes nothing, and the same address opens for the user in scope (so a 404 here is
scope, not a broken address)."""

import sqlalchemy as sa

from placement.extensions import db
from placement.models import Bed, Hold, Placement, PlacementRequest, Room
from tests.placement.web.pages import csrf_token, sign_in
from tests.placement.workflow_helpers import open_request


def _world(client, network, make_user):
    """A request with an active hold, and another accepted (a placement), at dv-prishtine."""
    owner = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    shelter_id = network["dv-prishtine"]
    ids = {"shelter": shelter_id}
    for name in ("held", "placed"):
        case, request = open_request(client, owner)
        hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                           json={"shelter_id": shelter_id}, headers=owner.headers)
        assert hold.status_code == 201, hold.get_json()
        ids[f"{name}_case"], ids[f"{name}_request"] = case["id"], request["id"]
        ids[f"{name}_hold"] = hold.get_json()["id"]
    accepted = client.post(f"/api/v1/holds/{ids['placed_hold']}/accept", headers=manager.headers)
    assert accepted.status_code == 200, accepted.get_json()
    ids["placement"] = db.session.scalar(
        sa.select(Placement.id).where(Placement.hold_id == ids["placed_hold"]))
    ids["bed"] = db.session.scalar(
        sa.select(Bed.id).join(Room).where(Room.shelter_id == shelter_id,
                                           Bed.status == "available").limit(1))
    db.session.commit()
    return owner, manager, ids


CASE_MANAGER_PAGES = [
    ("GET", "/cases/{held_case}"), ("GET", "/requests/{held_request}"),
    ("GET", "/requests/{held_request}/live"), ("GET", "/requests/{held_request}/proposals"),
    ("POST", "/cases/{held_case}/risk"), ("POST", "/cases/{held_case}/close"),
    ("POST", "/cases/{placed_case}/requests"), ("POST", "/requests/{held_request}/holds"),
    ("POST", "/holds/{held_hold}/cancel"),
]
SHELTER_MANAGER_PAGES = [
    ("GET", "/shelter-manager/shelters/{shelter}/board"),
    ("GET", "/shelter-manager/shelters/{shelter}/freshness"),
    ("GET", "/shelter-manager/holds/{held_hold}/countdown"),
    ("POST", "/shelter-manager/shelters/{shelter}/confirm"),
    ("POST", "/shelter-manager/beds/{bed}/out-of-service"),
    ("POST", "/shelter-manager/beds/{bed}/back-in-service"),
    ("POST", "/shelter-manager/beds/{bed}/walk-in"),
    ("POST", "/shelter-manager/beds/{bed}/departure"),
    ("POST", "/shelter-manager/holds/{held_hold}/accept"),
    ("POST", "/shelter-manager/holds/{held_hold}/decline"),
    ("POST", "/shelter-manager/placements/{placement}/arrive"),
    ("POST", "/shelter-manager/placements/{placement}/no-show"),
    ("POST", "/shelter-manager/placements/{placement}/discharge"),
]
# Filled forms, so that a 404 cannot come from a refused form instead of the scope.
FORMS = {
    "risk": {"risk-risk": "high", "risk-reason": "new threat"},
    "close": {"close-reason": "done"},
    "requests": {"request-urgency": "urgent", "request-current_municipality": "prizren"},
    "holds": {"shelter_id": "{shelter}"},
    "out-of-service": {"reason": "repair"},
    "decline": {"reason": "no_capacity"},
    "discharge": {"reason": "planned_departure"},
}


def _state(ids):
    db.session.expire_all()
    state = (db.session.get(Hold, ids["held_hold"]).status,
             db.session.get(Placement, ids["placement"]).status,
             db.session.get(Bed, ids["bed"]).status,
             db.session.get(PlacementRequest, ids["held_request"]).status)
    db.session.commit()
    return state


def _walk(client, pages, ids, form_page):
    token = csrf_token(client, form_page)
    answers = {}
    for method, pattern in pages:
        path = pattern.format(**ids)
        if method == "GET":
            answers[path] = client.get(path).status_code
        else:
            form = {k: v.format(**ids) for k, v in FORMS.get(path.rsplit("/", 1)[1], {}).items()}
            answers[path] = client.post(path, data={"csrf_token": token, **form}).status_code
    return answers


def test_every_page_with_an_id_is_404_outside_its_scope(app, client, network, make_user):
    _owner, _manager, ids = _world(client, network, make_user)
    before = _state(ids)
    stranger = make_user("case_manager", organisation="org-b")
    other_manager = make_user("shelter_manager", shelters=["thb-high"])

    outsider = app.test_client()
    assert sign_in(outsider, stranger.username).status_code == 302
    answers = _walk(outsider, CASE_MANAGER_PAGES, ids, "/cases/")
    outsider = app.test_client()
    assert sign_in(outsider, other_manager.username).status_code == 302
    answers.update(_walk(outsider, SHELTER_MANAGER_PAGES, ids, "/shelter-manager/holds"))
    assert {path: code for path, code in answers.items() if code != 404} == {}
    assert _state(ids) == before

    # The same addresses open for the users in scope.
    colleague = make_user("case_manager", organisation="org-a")
    insider = app.test_client()
    assert sign_in(insider, colleague.username).status_code == 302
    gets = [page for page in CASE_MANAGER_PAGES if page[0] == "GET"]
    assert set(_walk(insider, gets, ids, "/cases/").values()) == {200}
    colleague = make_user("shelter_manager", shelters=["dv-prishtine"])
    insider = app.test_client()
    assert sign_in(insider, colleague.username).status_code == 302
    gets = [page for page in SHELTER_MANAGER_PAGES if page[0] == "GET"]
    assert set(_walk(insider, gets, ids, "/shelter-manager/holds").values()) == {200}
