"""Exclusions summed up by rule: how many shelters each rule rules out, with a few of them.

Live proposals answer it (`excluded_by_rule`) and an optimizer run stores it for each request it
leaves unplaced, instead of every shelter's exclusion: at 2,500 shelters that list is over half
a megabyte per request, and the summary is a few hundred bytes whatever the network's size.
"""

from collections import Counter
from typing import NamedTuple

from optimizer.registry import RULE_CODES

EXAMPLES = 3


class _Earlier(NamedTuple):
    """An earlier run's stored exclusion, read as the optimizer's (shelter, rules)."""

    shelter: int
    rules: list


def by_rule(excluded, ref):
    """How many shelters each rule rules out (a shelter counts under each of its rules), in
    rule order, with the first few of them as examples: `ref(shelter_id)` says one (id, name,
    kind, region)."""
    counts = Counter()
    for rules, shelters in Counter(tuple(e.rules) for e in excluded).items():
        for rule in rules:
            counts[rule] += shelters
    examples = {rule: [] for rule in counts}
    wanted = sum(min(EXAMPLES, count) for count in counts.values())
    for exclusion in excluded:  # the first few of each rule, in order: stop once all found
        if not wanted:
            break
        for rule in exclusion.rules:
            shown = examples[rule]
            if len(shown) < EXAMPLES:
                shown.append(dict(ref(exclusion.shelter)))
                wanted -= 1
    return [{"rule": rule, "shelters": counts[rule], "examples": examples[rule]}
            for rule in sorted(counts, key=RULE_CODES.index)]


def stored_by_rule(explanation):
    """The summary by rule of a run's stored explanation, in either shape: a run's since the
    summary (`excluded_by_rule`), or an earlier run's every excluded shelter (`excluded`, each
    with its id, name and rules), summed up here as it would have been stored."""
    explanation = explanation or {}
    if "excluded_by_rule" in explanation:
        return explanation["excluded_by_rule"]
    earlier = explanation.get("excluded", [])
    names = {entry["shelter"]: entry.get("name") for entry in earlier}
    return by_rule([_Earlier(entry["shelter"], entry.get("rules", [])) for entry in earlier],
                   lambda shelter: {"id": shelter, "name": names[shelter]})


def stored_total(explanation):
    """How many shelters a run's stored explanation says were excluded, in either shape."""
    explanation = explanation or {}
    if "excluded_total" in explanation:
        return explanation["excluded_total"]
    return len(explanation.get("excluded", []))
