"""Exclusions carry each sentence's template key and parameters, so pages can say them in another
language; H6's figures are the policy's threshold and the public area's radius, nothing secret."""

import pickle

from optimizer.hard.base import Reason
from tests.placement.workflow_helpers import open_request

FAMILY = [{"gender": "female", "age": 31, "role": "primary", "languages": ["sq"]},
          {"gender": "female", "age": 8, "role": "child"},
          {"gender": "male", "age": 15, "role": "child"}]


def test_each_excluded_shelter_says_its_rules_with_their_figures(client, network, make_user):
    caller = make_user("case_manager")
    _case, request = open_request(client, caller, persons=FAMILY,
                                  suspects=[{"municipality": "gjakove"}])
    excluded = {e["shelter"]["id"]: e for e in client.get(
        f"/api/v1/placement-requests/{request['id']}/proposals", headers=caller.headers
    ).get_json()["excluded"]}
    drita = excluded[network["thb-drita"]]
    assert drita["details"] == [
        {"rule": "H3", "key": "h3_kind",
         "params": {"category": "dv", "risk": "medium", "allowed": ["dv"]}},
        {"rule": "H4", "key": "h4_boy_age", "params": {"age": 15, "limit": 10}},
    ]
    assert drita["reasons"][1] == ("H4: a boy aged 15 is over this shelter's limit of 10 for"
                                   " accompanying boys")
    gjakove = excluded[network["dv-peje"]]
    # Gjakovë is the suspect's municipality and lies in the Pejë shelter's public area.
    assert {"rule": "H6", "key": "h6_area_municipality", "params": {}} in gjakove["details"]


def test_a_reason_is_still_its_sentence_and_survives_pickling():
    reason = Reason("h1_beds", "H1: not enough free beds for a group of 3", size=3)
    assert reason == "H1: not enough free beds for a group of 3"
    copy = pickle.loads(pickle.dumps(reason))
    assert (copy, copy.key, copy.params) == (reason, "h1_beds", {"size": 3})
