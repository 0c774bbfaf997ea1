"""Exports of occupancy, history and unmet need: CSV tables and an Open Referral HSDS 3 feed.

Which exports suppress small numbers: those meant to leave the organisation, namely the HSDS
`service_capacity` feed and the unmet-need CSV with audience=external. In them every count from 1
to 4 is withheld ("<5" in CSV; in HSDS an entry whose `available` would be withheld is left out and
counted in `suppressed`, and a withheld `maximum` is omitted), and so is a median computed from
fewer than 5 requests. Zero is shown: it tells of nobody. The internal CSVs (occupancy, history,
unmet need with audience=internal) carry the same figures the caller sees in JSON.
"""

import csv
import io
import uuid

from placement.models.shelter import ROOM_KINDS

SMALL = 5
WITHHELD = "<5"
# Stable HSDS identifiers (uuid required by the schema) derived from our codes, never random.
HSDS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://streha.invalid/hsds")
HSDS_UNIT = {"id": str(uuid.uuid5(HSDS_NAMESPACE, "unit:bed")), "name": "Bed"}


def is_small(value):
    return isinstance(value, int) and 0 < value < SMALL


def _cell(value):
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with an apostrophe."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue()


COUNT_COLUMNS = ("total", "in_service", "occupied", "held", "out_of_service", "available")


def occupancy_csv(view):
    """One row for the network, one per region, one per shelter; columns absent from the
    caller's view (a case manager sees no counts) stay empty."""
    kind_columns = [f"{kind}_{what}" for kind in ROOM_KINDS
                    for what in ("available", "open_beds", "open_rooms")]
    header = ["level", "region", "shelter_id", "shelter_code", "shelter_name", "freshness",
              *COUNT_COLUMNS, "open_to_new_beds", "open_to_new_rooms", *kind_columns,
              "population", "places_per_10000"]

    def row(level, region, item, ident=(None, None, None), freshness=None):
        opened = item.get("open_to_new_requests", {})
        kinds = []
        for kind in ROOM_KINDS:
            counts = item.get("by_room_kind", {}).get(kind, {})
            inner = counts.get("open_to_new_requests", {})
            kinds += [counts.get("available"), inner.get("beds"), inner.get("rooms")]
        return [level, region, *ident, freshness, *(item.get(c) for c in COUNT_COLUMNS),
                opened.get("beds"), opened.get("rooms"), *kinds, item.get("population"),
                item.get("places_per_10000")]

    rows = [row("network", None, view["totals"])]
    rows += [row("region", r["code"], r) for r in view["regions"]]
    rows += [row("shelter", s["region"], s, (s["id"], s["code"], s["name"]), s["freshness"])
             for s in view["shelters"]]
    return to_csv(header, rows)


HISTORY_COLUMNS = ("at", "shelters", "total", "in_service", "occupied", "held", "out_of_service",
                   "available", "occupancy_rate", "peak_occupied", "hours")


def history_csv(view):
    return to_csv(HISTORY_COLUMNS, [[p.get(c) for c in HISTORY_COLUMNS] for p in view["points"]])


def unmet_need_rows(view):
    """The unmet-need figures as (section, item, measure, value) rows."""
    waits = view["waits"]
    rows = [("waits", "requests", "count", waits["requests"]),
            ("waits", "never_held", "count", waits["never_held"])]
    for name in ("to_first_hold", "to_acceptance", "to_arrival"):
        rows += [("waits", name, "count", waits[name]["count"]),
                 ("waits", name, "median_hours", waits[name]["median_hours"])]
    rows += [("declines", r, "count", n) for r, n in view["declines"]["by_reason"].items()]
    ended = view["ended_without_placement"]
    rows += [("ended_without_placement", r, "count", n) for r, n in ended["by_reason"].items()]
    rows += [("ended_without_placement", "holds_expired", "count", ended["holds_expired"]),
             ("ended_without_placement", "no_shows", "count", ended["no_shows"])]
    unplaced = view["optimizer_unplaced"]
    rows += [("optimizer_unplaced", "requests", "count", unplaced["requests"]),
             ("optimizer_unplaced", "capacity_only", "count", unplaced["capacity_only"])]
    rows += [("optimizer_unplaced", rule, "count", n) for rule, n in unplaced["by_rule"].items()]
    rows += [("overrides", "placements", "count", view["overrides"]["placements"])]
    rows += [("overrides", rule, "count", n) for rule, n in view["overrides"]["by_rule"].items()]
    return rows


def suppress_rows(rows):
    """Withhold counts from 1 to 4, and medians over fewer than 5 requests."""
    counts = {(s, i): v for s, i, m, v in rows if m == "count"}
    result = []
    for section, item, measure, value in rows:
        small_count = measure == "count" and is_small(value)
        thin_median = (measure == "median_hours" and value is not None
                       and counts.get((section, item), 0) < SMALL)
        if small_count or thin_median:
            value = WITHHELD
        result.append((section, item, measure, value))
    return result


def unmet_need_csv(view, external=False):
    rows = unmet_need_rows(view)
    if external:
        rows = suppress_rows(rows)
    period = [("period", "from", "date", view["from"]), ("period", "to", "date", view["to"]),
              ("period", "region", "code", view["region"] or "all")]
    return to_csv(("section", "item", "measure", "value"), period + rows)


def hsds_service_capacity(view):
    """HSDS 3 `service_capacity` objects, one per shelter of an occupancy view, suppressed."""
    contents, suppressed, unconfirmed = [], 0, 0
    for shelter in view["shelters"]:
        if shelter.get("confirmed_at") is None:
            unconfirmed += 1  # no date to give as `updated`: counts nobody has vouched for
            continue
        if is_small(shelter["available"]):
            suppressed += 1
            continue
        item = {
            "id": str(uuid.uuid5(HSDS_NAMESPACE, f"service_capacity:{shelter['code']}")),
            "service_id": str(uuid.uuid5(HSDS_NAMESPACE, f"service:{shelter['code']}")),
            "unit": HSDS_UNIT, "unit_id": HSDS_UNIT["id"],
            "available": shelter["available"],
            "description": f"Beds in a specialised {shelter['kind']} shelter",
            "updated": _iso(shelter["confirmed_at"]),
        }
        if not is_small(shelter["in_service"]):
            item["maximum"] = shelter["in_service"]
        contents.append(item)
    return {"total_items": len(contents), "total_pages": 1, "page_number": 1,
            "size": len(contents), "first_page": True, "last_page": True,
            "empty": not contents, "suppressed": suppressed, "unconfirmed": unconfirmed,
            "contents": contents}


def _iso(moment):
    return moment.isoformat(timespec="milliseconds") + "Z"
