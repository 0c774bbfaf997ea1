"""Streha's placement engine: a pure library (no Flask, no SQLAlchemy, no placement imports).

Public API: build an `Instance` (or `instance_from_dict` / `load_instance`), call
`rank(instance, request_id)` for one request's options, or `solve(instance, ...)` for a batch.
"""

from .explain import residual_instance
from .io import instance_from_dict, instance_to_dict, load_instance, solution_to_dict
from .registry import RULE_CODES
from .relax import apply_relaxation
from .rules import Option, Ranking, rank
from .solve import solve
from .types import (
    Assignment,
    Exclusion,
    Instance,
    InstanceError,
    Location,
    Objective,
    Occupant,
    Person,
    Policy,
    Relaxation,
    Request,
    Room,
    Shelter,
    Solution,
    Status,
    Suspect,
    Unassigned,
)
from .unassigned import explain_unassigned
from .validate import check_solution, evaluate, violations

__all__ = [
    "RULE_CODES", "Assignment", "Exclusion", "Instance", "InstanceError", "Location", "Objective",
    "Occupant", "Option", "Person", "Policy", "Ranking", "Relaxation", "Request", "Room",
    "Shelter", "Solution", "Status", "Suspect", "Unassigned", "apply_relaxation",
    "check_solution", "evaluate", "explain_unassigned", "instance_from_dict", "instance_to_dict",
    "load_instance", "rank", "residual_instance", "solution_to_dict", "solve", "violations",
]
