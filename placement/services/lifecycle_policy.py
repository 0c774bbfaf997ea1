"""The periods the lifecycle jobs use, read in this one place: from the policy in force
(placement/services/policy.py: its stored versions over the configuration's defaults)."""

from dataclasses import dataclass
from datetime import timedelta

from placement.services import policy


@dataclass(frozen=True)
class LifecyclePolicy:
    # A stay this long gets one reminder to the case manager and the shelter manager.
    reflection_period: timedelta
    # A closed case is purged this long after it closed.
    retention: timedelta


def lifecycle_policy():
    """The reflection period and the retention period in force now."""
    return LifecyclePolicy(reflection_period=policy.reflection_period(),
                           retention=policy.retention())
