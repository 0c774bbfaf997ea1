"""The batch ranker (`optimizer/ranker.py`, what the service's proposals run on) gives exactly
`rules.rank`'s answer: the same options in the same order with the same fit and travel, the same
exclusions with the same sentences, the same relaxations."""

from dataclasses import replace

from hypothesis import given

from optimizer.generate import generate
from optimizer.io import instance_from_dict
from optimizer.ranker import CONTENTS_KEPT, Ranker
from optimizer.rules import rank
from optimizer.types import Instance, Suspect

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
