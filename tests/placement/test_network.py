"""`flask network load`: the Kosovo network, idempotent reloads, changes, refusals, bad files."""

import copy
import json

import pytest
import sqlalchemy as sa

from placement import create_app
from placement.crypto import new_key
from placement.extensions import db
from placement.models import Bed, BedEvent, Municipality, Region, Room, Shelter
from placement.services import capacity
from placement.services.network import default_network, shelter_location
from tests.placement.conftest import SECRET_KEYS, remember_coordinates
from tests.placement.workflow_helpers import hold_bed


def load(app, *args):
    """Run `flask network load ...` as an operator would; the test's session then sees it fresh."""
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["network", "load", *args])
    db.session.expire_all()
    remember_coordinates()
    return result


def load_document(app, tmp_path, document):
    path = tmp_path / "network.json"
    path.write_text(json.dumps(document))
    return load(app, str(path))


def beds_of(code):
    """{(room code, bed code): (bed id, status)} for the active beds of one shelter."""
    rows = db.session.execute(
        sa.select(Room.code, Bed.code, Bed.id, Bed.status)
        .join(Room, Bed.room_id == Room.id)
        .join(Shelter, Room.shelter_id == Shelter.id)
        .where(Shelter.code == code, Bed.removed_at.is_(None), Room.removed_at.is_(None))
    )
    return {(room, bed): (bed_id, status) for room, bed, bed_id, status in rows}


def all_beds():
    return dict(
        db.session.execute(sa.select(Bed.id, Bed.status).where(Bed.removed_at.is_(None))).all()
    )


def shelter_entry(document, code):
    return next(s for s in document["shelters"] if s["id"] == code)


def room_entry(document, shelter, room):
    return next(r for r in shelter_entry(document, shelter)["rooms"] if r["id"] == room)


def occupy(shelter_code, room_code, status="occupied"):
    """Put a resident (or a hold) on the first available bed of a room, as the services would."""
    bed_id = min(
        bed_id
        for (room, _bed), (bed_id, bed_status) in beds_of(shelter_code).items()
        if room == room_code and bed_status == "available"
    )
    bed = db.session.get(Bed, bed_id)
    if status == "occupied":
        occupant = {"gender": "female", "age": 30, "group": "g1"}
        capacity.admit_resident(bed, occupant, "arrived", actor=None)
    else:
        hold_bed(bed)
    db.session.commit()
    return bed_id


def test_default_network_is_the_kosovo_network(app):
    result = load(app, "--default")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Municipality)) == 38
    shelters = list(db.session.scalars(sa.select(Shelter)))
    kinds = [s.kind for s in shelters]
    assert kinds.count("thb") == 3 and kinds.count("dv") == 5
    assert sorted(s.region_code for s in shelters if s.kind == "dv") == sorted(
        ["prishtine", "mitrovice", "peje", "prizren", "gjilan"]
    )
    assert [s.security_level for s in shelters if s.kind == "thb"].count("high") == 1
    assert 110 <= len(all_beds()) <= 130
    for shelter in shelters:
        municipality = db.session.get(Municipality, shelter.municipality_code)
        assert municipality.region_code == shelter.region_code


def test_loading_the_same_file_again_changes_nothing(app):
    load(app, "--default")
    beds, events = all_beds(), db.session.scalar(sa.select(sa.func.count(BedEvent.id)))
    versions = dict(db.session.execute(sa.select(Shelter.code, Shelter.version)).all())
    sealed = dict(db.session.execute(sa.select(Shelter.code, Shelter.location_sealed)).all())

    result = load(app, "--default")

    assert result.exit_code == 0, result.output
    assert result.output.count(": unchanged") == 8, result.output
    assert all_beds() == beds
    assert db.session.scalar(sa.select(sa.func.count(BedEvent.id))) == events
    assert dict(db.session.execute(sa.select(Shelter.code, Shelter.version)).all()) == versions
    assert dict(db.session.execute(sa.select(Shelter.code, Shelter.location_sealed)).all()) == (
        sealed
    )


def test_a_changed_file_updates_beds_rooms_and_policy(app, network, tmp_path):
    before = beds_of("dv-peje")
    document = default_network()
    room_entry(document, "dv-peje", "A1")["beds"] += 2
    room_entry(document, "dv-peje", "A2")["beds"] -= 1
    shelter = shelter_entry(document, "dv-peje")
    shelter["rooms"] = [r for r in shelter["rooms"] if r["id"] != "F2"]
    shelter["languages"] = ["sq", "en", "sr"]
    shelter["accepts_unaccompanied_minors"] = True

    result = load_document(app, tmp_path, document)

    assert result.exit_code == 0, result.output
    assert "shelter dv-peje: updated" in result.output
    after = beds_of("dv-peje")
    rooms = {room for room, _bed in after}
    assert "F2" not in rooms
    count = {room: sum(1 for r, _ in after if r == room) for room in rooms}
    original = {room: sum(1 for r, _ in before if r == room) for room, _ in before}
    assert count["A1"] == original["A1"] + 2
    assert count["A2"] == original["A2"] - 1
    assert count["F1"] == original["F1"]
    # Beds that stay keep their ids: history and holds still point at them.
    kept = {key: value for key, value in before.items() if key[0] in ("A1", "F1")}
    assert all(after[key] == value for key, value in kept.items())
    peje = db.session.scalar(sa.select(Shelter).where(Shelter.code == "dv-peje"))
    assert peje.languages == ["sq", "en", "sr"] and peje.accepts_unaccompanied_minors
    # Other shelters are untouched.
    assert "shelter dv-gjilan: unchanged" in result.output


@pytest.mark.parametrize("status", ["occupied", "held"])
@pytest.mark.parametrize("change", ["remove room", "reduce beds"])
def test_removing_busy_beds_is_refused_and_nothing_changes(app, network, tmp_path, status, change):
    busy = occupy("dv-gjilan", "F2", status)
    occupy("dv-gjilan", "F2", status)
    beds = all_beds()
    document = default_network()
    # An earlier shelter's change must be rolled back with the refusal.
    shelter_entry(document, "thb-high")["languages"] = ["sq"]
    gjilan = shelter_entry(document, "dv-gjilan")
    if change == "remove room":
        gjilan["rooms"] = [r for r in gjilan["rooms"] if r["id"] != "F2"]
    else:
        # F2 has 4 beds, 2 of them busy: keeping 1 would remove a busy one.
        room_entry(document, "dv-gjilan", "F2")["beds"] = 1

    result = load_document(app, tmp_path, document)

    assert result.exit_code == 1
    assert "shelters[7] (dv-gjilan)" in result.output
    assert "occupied or held" in result.output
    assert all_beds() == beds
    assert all_beds()[busy] == status
    high = db.session.scalar(sa.select(Shelter).where(Shelter.code == "thb-high"))
    assert high.languages != ["sq"]


def test_a_room_changing_only_kind_moves_the_shelter_version(app, network, tmp_path):
    # The version is the shelter's ETag, and what the proposals' network cache checks.
    version = db.session.scalar(sa.select(Shelter.version).where(Shelter.code == "dv-gjilan"))
    document = default_network()
    room_entry(document, "dv-gjilan", "A1")["kind"] = "family"
    result = load_document(app, tmp_path, document)
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(
        sa.select(Shelter.version).where(Shelter.code == "dv-gjilan")) > version


def test_a_room_with_a_resident_cannot_change_kind(app, network, tmp_path):
    occupy("dv-gjilan", "A1")
    document = default_network()
    room_entry(document, "dv-gjilan", "A1")["kind"] = "family"
    result = load_document(app, tmp_path, document)
    assert result.exit_code == 1
    assert "room A1 has occupied or held beds" in result.output


def _broken(mutate):
    document = default_network()
    mutate(document)
    return document


BAD_FILES = {
    "rooms[1].beds": (
        lambda d: d["shelters"][0]["rooms"][1].update(beds=0),
        "shelters[0].rooms[1].beds: Must be greater than or equal to 1",
    ),
    "duplicate shelter": (
        lambda d: d["shelters"].append(copy.deepcopy(d["shelters"][0])),
        "shelters[8].id: duplicate 'thb-high'",
    ),
    "duplicate room": (
        lambda d: d["shelters"][2]["rooms"].append(copy.deepcopy(d["shelters"][2]["rooms"][0])),
        "shelters[2].rooms[5].id: duplicate 'A1'",
    ),
    "duplicate municipality": (
        lambda d: d["municipalities"].append(copy.deepcopy(d["municipalities"][0])),
        "municipalities[38].code: duplicate 'prishtine'",
    ),
    "unknown field": (
        lambda d: d["shelters"][1]["rooms"][0].update(colour="blue"),
        "shelters[1].rooms[0].colour: Unknown field.",
    ),
    "region mismatch": (
        lambda d: d["shelters"][3].update(municipality="gjilan"),
        "shelters[3].region: 'gjilan' lies in another region",
    ),
    "unknown municipality": (
        lambda d: d["shelters"][3].update(municipality="atlantis"),
        "shelters[3].municipality: 'atlantis' is not a municipality",
    ),
    "unknown region": (
        lambda d: d["municipalities"][0].update(region="nowhere"),
        "municipalities[0].region: 'nowhere' is not a region",
    ),
    "a referral phone that is an address": (
        lambda d: d["shelters"][2].update(referral_phone="Rr. Nëna Terezë 5"),
        "shelters[2].referral_phone: must be a phone number",
    ),
    "more occupants than beds": (
        lambda d: d["shelters"][0]["rooms"][0].update(
            beds=1, occupants=[{"gender": "female", "age": 20, "group": "a"}] * 2
        ),
        "shelters[0].rooms[0].occupants: more occupants than beds",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_names_the_path_and_loads_nothing(app, tmp_path, name):
    mutate, message = BAD_FILES[name]
    result = load_document(app, tmp_path, _broken(mutate))
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shelter)) == 0


def test_a_file_that_is_not_json_is_refused(app, tmp_path):
    path = tmp_path / "network.json"
    path.write_text('{"regions": [')
    result = load(app, str(path))
    assert result.exit_code == 1
    assert "not JSON" in result.output


def test_the_stored_location_is_encrypted(app, network):
    rows = db.session.execute(sa.text("SELECT code, location_sealed FROM shelters")).all()
    assert len(rows) == 8
    for code, raw in rows:
        shelter = db.session.scalar(sa.select(Shelter).where(Shelter.code == code))
        lat, lon = shelter_location(shelter)
        assert raw.startswith("v1.k1.")
        for value in (lat, lon):
            assert str(value) not in raw


def test_reencrypt_after_adding_a_key_reseals_every_location(app, network):
    locations = {s.code: shelter_location(s) for s in db.session.scalars(sa.select(Shelter))}
    db.session.commit()
    rotated = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            **SECRET_KEYS,
            "ENCRYPTION_KEYS": f"{SECRET_KEYS['ENCRYPTION_KEYS']},k2:{new_key()}",
            "ENCRYPTION_KEY_ID": "k2",
        }
    )
    # The CLI runs in whichever app context is current: the rotated app's, as after a restart.
    with rotated.app_context():
        runner = rotated.test_cli_runner()
        first = runner.invoke(args=["secrets", "reencrypt"])
        second = runner.invoke(args=["secrets", "reencrypt"])
        assert first.exit_code == 0, first.output
        assert "re-sealed 8 value(s) with key k2" in first.output
        assert "re-sealed 0 value(s)" in second.output
        shelters = list(db.session.scalars(sa.select(Shelter)))
        assert all(s.location_sealed.startswith("v1.k2.") for s in shelters)
        assert {s.code: shelter_location(s) for s in shelters} == locations
        db.session.remove()
        db.engine.dispose()
