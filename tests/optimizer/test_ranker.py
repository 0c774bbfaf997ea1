"""The batch ranker (`optimizer/ranker.py`, what the service's proposals run on) gives exactly
`rules.rank`'s answer: the same options in the same order with the same fit and travel, the same
exclusions with the same sentences, the same relaxations."""

from dataclasses import replace

from hypothesis import given

from optimizer import ranker as ranker_module
from optimizer.generate import generate
from optimizer.io import instance_from_dict
from optimizer.ranker import CONTENTS_KEPT, Ranker
from optimizer.registry import ADMITS, BEDS_ADDED_ALWAYS_WORK
from optimizer.rules import rank
from optimizer.types import Instance, Suspect

from . import factory
from .test_property import SETTINGS
from .test_registry_batch import waived_instances


def _same_as_rank(instance, ranker=None):
    ranker = ranker or Ranker(instance)
    for request in instance.requests:
        for relaxations in (None, True, False):
            expected = rank(instance, request.id, relaxations=relaxations)
            assert ranker.rank(request, relaxations=relaxations).ranking() == expected, \
                request.id


@SETTINGS
@given(waived_instances(max_shelters=6, max_requests=6))
def test_the_ranker_answers_what_rank_answers(instance):
    _same_as_rank(instance)


def test_the_ranker_answers_what_rank_answers_on_a_generated_network():
    # Hundreds of shelters with occupants, families, high-security shelters and suspects: the
    # shapes the hypothesis instances are too small to hold all at once.
    instance = instance_from_dict(generate(300, 40, 7))
    ranker = Ranker(instance)
    _same_as_rank(instance, ranker)
    options = [len(ranker.rank(r)) for r in instance.requests]
    assert sum(options) > 100 and min(options) == 0  # both cases were met


def test_a_request_from_outside_the_instance_is_ranked_on_its_shelters():
    # The service keeps one ranker per network and ranks each request it is asked about.
    instance = instance_from_dict(generate(60, 12, 3))
    ranker = Ranker(Instance(shelters=instance.shelters, requests=(), policy=instance.policy))
    _same_as_rank(instance, ranker)


def test_a_ranker_that_forgets_what_it_built_still_answers_the_same(monkeypatch):
    monkeypatch.setattr("optimizer.ranker.CONTENTS_KEPT", 1)
    assert CONTENTS_KEPT > 1
    instance = instance_from_dict(generate(80, 20, 5))
    ranker = Ranker(instance)
    _same_as_rank(instance, ranker)
    _same_as_rank(instance, ranker)  # again, after it forgot


def test_a_suspects_municipality_leaves_no_trace_in_the_ranker():
    # A worker keeps its ranker for as long as the network stands: nothing a request asked
    # about may stay in it as a key.
    instance = instance_from_dict(generate(40, 10, 2))
    ranker = Ranker(instance)
    towns = dict(ranker.geometry._towns)
    town = next(iter(instance.shelters[0].area_towns))
    for municipality in ("nowhere-known", town):
        request = replace(instance.requests[0],
                          suspects=(Suspect(41.0, 20.0, municipality),))
        found = ranker.rank(request)
        assert ranker.geometry._towns == towns
        h6 = {e.shelter for e in found.excluded if "H6" in e.rules}
        assert (instance.shelters[0].id in h6) == (municipality == town)


def _changed(instance, picks, change):
    shelters = list(instance.shelters)
    for k in picks:
        shelters[k] = change(shelters[k])
    return Instance(shelters=tuple(shelters), requests=instance.requests, policy=instance.policy)


def _fill_rooms(shelter):
    # Every room's beds taken or held: what holds and placements do to a shelter.
    return replace(shelter, rooms=tuple(replace(room, held=room.beds - len(room.occupants))
                                        for room in shelter.rooms))


def _empty_rooms(shelter):
    return replace(shelter, rooms=tuple(replace(room, occupants=(), held=0)
                                        for room in shelter.rooms))


def test_a_ranker_following_changed_beds_answers_as_one_built_anew():
    instance = instance_from_dict(generate(120, 30, 13))
    ranker = Ranker(instance)
    _same_as_rank(instance, ranker)  # its memory filled on the network before the change
    for change in (_fill_rooms, _empty_rooms):
        after = _changed(instance, range(0, 120, 7), change)
        following = ranker.following(after)
        # Only rooms changed: the shelters' own tables are kept, the rooms read again.
        assert following.people is ranker.people and following.rooms is not ranker.rooms
        _same_as_rank(after, following)
        instance, ranker = after, following


def test_a_ranker_following_other_changes_is_built_anew_and_answers_right():
    instance = instance_from_dict(generate(60, 20, 17))
    ranker = Ranker(instance)
    _same_as_rank(instance, ranker)
    changes = [
        lambda s: replace(s, languages=("sq", "en", "tr")),  # what the shelter is
        lambda s: replace(s, rooms=s.rooms[:-1] or s.rooms),  # a room removed
        lambda s: replace(s, lat=s.lat + 0.2),  # where its area is
    ]
    for change in changes:
        after = _changed(instance, [0, 5, 9], change)
        following = ranker.following(after)
        _same_as_rank(after, following)
    gone = instance.shelters[0].id
    fewer = Instance(shelters=instance.shelters[1:], policy=instance.policy, requests=tuple(
        replace(r, exclude_shelters=tuple(s for s in r.exclude_shelters if s != gone))
        for r in instance.requests))
    _same_as_rank(fewer, ranker.following(fewer))


def test_bed_relaxations_are_checked_when_the_registry_cannot_vouch_for_them(monkeypatch):
    # Were H5 ever to read a room's beds, each added-beds relaxation is checked again.
    checked = []
    real = ranker_module.works
    monkeypatch.setattr(ranker_module, "BEDS_ADDED_ALWAYS_WORK", False)
    monkeypatch.setattr(ranker_module, "works",
                        lambda *args: checked.append(args[2].rule) or real(*args))
    _same_as_rank(instance_from_dict(generate(80, 20, 5)))
    assert {"H1", "H2"} & set(checked)


def test_the_registry_vouches_for_bed_relaxations_only_while_h5_ignores_beds():
    assert ("beds" not in ADMITS.room_reads) == BEDS_ADDED_ALWAYS_WORK
    assert BEDS_ADDED_ALWAYS_WORK


def test_a_long_lived_ranker_keeps_its_memory_bounded_and_its_answers(monkeypatch):
    monkeypatch.setattr(ranker_module, "KINDS_KEPT", 2)
    instance = instance_from_dict(generate(80, 30, 19))
    ranker = Ranker(instance)
    _same_as_rank(instance, ranker)
    assert ranker.people.remembered() <= 2 + 3 and ranker.rooms.remembered() <= 2 + 1


def test_shelters_one_policy_change_would_open_are_each_checked_under_it():
    # Shelters 12 to 30 km from a high-risk request's suspect (policy: 30 km): each is opened
    # by the same smaller distance (10, 15 or 20 km) or none, one relaxed policy serving many;
    # one shelter is also full, so that distance alone would not open it.
    suspect = {"lat": 42.0, "lon": 21.0, "municipality": None}
    shelters = [factory.shelter(f"s{k}", lat=factory.north_of(42.0, 12 + k), lon=21.0)
                for k in range(18)]
    shelters.append(factory.shelter("full", lat=factory.north_of(42.0, 22), lon=21.0,
                                    rooms=[factory.room(beds=1, held=1)]))
    instance = factory.build(shelters, [factory.request(risk="high", suspects=[suspect])])
    ranked = Ranker(instance).rank(instance.requests[0], relaxations=True)
    assert ranked.ranking() == rank(instance, "q1", relaxations=True)
    offered = [r for r in ranked.relaxations if r.rule == "H6"]
    assert len(offered) > len({r.relaxed for r in offered}) > 1
    assert "full" not in {r.shelter for r in ranked.relaxations}
