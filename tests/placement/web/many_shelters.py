"""A network of many shelters for page tests at scale, written straight into the tables.

For the family of the case manager tests (a mother, a girl of 8 and a boy of 15; domestic
violence, medium risk; a suspect in Gjakovë) the shelters come in four sorts, in turn: one that
takes them (a free family room), one whose limit for accompanying boys is 12 (H4, with a change
that would allow it), one for victims of trafficking (H3) and one in Gjakovë (H6).
"""

from datetime import timedelta

import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import Bed, Room, Shelter
from placement.services.network import default_network, seal_location
from tests.placement.conftest import remember_coordinate
from tests.placement.workflow_helpers import sequences_past_given_ids


def sort_of(n):
    """Which of the four sorts shelter `n` (from 0) is: fits, boy_age, trafficking, suspect."""
    return ("fits", "boy_age", "trafficking", "suspect")[n % 4]


def add_shelters(count):
    """`count` more shelters named "Shelter 0001"...; returns their ids in that order."""
    moment = clock.now()
    places = {m["code"]: m for m in default_network()["municipalities"]}
    first = (db.session.scalar(sa.select(sa.func.max(Shelter.id))) or 0) + 1
    first_room = (db.session.scalar(sa.select(sa.func.max(Room.id))) or 0) + 1
    shelters, rooms, beds = [], [], []
    # One secret location for them all: the responses' coordinate scan looks for one more, not
    # thousands (it searches every response for every coordinate it remembers).
    lat, lon = 42.312345, 20.512345
    remember_coordinate(lat)
    remember_coordinate(lon)
    for n in range(count):
        sort = sort_of(n)
        municipality = "gjakove" if sort == "suspect" else ("prizren", "peje")[n // 4 % 2]
        place = places[municipality]
        shelters.append({
            "id": first + n, "code": f"many-{n + 1}", "name": f"Shelter {n + 1:04d}",
            "kind": "thb" if sort == "trafficking" else "dv",
            "region_code": place["region"], "municipality_code": municipality,
            "location_sealed": seal_location(lat, lon), "anchor_lat": place["lat"],
            "anchor_lon": place["lon"], "anchor_set": False, "privacy_radius_km": 3.0,
            "privacy_radius_set": False, "area_municipalities": [municipality],
            "location_disclosure": "municipality", "security_level": "standard",
            "gender_policy": "any", "accepts_unaccompanied_minors": False,
            "accepts_accompanied_children": True,
            "max_accompanying_boy_age": 12 if sort == "boy_age" else None,
            "languages": ["sq"], "services": [], "wheelchair_accessible": False,
            "referral_phone": "+383 00 555 0199",
            "confirmed_at": moment - timedelta(hours=1), "changed_at": moment,
            "created_at": moment, "version": 1})
        room_id = first_room + n
        rooms.append({"id": room_id, "shelter_id": first + n, "code": "F1", "kind": "family",
                      "gender": "any"})
        beds.extend({"room_id": room_id, "code": f"F1-{b}", "status": "available"}
                    for b in range(1, 5))
    for model, rows in ((Shelter, shelters), (Room, rooms), (Bed, beds)):
        db.session.execute(sa.insert(model), rows)
    db.session.commit()
    sequences_past_given_ids("shelters", "rooms")
    return [first + n for n in range(count)]
