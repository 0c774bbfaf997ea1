"""One transaction boundary for every API view: the answer is built before anything commits, so a
view that fails while answering leaves nothing half-written; no route module commits by hand."""

import re
from pathlib import Path

import sqlalchemy as sa

from placement.extensions import db
from placement.models import Placement
from placement.resources import placements as placement_resource
from placement.resources.common import View
from tests.placement.workflow_helpers import open_request

ROUTES = Path(__file__).resolve().parents[2] / "placement" / "resources"


def test_a_view_failing_while_answering_changes_nothing(client, network, make_user,
                                                         monkeypatch):
    case_manager = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    _case, request = open_request(client, case_manager)
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": network["dv-prishtine"]},
                       headers=case_manager.headers).get_json()
    client.post(f"/api/v1/holds/{hold['id']}/accept", headers=manager.headers)
    placement_id = db.session.scalar(sa.select(Placement.id))

    def broken(_placement):
        raise RuntimeError("the answer could not be built")

    monkeypatch.setattr(placement_resource.routes, "placement_view", broken)
    answer = client.post(f"/api/v1/placements/{placement_id}/arrive", headers=manager.headers)
    assert answer.status_code == 500
    db.session.expire_all()
    assert db.session.get(Placement, placement_id).status == "accepted"


def test_every_api_view_runs_inside_the_boundary(app):
    api_views = [view for endpoint, view in app.view_functions.items()
                 if app.url_map._rules_by_endpoint[endpoint][0].rule.startswith("/api/v1/")
                 and hasattr(view, "view_class")]
    assert len(api_views) > 30
    assert all(issubclass(view.view_class, View) for view in api_views)


def test_no_route_module_commits_by_hand():
    # Two deliberate exceptions: a failed login must count although it is refused, and an
    # optimizer run commits its record before it is queued (the worker reads it from there).
    allowed = {("auth/routes.py", "db.session.commit()"),
               ("runs/routes.py", "db.session.commit()")}
    found = set()
    for path in sorted(ROUTES.rglob("*.py")):
        for line in path.read_text().splitlines():
            match = re.search(r"before_solving=db\.session\.commit|db\.session\.commit\(\)", line)
            if match and not line.lstrip().startswith(("#", '"')):
                found.add((str(path.relative_to(ROUTES)), match.group(0)))
    found.discard(("common.py", "db.session.commit()"))  # the boundary itself
    assert found == allowed


PAGES = Path(__file__).resolve().parents[2] / "placement" / "web"


def test_no_page_view_commits_or_skips_the_page_boundary():
    """Page views end as API views do: one commit, in placement/web/transaction.py."""
    found = []
    for path in sorted((PAGES / "views").glob("*.py")):
        text = path.read_text()
        found += [f"{path.name}: {line.strip()}" for line in text.splitlines()
                  if "commit()" in line and not line.lstrip().startswith(("#", '"'))]
        if "Blueprint(" in text:
            assert "PageBlueprint(" in text and "import Blueprint" not in text, path.name
    assert found == []


def test_every_page_view_runs_inside_the_boundary(app):
    from placement.web.views import BLUEPRINTS

    pages = {bp.name for bp in BLUEPRINTS}
    views = [view for endpoint, view in app.view_functions.items()
             if endpoint.split(".")[0] in pages]
    assert len(views) > 30
    assert all(view.__code__ is _page_boundary_code() for view in views)


def _page_boundary_code():
    from placement.web.transaction import page_transaction

    return page_transaction(lambda: None).__code__


def test_a_page_failing_while_answering_changes_nothing(client, network, make_user, monkeypatch):
    """The page's answer is built before the commit: a page that fails while answering leaves
    the change it made unwritten, as an API view does."""
    from placement.models import Case, PlacementRequest
    from placement.web.views import cases as case_pages
    from tests.placement.web.pages import post_form, sign_in

    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager)
    case_id = db.session.get(PlacementRequest, request["id"]).case_id
    assert sign_in(client, case_manager.username).status_code == 302

    def broken(*_args, **_kwargs):
        raise RuntimeError("the page could not be built")

    monkeypatch.setattr(case_pages, "redirect", broken)
    answer = post_form(client, f"/cases/{case_id}/close", {"close-reason": "moved abroad"},
                       f"/cases/{case_id}")
    assert answer.status_code == 500
    db.session.expire_all()
    assert db.session.get(Case, case_id).closed_at is None
