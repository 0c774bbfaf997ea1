"""Regions and municipalities: pages of them, and the check that a region named by a caller
exists (one rule for every filter by region)."""

import sqlalchemy as sa

from placement.errors import RuleViolation
from placement.extensions import db
from placement.models import Municipality, Region
from placement.services.paging import page


def check_region(code, field="region"):
    """Refuse (422 naming `field`) a region code the network does not have."""
    if db.session.get(Region, code) is None:
        raise RuleViolation(f"{field}: {code!r} is not a region", {field: ["unknown region"]})


def list_regions(limit, offset):
    """(a page of the regions in code order, how many there are)."""
    return page(sa.select(Region).order_by(Region.code), limit, offset)


def list_municipalities(limit, offset, region=None):
    """(a page of the municipalities in code order, of one region if given; how many)."""
    query = sa.select(Municipality).order_by(Municipality.code)
    if region:
        check_region(region)
        query = query.where(Municipality.region_code == region)
    return page(query, limit, offset)
