"""Each hard rule: a case where it binds and one where it does not, seen through `rank`."""

import pytest

from optimizer import rank

from .factory import build, north_of, occupant, person, request, room, shelter


def _rules(instance, request_id="q1", shelter_id="s1"):
    ranking = rank(instance, request_id)
    if any(o.shelter == shelter_id for o in ranking.options):
        return ()
    return next(e.rules for e in ranking.excluded if e.shelter == shelter_id)


def test_h1_binds_when_free_beds_are_fewer_than_the_group():
    full = build([shelter(rooms=[room(beds=2, occupants=[occupant()])])],
                 [request(persons=[person(), person(age=20, role="adult")])])
    assert _rules(full) == ("H1",)
    single = build([shelter(rooms=[room(beds=2, occupants=[occupant()])])], [request()])
    assert _rules(single) == ()


def test_h1_counts_held_beds():
    held = build([shelter(rooms=[room(beds=2, held=2, gender="female")])], [request()])
    assert _rules(held) == ("H1",)


def test_h2_binds_when_beds_exist_only_split_across_rooms():
    split = build([shelter(rooms=[room("a", beds=1, gender="female"),
                                  room("b", beds=1, gender="female")])],
                  [request(persons=[person(), person(age=25, role="adult")])])
    assert _rules(split) == ("H2",)
    together = build([shelter(rooms=[room("a", beds=2, gender="female")])],
                     [request(persons=[person(), person(age=25, role="adult")])])
    assert _rules(together) == ()


@pytest.mark.parametrize(("category", "risk", "kind", "level", "allowed"), [
    ("thb", "high", "thb", "high", True),
    ("thb", "high", "thb", "standard", False),
    ("thb", "medium", "thb", "standard", True),
    ("thb", "medium", "dv", "standard", False),
    ("thb", "low", "dv", "standard", True),
    ("dv", "high", "dv", "standard", True),
    ("dv", "low", "thb", "high", False),
])
def test_h3_kind_and_security(category, risk, kind, level, allowed):
    instance = build([shelter(kind=kind, security_level=level)],
                     [request(category=category, risk=risk)])
    assert (_rules(instance) == ()) is allowed
    if not allowed:
        assert _rules(instance) == ("H3",)


def test_h4_gender_policy_counts_members_not_accompanying_children():
    mother_and_son = [person(), person("male", 8, "child")]
    assert _rules(build([shelter(gender_policy="women", rooms=[room(kind="family", beds=3)])],
                        [request(persons=mother_and_son)])) == ()
    assert _rules(build([shelter(gender_policy="women")],
                        [request(persons=[person("male", 30)])])) == ("H4",)
    assert _rules(build([shelter(gender_policy="men")], [request()])) == ("H4",)
    assert _rules(build([shelter(gender_policy="men", rooms=[room(gender="male")])],
                        [request(persons=[person("male", 30)])])) == ()


def test_h4_boy_of_exactly_the_limit_may_come_one_year_older_may_not():
    family = [room(kind="family", beds=3)]
    at_limit = [person(), person("male", 12, "child")]
    over = [person(), person("male", 13, "child")]
    assert _rules(build([shelter(max_accompanying_boy_age=12, rooms=family)],
                        [request(persons=at_limit)])) == ()
    assert _rules(build([shelter(max_accompanying_boy_age=12, rooms=family)],
                        [request(persons=over)])) == ("H4",)
    girl = [person(), person("female", 16, "child")]
    assert _rules(build([shelter(max_accompanying_boy_age=12, rooms=family)],
                        [request(persons=girl)])) == ()


def test_h4_children_and_unaccompanied_minors_need_the_shelter_to_accept_them():
    family = [room(kind="family", beds=3)]
    assert _rules(build([shelter(accepts_accompanied_children=False, rooms=family)],
                        [request(persons=[person(), person("female", 5, "child")])])) == ("H4",)
    minor = [person("female", 16)]
    minor_room = [room(kind="minor", gender="female")]
    assert _rules(build([shelter(accepts_unaccompanied_minors=False, rooms=minor_room)],
                        [request(persons=minor)])) == ("H4",)
    assert _rules(build([shelter(rooms=minor_room)], [request(persons=minor)])) == ()


def test_h5_family_room_needs_to_be_empty_and_children_need_one():
    kids = [person(), person("female", 5, "child")]
    assert _rules(build([shelter(rooms=[room(kind="adult", beds=4)])],
                        [request(persons=kids)])) == ("H5",)
    assert _rules(build([shelter(rooms=[room(kind="family", beds=4, occupants=[occupant()])])],
                        [request(persons=kids)])) == ("H5",)
    assert _rules(build([shelter(rooms=[room(kind="family", beds=4, held=1)])],
                        [request(persons=kids)])) == ("H5",)
    assert _rules(build([shelter(rooms=[room(kind="family", beds=4)])],
                        [request(persons=kids)])) == ()


def test_h5_mixed_gender_adults_need_a_family_room():
    couple = [person(), person("male", 30, "adult")]
    assert _rules(build([shelter(rooms=[room(beds=4)])], [request(persons=couple)])) == ("H5",)
    assert _rules(build([shelter(rooms=[room(kind="family", beds=2)])],
                        [request(persons=couple)])) == ()


def test_h5_room_kind_and_gender():
    minor = [person("female", 15)]
    assert _rules(build([shelter(rooms=[room(kind="adult")])], [request(persons=minor)])) == \
        ("H5",)
    assert _rules(build([shelter(rooms=[room(gender="male")])], [request()])) == ("H5",)
    assert _rules(build([shelter(rooms=[room(beds=3, occupants=[occupant("male")])])],
                        [request()])) == ("H5",)
    assert _rules(build([shelter(rooms=[room(beds=3, occupants=[occupant("female")])])],
                        [request()])) == ()
    assert _rules(build([shelter(rooms=[room(kind="family", beds=2)])], [request()])) == ()


def test_h5_any_room_with_holds_of_unknown_gender_takes_nobody():
    assert _rules(build([shelter(rooms=[room(beds=3, held=1)])], [request()])) == ("H5",)
    assert _rules(build([shelter(rooms=[room(beds=3, held=1, gender="female")])],
                        [request()])) == ()


def test_h6_suspect_distance_threshold_and_municipality():
    base = 42.0
    near = {"lat": north_of(base, 19.5), "lon": 21.0, "municipality": None}
    far = {"lat": north_of(base, 20.5), "lon": 21.0, "municipality": None}
    assert _rules(build([shelter(lat=base)], [request(risk="medium", suspects=[near])])) == \
        ("H6",)
    assert _rules(build([shelter(lat=base)], [request(risk="medium", suspects=[far])])) == ()
    assert _rules(build([shelter(lat=base)], [request(risk="low", suspects=[near])])) == ()
    same_town = dict(far, lat=north_of(base, 80), municipality="town")
    assert _rules(build([shelter(lat=base)], [request(suspects=[same_town])])) == ("H6",)


def test_h7_excluded_shelter():
    instance = build([shelter("s1"), shelter("s2")], [request(exclude_shelters=["s1"])])
    assert _rules(instance, shelter_id="s1") == ("H7",)
    assert _rules(instance, shelter_id="s2") == ()


def test_h8_wheelchair():
    assert _rules(build([shelter(wheelchair_accessible=False)],
                        [request(needs=["wheelchair"])])) == ("H8",)
    assert _rules(build([shelter(wheelchair_accessible=True)],
                        [request(needs=["wheelchair"])])) == ()
    assert _rules(build([shelter(wheelchair_accessible=False)], [request(needs=["legal"])])) == ()


def test_rank_orders_by_fit_then_travel_and_breaks_fit_down():
    instance = build(
        [shelter("near", lat=42.0, languages=["en"], services=[]),
         shelter("far", lat=43.0, languages=["sq"], services=["legal"]),
         shelter("middle", lat=42.5, languages=["sq"], services=["legal"])],
        [request(languages=["sq"], needs=["legal", "medical"])])
    options = rank(instance, "q1").options
    assert [o.shelter for o in options] == ["middle", "far", "near"]
    best = options[0]
    assert (best.fit, best.language_points, best.need_points) == (3, 2, 1)
    assert options[2].language_points == 0
    assert options[0].travel_km < options[1].travel_km
    assert rank(instance, "q1").excluded == ()


def test_interpretation_gives_one_language_point():
    instance = build([shelter(languages=["en"], services=["interpretation"])],
                     [request(languages=["uk"])])
    assert rank(instance, "q1").options[0].language_points == 1


def test_rank_of_unknown_request_raises_key_error():
    with pytest.raises(KeyError):
        rank(build([shelter()], [request()]), "nope")
