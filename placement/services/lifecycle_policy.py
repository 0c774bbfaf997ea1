"""The periods the lifecycle jobs use, read in this one place.

Today they come from the configuration (REFLECTION_PERIOD, CASE_RETENTION); when the policy is
stored as data, this function reads the stored policy instead and nothing else changes.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app


@dataclass(frozen=True)
class LifecyclePolicy:
    # A stay this long gets one reminder to the case manager and the shelter manager.
    reflection_period: timedelta
    # A closed case is purged this long after it closed.
    retention: timedelta


def lifecycle_policy():
    """The reflection period and the retention period in force now."""
    config = current_app.config
    return LifecyclePolicy(reflection_period=config["REFLECTION_PERIOD"],
                           retention=config["CASE_RETENTION"])
