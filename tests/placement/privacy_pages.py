"""Steps of the non-interference script for what came after it: occupancy, history, unmet need,
the HSDS feed, the OpenAPI document and every role's pages and CSV downloads.

A page step's actor is `page_<actor>`: it is played by a browser-like client that signed in
through /login as that script account (session cookie, CSRF). Answers that are not JSON (pages,
CSV) are compared as text after `normalise_text`, which blanks only what must differ between two
installs (CSRF tokens, nonces, clock readings) and nothing that could carry a place.
"""

import re

from tests.placement.privacy_script import Step, case_and_request, shelter_ids

ROLES = ("admin", "case_manager", "shelter_manager", "regional", "national")
COORDINATORS = ("regional", "national")

_MASKS = (
    (re.compile(r'(name="csrf_token"[^>]*value=")[^"]+'), r"\1<csrf>"),
    (re.compile(r'(name="csrf-token"[^>]*content=")[^"]+'), r"\1<csrf>"),
    (re.compile(r'(nonce=")[^"]+'), r"\1<nonce>"),
    (re.compile(r'("X-CSRFToken": ")[^"]+'), r"\1<csrf>"),
    # The audit trail's request ids (random) and chained hashes (over clock readings).
    (re.compile(r'("(?:hash|prev_hash|request_id)": ")[0-9a-f]+'), r"\1<hex>"),
    (re.compile(r"\b[0-9a-f]{32}([0-9a-f]{32})?\b"), "<hex>"),
    # Babel's short date-time in every locale the pages speak, and bare ISO minutes in CSV.
    (re.compile(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\.?,? \d{1,2}:\d{2}(\s?[AP]M)?"), "<time>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"),
     "<time>"),
    (re.compile(r"\d{8}-\d{4}\.csv"), "<time>.csv"),
    (re.compile(r"\d+ min \d+ s"), "<left>"),
    (re.compile(r"\d+ (second|minute|hour|day)s?\b"), "<ago>"),
)


def normalise_text(text):
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def work():
    """Enough happening for every figure to be non-trivial: requests from towns near shelters,
    a suspect split by the area rule, a hold accepted and one waiting, a run."""
    steps = []
    for town in ("prishtine", "gjilan", "peje", "prizren", "mitrovice"):
        steps += case_and_request(f"p_{town}", town, "thb", "low")
    steps += case_and_request("p_dv", "ferizaj", "dv", "medium")
    steps += [
        Step("case_manager", "POST", "/api/v1/placement-requests/{p_prishtine_request.id}/holds",
             {"shelter_id": "$p_prishtine.options.0.shelter.id",
              "room_id": "$p_prishtine.options.0.room"}, save="p_hold_a", expect=201),
        Step("shelter_manager", "POST", "/api/v1/holds/{p_hold_a.id}/accept", expect=200),
        Step("case_manager", "POST", "/api/v1/placement-requests/{p_gjilan_request.id}/holds",
             {"shelter_id": "$p_gjilan.options.0.shelter.id",
              "room_id": "$p_gjilan.options.0.room"}, save="p_hold_b", expect=201),
        Step("national", "POST", "/api/v1/optimizer/runs", {"time_limit": 5}, save="p_run",
             expect=202),
    ]
    return steps


def api_reads():
    """Occupancy, history, unmet need (+ CSV, external), the HSDS feed, by every role."""
    steps = [Step("admin", "GET", "/api/v1/openapi.json"),
             Step("case_manager", "GET", "/api/v1/openapi.json")]
    for actor in ROLES:
        for query in ("", "?format=csv", "?region=prishtine", "?region=gjilan&format=csv"):
            steps.append(Step(actor, "GET", f"/api/v1/occupancy{query}"))
        for query in ("", "?format=csv", "?granularity=day", "?shelter=1", "?shelter=3"):
            steps.append(Step(actor, "GET", f"/api/v1/occupancy/history{query}"))
        for query in ("", "?format=csv", "?format=csv&audience=external",
                      "?region=prishtine"):
            steps.append(Step(actor, "GET", f"/api/v1/occupancy/unmet-need{query}"))
        for query in ("", "?region=prishtine"):
            steps.append(Step(actor, "GET", f"/api/v1/occupancy/service-capacity{query}"))
        steps += [Step(actor, "GET", "/api/v1/shelters"),
                  Step(actor, "GET", "/api/v1/notifications"),
                  Step(actor, "GET", "/api/v1/audit")]
    return steps


def _page(actor, path):
    return Step(f"page_{actor}", "GET", path)


def pages():
    """Every page a role reaches, with the figures the work above produced."""
    ids = list(shelter_ids().values())
    steps = [_page(actor, "/") for actor in ROLES]
    steps += [_page("case_manager", p) for p in (
        "/case-manager/", "/cases/", "/cases/new", "/cases/{p_prishtine_case.id}",
        "/cases/{p_gjilan_case.id}", "/requests/{p_peje_request.id}/proposals",
        "/requests/{p_prizren_request.id}/proposals", "/requests/{p_dv_request.id}/proposals",
        "/requests/{p_prishtine_request.id}", "/requests/{p_gjilan_request.id}",
        "/requests/{p_gjilan_request.id}/live")]
    steps += [_page("shelter_manager", p) for p in (
        "/shelter-manager/", "/shelter-manager/holds", "/shelter-manager/holds/waiting",
        "/shelter-manager/holds/{p_hold_b.id}/countdown")]
    steps += [_page("shelter_manager", f"/shelter-manager/shelters/{k}/board") for k in ids]
    steps += [_page("shelter_manager", f"/shelter-manager/shelters/{k}/freshness") for k in ids]
    steps += [_page("admin", p) for p in ("/admin/", "/admin/shelters/", "/admin/audit/",
                                          "/admin/accounts/")]
    steps += [_page("admin", f"/admin/shelters/{k}") for k in ids]
    for actor in COORDINATORS:
        steps += [_page(actor, p) for p in (
            "/coordinator/", "/coordinator/queue", "/coordinator/runs/{p_run.id}",
            "/coordinator/requests/{p_peje_request.id}",
            "/coordinator/requests/{p_gjilan_request.id}",
            "/map", "/map/regions/prishtine", "/map/regions/gjilan", "/map/regions/peje",
            "/map/occupancy.csv", "/map/occupancy.csv?region=prishtine",
            "/map/trends", "/map/trends?days=30", "/map/trends.csv",
            "/coordinator/unmet-need", "/coordinator/unmet-need?region=prishtine",
            "/coordinator/unmet-need.csv", "/coordinator/unmet-need.csv?audience=external")]
    return steps


def pages_script():
    return [*work(), *api_reads(), *pages()]
