"""One page of a query's rows, with the count of all of them (for X-Total-Count)."""

import sqlalchemy as sa

from placement.extensions import db


def page(query, limit, offset):
    """(rows limit..offset of `query`, in its order; how many rows the query has in all)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None)
                                                                      .subquery()))
    return list(db.session.scalars(query.limit(limit).offset(offset))), total
