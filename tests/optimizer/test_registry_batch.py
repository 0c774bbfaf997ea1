"""The batch forms of the rules (`optimizer/batch.py`, `optimizer/unassigned.py`, the model
build) agree with each rule's one-pair check, and each rule reads only the fields it declares,
so the batch caches keyed on those fields are never stale."""

from dataclasses import replace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from optimizer.batch import Geometry, PersonRules, RoomRules
from optimizer.explain import explain_by_rank
from optimizer.generate import generate
from optimizer.io import instance_from_dict
from optimizer.prepare import prepare
from optimizer.registry import (
    OVERRIDABLE,
    PLACE,
    PROFILE,
    ROOM,
    ROOM_ORDER,
    RULES,
    room_reasons,
    shelter_reasons,
    shelter_verdict,
)
from optimizer.types import Instance
from optimizer.unassigned import explain_unassigned

from .test_property import SETTINGS, instances


@st.composite
def waived_instances(draw, max_shelters=4, max_requests=5):
    """Generated instances where some requests carry a coordinator's waivers."""
    instance = draw(instances(max_shelters=max_shelters, max_requests=max_requests))
    requests = tuple(replace(r, waived=tuple(sorted(draw(st.sets(st.sampled_from(OVERRIDABLE),
                                                                  max_size=2)))))
                     for r in instance.requests)
    return Instance(shelters=instance.shelters, requests=requests, policy=instance.policy)


@SETTINGS
@given(waived_instances())
def test_batch_verdicts_equal_the_one_pair_verdicts(instance):
    prepared = prepare(instance)
    people, geometry, rooms = (PersonRules(instance), Geometry(instance), RoomRules(instance))
    policy = instance.policy
    for i, request in enumerate(instance.requests):
        eligible = {instance.shelters[s].id for s in prepared.candidates[i].shelters}
        one_pair = {s.id for s in instance.shelters if shelter_verdict(policy, request, s)[0]}
        assert eligible == one_pair
        place = geometry.codes(request)
        room_codes = rooms.codes(request)
        profile = [people.reasons(request)[g] for g in people.trait_of]
        for s, shelter in enumerate(instance.shelters):
            reasons = shelter_reasons(policy, request, shelter)
            for rule, codes in zip(PLACE, place, strict=True):
                assert bool(codes[s]) == (rule.code in reasons), (rule.code, shelter.id)
            assert profile[s] == {c: r for c, r in reasons.items()
                                  if c in {rule.code for rule in PROFILE}}
            _, found = room_reasons(request, shelter)
            code = room_codes[s]
            assert found == ({} if code == 0 else {ROOM_ORDER[code - 1][0].code: found.get(
                ROOM_ORDER[code - 1][0].code)}), shelter.id
            assert (code == 0) == (not found)


@SETTINGS
@given(waived_instances(max_shelters=5, max_requests=6))
def test_batch_explanations_equal_rank_on_generated_instances(instance):
    assert explain_unassigned(instance, ()) == explain_by_rank(instance, ())


class _Reads:
    """Records every attribute a check reads of the object it stands for."""

    def __init__(self, target, log):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_log", log)

    def __getattr__(self, name):
        self._log.add(name)
        return getattr(self._target, name)


# `free` is a property over the fields it is computed from.
_ROOM_DERIVED = {"free": {"beds", "occupants", "held"}}


def _room_fields(names):
    found = set()
    for name in names:
        found |= _ROOM_DERIVED.get(name, {name})
    return found


def test_each_rule_reads_only_the_fields_it_declares():
    instance = instance_from_dict(generate(40, 120, seed=11))
    policy = instance.policy
    for rule in RULES:
        request_log, shelter_log, room_log = set(), set(), set()
        for request in instance.requests:
            asked = _Reads(request, request_log)
            for shelter in instance.shelters:
                if rule.scope == "room":
                    rule.check(asked, [_Reads(room, room_log) for room in shelter.rooms])
                else:
                    rule.check(policy, asked, _Reads(shelter, shelter_log))
        assert request_log <= set(rule.request_reads), (rule.code, request_log)
        assert shelter_log <= set(rule.shelter_reads), (rule.code, shelter_log)
        assert _room_fields(room_log) <= set(rule.room_reads), (rule.code, room_log)


def _verdicts(instance, request):
    """Per shelter, the profile rules' batch verdict (the rules that exclude it)."""
    people = PersonRules(instance)
    groups = people.reasons(request)
    return [tuple(groups[g]) for g in people.trait_of]


def test_changing_only_a_declared_field_changes_the_batch_verdict():
    """Two shelters that differ in one field a profile rule declares are told apart by the batch
    cache: for every declared field, some request is judged differently at them."""
    base = instance_from_dict(generate(30, 120, seed=4))
    requests = tuple(replace(r, exclude_shelters=(), keep_apart_from=()) for r in base.requests)
    for rule in PROFILE:
        for name in rule.shelter_reads:
            values = {getattr(s, name) for s in base.shelters}
            assert len(values) > 1 or name == "id", (rule.code, name)
            told_apart = False
            for shelter in base.shelters[:10]:
                for value in values - {getattr(shelter, name)}:
                    twin = replace(shelter, id="twin", **{name: value})
                    pair = Instance(shelters=(shelter, twin), requests=requests,
                                    policy=base.policy)
                    for request in pair.requests:
                        first, second = _verdicts(pair, request)
                        if (rule.code in first) != (rule.code in second):
                            told_apart = True
                            break
                    if told_apart:
                        break
                if told_apart:
                    break
            assert told_apart, (rule.code, name)


def test_place_and_room_rules_carry_their_batch_form_and_profile_rules_none():
    for rule in RULES:
        assert (rule.over_shelters is None) == (rule in PROFILE), rule.code
    assert {rule.code for rule in ROOM} == {rule.code for rule, _ in ROOM_ORDER}
    assert all(rule.room_check is not None for rule in (ROOM_ORDER[0][0], ROOM_ORDER[2][0]))


def test_the_room_table_agrees_room_by_room():
    instance = instance_from_dict(generate(20, 60, seed=9))
    table = RoomRules(instance)
    rooms = [room for shelter in instance.shelters for room in shelter.rooms]
    for request in instance.requests:
        for rule in ROOM:
            if rule.room_check is None:
                continue
            batch = rule.room_check(table, request)
            one = rule.check(request, [rooms[0]])  # the sentence exists
            assert one is None or isinstance(one, str)
            expected = [rule.check(request, [room]) is None for room in rooms]
            assert batch.tolist() == expected, rule.code
    assert isinstance(table.shelter, np.ndarray)
