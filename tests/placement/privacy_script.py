"""Two installs of one network that differ only in shelters' exact points, driven by one script.

The script is data: a list of `Step`s (who calls what, with which body). A body or path may refer
to an earlier answer: the string "$name.key.0.key" in a body, or "{name.key}" in a path, is the
value found at that place of the answer saved as `name`. To cover another endpoint or page, append
a Step (e.g. `Step("national", "GET", "/map")`) to `SCRIPT`, or a function of steps to `extra`.

`run_install` builds an install (app over a fresh database, the Kosovo network with the given
exact points, one account per role), plays the script, and returns every answer normalised:
case codes become their order of appearance, timestamps and run times become placeholders.
"""

from __future__ import annotations

import json
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass

from placement import create_app
from placement.extensions import db
from placement.services import accounts
from placement.services.areas import DEFAULT_RADII_KM
from placement.services.network import default_network, load_network
from tests.placement.conftest import PASSWORD, ScanningClient, _base_config, remember_coordinate
from tests.placement.web.pages import sign_in

KM_PER_DEGREE = 6371.0 * math.pi / 180
WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
POLICY_KM = {"low": 10.0, "medium": 20.0, "high": 30.0}


@dataclass(frozen=True)
class Step:
    actor: str  # admin | case_manager | shelter_manager | regional | national
    method: str
    path: str
    body: object = None
    save: str | None = None
    expect: int | None = None  # the status the script needs here to mean anything


# --- geometry of the shipped network (all public) -------------------------------------------

def offset(lat, lon, km, bearing_deg):
    """The point `km` from (lat, lon) along a bearing (a local flat approximation)."""
    b = math.radians(bearing_deg)
    return (lat + km * math.cos(b) / KM_PER_DEGREE,
            lon + km * math.sin(b) / (KM_PER_DEGREE * math.cos(math.radians(lat))))


def public_anchors(document=None):
    """{shelter code: (anchor lat, anchor lon, radius km)} as the service computes them."""
    document = document or default_network()
    towns = {m["code"]: m for m in document["municipalities"]}
    anchors = {}
    for s in document["shelters"]:
        level = s.get("location_disclosure", "municipality")
        if level == "municipality":
            lat, lon = towns[s["municipality"]]["lat"], towns[s["municipality"]]["lon"]
        else:
            members = [m for m in document["municipalities"] if m["region"] == s["region"]]
            lat = round(sum(m["lat"] for m in members) / len(members), 4)
            lon = round(sum(m["lon"] for m in members) / len(members), 4)
        radius = document.get("privacy_radius_km", {}).get(level, DEFAULT_RADII_KM[level])
        anchors[s["id"]] = (lat, lon, radius)
    return anchors


def shelter_ids():
    """{shelter code: id}: a fresh install numbers shelters in the file's order."""
    return {s["id"]: k + 1 for k, s in enumerate(default_network()["shelters"])}


def exact_points(bearing_deg, share=0.97):
    """Every shelter's exact point `share` of its radius from its anchor, along a bearing."""
    points = {}
    for code, (lat, lon, radius) in public_anchors().items():
        lat2, lon2 = offset(lat, lon, share * radius, bearing_deg)
        points[code] = (round(lat2, 6), round(lon2, 6))
    return points


# --- the script ------------------------------------------------------------------------------

def case_and_request(name, municipality, category="dv", risk="low", suspects=(),
                     persons=WOMAN):
    """A case, its placement request from `municipality`, and the proposals, saved as `name`."""
    return [
        Step("case_manager", "POST", "/api/v1/cases", {
            "category": category, "risk": risk, "persons": persons, "suspects": list(suspects),
            "referral_source": "police", "identifying_authority": "police"},
            save=f"{name}_case", expect=201),
        Step("case_manager", "POST", "/api/v1/placement-requests", {
            "case_id": f"${name}_case.id", "urgency": "urgent",
            "current_municipality": municipality}, save=f"{name}_request", expect=201),
        Step("case_manager", "GET", f"/api/v1/placement-requests/{{{name}_request.id}}/proposals",
             save=name, expect=200),
    ]


def reads():
    """What each role reads of shelters, and the public geography."""
    steps = []
    for actor in ("admin", "case_manager", "shelter_manager", "regional", "national"):
        steps += [Step(actor, "GET", "/api/v1/shelters", expect=200),
                  Step(actor, "GET", "/api/v1/regions"),
                  Step(actor, "GET", "/api/v1/municipalities")]
        steps += [Step(actor, "GET", f"/api/v1/shelters/{k}") for k in shelter_ids().values()]
        steps += [Step(actor, "GET", f"/api/v1/shelters/{k}/rooms")
                  for k in shelter_ids().values()]
    return steps


def suspect_probes():
    """For every shelter: suspects just inside and just outside the area's H6 threshold,
    where the exact rule would answer differently for points on either side of the anchor."""
    steps = []
    for code, (lat, lon, radius) in sorted(public_anchors().items()):
        category, risk = ("thb", "high") if code == "thb-high" else ("thb", "low")
        limit = POLICY_KM[risk] + radius
        for label, km, bearing in (("in", limit - 1.5, 0), ("out", limit + 1.0, 180),
                                   ("edge", POLICY_KM[risk] + 0.5, 90)):
            s_lat, s_lon = offset(lat, lon, km, bearing)
            suspect = {"lat": round(s_lat, 5), "lon": round(s_lon, 5)}
            steps += case_and_request(f"suspect_{code}_{label}", "prishtine", category, risk,
                                      [suspect])
    steps += case_and_request("suspect_town", "gjilan", "thb", "low",
                              [{"municipality": "fushe-kosove"}, {"municipality": "peje"}])
    return steps


def travel_probes(municipalities):
    """One request from every municipality, at two risks: the bands an attacker would read."""
    steps = []
    for town in municipalities:
        steps += case_and_request(f"travel_{town}", town, "thb", "low")
        steps += case_and_request(f"travel_high_{town}", town, "thb", "high")
    return steps


def holds_and_decisions():
    def hold(name, source):
        return Step("case_manager", "POST",
                    f"/api/v1/placement-requests/{{{source}_request.id}}/holds",
                    {"shelter_id": f"${source}.options.0.shelter.id",
                     "room_id": f"${source}.options.0.room"}, save=name, expect=201)
    return [
        hold("hold_a", "travel_prishtine"),
        Step("shelter_manager", "POST", "/api/v1/holds/{hold_a.id}/accept", expect=200),
        Step("case_manager", "GET", "/api/v1/placement-requests/{travel_prishtine_request.id}"),
        hold("hold_b", "travel_peje"),
        Step("shelter_manager", "POST", "/api/v1/holds/{hold_b.id}/decline",
             {"reason": "no_capacity"}, expect=200),
        hold("hold_c", "travel_gjilan"),
        Step("case_manager", "POST", "/api/v1/holds/{hold_c.id}/cancel", expect=200),
        hold("hold_d", "travel_high_prizren"),
        Step("shelter_manager", "GET", "/api/v1/holds"),
        Step("case_manager", "GET",
             "/api/v1/placement-requests/{travel_peje_request.id}/proposals"),
    ]


def runs():
    return [
        Step("regional", "POST", "/api/v1/optimizer/runs", {"time_limit": 5}, save="run_r",
             expect=202),
        Step("regional", "GET", "/api/v1/optimizer/runs/{run_r.id}", expect=200),
        Step("national", "POST", "/api/v1/optimizer/runs", {"region": "gjilan", "time_limit": 5},
             save="run_n", expect=202),
        Step("national", "GET", "/api/v1/optimizer/runs/{run_n.id}", expect=200),
    ]


def build_script(extra=()):
    towns = [m["code"] for m in default_network()["municipalities"]]
    return [*reads(), *suspect_probes(), *runs(), *travel_probes(towns),
            *holds_and_decisions(), *reads(), *extra]


# --- playing it ------------------------------------------------------------------------------

_REF = re.compile(r"\{([A-Za-z0-9_.-]+)\}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?"
                   r"|\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT")


def _lookup(saved, dotted):
    value = saved
    for part in dotted.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def _resolve(value, saved):
    if isinstance(value, str) and value.startswith("$"):
        return _lookup(saved, value[1:])
    if isinstance(value, dict):
        return {k: _resolve(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, saved) for v in value]
    return value


def _callers():
    codes = list(public_anchors())
    made = {}
    for actor, role, scope in (
        ("admin", "admin", {}),
        ("case_manager", "case_manager", {"organisation": "org-a"}),
        ("shelter_manager", "shelter_manager", {"shelter_ids": codes}),
        ("regional", "regional_coordinator", {"region": "prishtine"}),
        ("national", "national_coordinator", {}),
    ):
        user = accounts.create_user(f"script-{actor}", PASSWORD, role, **scope)
        token, _row = accounts.issue_token(user)
        made[actor] = {"Authorization": f"Bearer {token}"}
    db.session.commit()
    return made


def normalise_text(text):
    """Pages and CSV: CSRF tokens, nonces and clock readings blanked (see privacy_pages)."""
    from tests.placement.privacy_pages import normalise_text as pages_normalise
    return pages_normalise(text)


def _normalise(text, codes):
    text = _TIME.sub("<time>", text)
    for order, code in enumerate(codes):
        text = text.replace(code, f"<case {order}>")
    text = re.sub(r'("(?:hash|prev_hash|request_id)": ")[0-9a-f]+', r"\1<hex>", text)
    return re.sub(r'"wall_time_s": [0-9.e-]+', '"wall_time_s": "<s>"', text)


@contextmanager
def install(fresh, points, before=None):
    """An app over a fresh database with the Kosovo network at `points`: (client, headers)."""
    url, _preloaded = fresh(with_network=False)
    app = create_app(_base_config(url))
    app.test_client_class = ScanningClient
    # The proof must hold for an attacker no limit stops: brakes on volume are switched off.
    app.config["SUSPECT_CHANGES_PER_DAY"] = 100_000
    for quota in ("OPEN_REQUESTS_PER_ACCOUNT", "OPEN_REQUESTS_PER_ORGANISATION",
                  "ACTIVE_HOLDS_PER_ACCOUNT", "ACTIVE_HOLDS_PER_ORGANISATION"):
        app.config[f"QUOTA_{quota}"] = 0
    for lat, lon in points.values():
        remember_coordinate(lat)
        remember_coordinate(lon)
    with app.app_context():
        document = default_network()
        document["generate_locations"] = False
        for shelter in document["shelters"]:
            shelter["lat"], shelter["lon"] = points[shelter["id"]]
        load_network(document)
        db.session.commit()
        if before:
            before(app)
        try:
            yield app.test_client(), _callers()
        finally:
            db.session.remove()
            db.engine.dispose()


def _page_client(api_client, pages, actor):
    """A client signed in through /login as the script account behind `page_<actor>`."""
    if actor not in pages:
        client = api_client.application.test_client()
        response = sign_in(client, f"script-{actor.removeprefix('page_')}")
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        pages[actor] = client
    return pages[actor]


def run_install(fresh, points, script, before=None):
    """Play `script` on a new install whose shelters stand at `points`; the normalised answers.

    `before(app)` may patch the install.
    """
    answers = []
    with install(fresh, points, before) as (client, headers):
        saved, codes, pages = {}, [], {}
        for index, step in enumerate(script):
            path = _REF.sub(lambda m: str(_lookup(saved, m.group(1))), step.path)
            if step.actor.startswith("page_"):
                response = _page_client(client, pages, step.actor).open(path, method=step.method)
            else:
                response = client.open(path, method=step.method, headers=headers[step.actor],
                                       json=_resolve(step.body, saved))
            body = response.get_json(silent=True)
            if step.expect is not None:
                assert response.status_code == step.expect, (index, step, body)
            if step.save:
                saved[step.save] = body
            if isinstance(body, dict) and step.path == "/api/v1/cases" and "code" in body:
                codes.append(body["code"])
            if body is None:  # a page or a CSV download: its text, clock readings blanked
                text = normalise_text(response.get_data(as_text=True))
            else:
                text = json.dumps(body, sort_keys=True, ensure_ascii=False)
            answers.append((index, step.actor, step.method, step.path, response.status_code,
                            response.headers.get("ETag"), _normalise(text, codes)))
    return answers, saved
