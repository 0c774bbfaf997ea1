"""The network as ready optimizer shelters, kept per process and checked against the database.

A shelter's row carries `version`, bumped in the same transaction as every change to the shelter
(the ORM's version counter), its rooms or its beds (capacity.touch_shelter: holds, placements,
residents, beds in or out of service, rooms added or removed). Each caller reads every shelter's
(id, version, created_at) in one query, takes the shelters whose stamp it already holds from the
cache, and reads the rooms and beds of the others (set-based: one query for all of them). So
what is answered is always what the database holds now, whichever process changed it, and only
what changed since the last call is read again.

On the network as it stands the cache keeps one `optimizer.ranker.Ranker` per policy (the batch
tables every rule runs over, built once), so ranking a request reads no shelter again and runs
each rule once over all shelters; and the last rankings themselves, for requests asked about
again (a case manager's page polls).

The policy in force is kept too, as the optimizer reads it, under the id of the version it
comes from: versions are only ever added (services/policy.py), so an id names its settings for
good, and each caller reads only the newest id.

An entry is stored only from a transaction that has written nothing to the network: a stamp
seen inside a writing transaction may yet be rolled back, and must not label committed state.
"""

import hashlib
import threading
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from optimizer.io import instance_from_dict, policy_from_dict
from optimizer.ranker import Ranker
from optimizer.types import Instance
from placement.extensions import db
from placement.models import Bed, PolicyVersion, Room, Shelter

EXTENSION = "streha.network_cache"
WRITTEN = "streha.network_written"
NETWORK_TABLES = frozenset({Shelter.__tablename__, Room.__tablename__, Bed.__tablename__,
                            PolicyVersion.__tablename__})


@dataclass(frozen=True)
class Entry:
    """One shelter as the optimizer reads it, and the public reference answers show."""

    stamp: tuple
    shelter: object  # optimizer.types.Shelter
    ref: dict  # id, name, kind, region
    room_kinds: dict  # room id: kind
    referral_phone: str | None
    confirmed_at: object


# Whole rankings kept (the requests ranked again and again: a case manager's polling), and
# rankers kept for the network as it is (one per policy: the policy rarely changes).
RANKINGS_KEPT = 32
RANKERS_KEPT = 2


class Network(NamedTuple):
    entries: list
    signature: tuple
    by_id: dict


class StoredPolicy(NamedTuple):
    """The optimizer's policy under one stored version (None: only the defaults apply), and
    the digest the cache keys rankers and rankings by."""

    version: int | None
    policy: object  # optimizer.types.Policy
    digest: bytes


class _Cache:
    def __init__(self):
        self.entries = {}
        # The policy in force when last read (a StoredPolicy).
        self.policy = None
        # The last network stored (its signature, its entries).
        self.listing = None
        # {(request, policy) digest: (signature, found)}
        self.rankings = {}
        # {policy digest: (signature, ranker, its lock)}
        self.rankers = {}
        self.lock = threading.Lock()


def _cache():
    extensions = current_app.extensions
    if EXTENSION not in extensions:
        extensions[EXTENSION] = _Cache()
    return extensions[EXTENSION]


def mark_written(session):
    """This transaction changed the network: what it reads is not stored for others."""
    session.info[WRITTEN] = True


def _written(session):
    return session.info.get(WRITTEN, False) or any(
        isinstance(obj, Shelter | Room | Bed | PolicyVersion)
        for obj in (*session.new, *session.dirty, *session.deleted))


def _forget_writes(session):
    session.info.pop(WRITTEN, None)


def _forget_writes_committed(session):
    # A savepoint released fires after_commit too, while the outer transaction is still open.
    if not session.in_nested_transaction():
        _forget_writes(session)


def _forget_writes_rolled_back(session, previous_transaction):
    # Only the outermost transaction's end: a savepoint rolled back (a run's refused hold)
    # leaves the outer transaction's writes in place, uncommitted, and still not to be stored.
    if previous_transaction.parent is None:
        _forget_writes(session)


def _after_flush(session, _context):
    if any(isinstance(obj, Shelter | Room | Bed | PolicyVersion)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        mark_written(session)


def _on_execute(state):
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        if getattr(table, "name", None) in NETWORK_TABLES:
            mark_written(state.session)


def install(session_class):
    """Listen on the session class: note network writes, forget them at transaction end."""
    sa.event.listen(session_class, "after_flush", _after_flush)
    sa.event.listen(session_class, "do_orm_execute", _on_execute)
    sa.event.listen(session_class, "after_commit", _forget_writes_committed)
    sa.event.listen(session_class, "after_soft_rollback", _forget_writes_rolled_back)


def entries():
    """Every shelter's entry as of now, in id order."""
    return snapshot().entries


def snapshot():
    """The network as of now: every shelter's entry in id order (and by id), and its signature:
    every shelter's stamp, equal between two calls only when no shelter, room or bed changed
    in between."""
    # Plain rows, not ORM ones (a third of the time at 2,500 shelters); so flush first, as an
    # ORM query would, so that this transaction's own changes are seen.
    db.session.flush()
    signature = _stamps()
    cache = _cache()
    listing = cache.listing
    if listing is not None and listing.signature == signature:
        return listing
    held = cache.entries
    found, missing = {}, []
    for shelter_id, version, created_at in signature:
        stamp = (version, created_at)
        entry = held.get(shelter_id)
        if entry is not None and entry.stamp == stamp:
            found[shelter_id] = entry
        else:
            missing.append(shelter_id)
    if missing:
        stamps = {shelter_id: (version, created_at)
                  for shelter_id, version, created_at in signature}
        found.update(_load(missing, stamps))
    ordered = [found[shelter_id] for shelter_id, _v, _c in signature]
    network = Network(ordered, signature, {entry.shelter.id: entry for entry in ordered})
    if not _written(db.session):
        with cache.lock:
            # Shelters no longer in the database leave the cache too.
            cache.entries = dict(network.by_id)
            cache.listing = network
    return network


def warm(app):
    """Read the network and build its ranker before a worker serves (gunicorn.conf.py): at
    2,500 shelters a worker's first proposals would otherwise wait about a second and a half
    for both. A database not yet migrated is left for the first request to read."""
    with app.app_context():
        try:
            # Only reads: on SQLite without the write lock, beside a writer (WAL).
            db.session.connection(execution_options={"streha_read_only": True})
            network = snapshot()
            ranker(network, policy_in_force())
            db.session.commit()
        except (sa.exc.SQLAlchemyError, db.engine.dialect.dbapi.Error):
            db.session.rollback()
            app.logger.warning("network cache not warmed: the database is not ready")
        finally:
            db.session.remove()


def _stamps():
    """Every shelter's (id, version, created_at), in id order, as the driver gives them: plain
    tuples compare and hash far faster than result rows at 2,500 shelters."""
    cursor = db.session.connection().connection.cursor()
    try:
        cursor.execute("SELECT id, version, created_at FROM shelters ORDER BY id")
        return tuple(tuple(row) for row in cursor.fetchall())
    finally:
        cursor.close()


def policy_in_force():
    """The policy in force (a `StoredPolicy`): the newest version's id read each call, and the
    version itself only when it is not the one kept."""
    from placement.services import policy as stored_policy

    # A plain statement, so flush first, as an ORM query would (this transaction's own version).
    db.session.flush()
    newest = _newest_policy_version()
    cache = _cache()
    kept = cache.policy
    if kept is not None and kept.version == newest:
        return kept
    version = stored_policy.latest_version()
    made = policy_from_dict(stored_policy.optimizer_settings(version))
    # Under the id of the row read, not `newest`: a version may have been committed between.
    found = StoredPolicy(version.id if version else None, made, _key(made))
    if not _written(db.session):
        cache.policy = found
    return found


def _newest_policy_version():
    # Plain SQL text, but through SQLAlchemy's connection: a driver error is still wrapped
    # (a busy or lost database answers 503, not 500).
    return db.session.connection().exec_driver_sql(
        "SELECT max(id) FROM policy_versions").scalar()


def ranker(network, policy):
    """The network's ranker under this policy (a `StoredPolicy`; its lock beside it: a ranker's
    memory is not for two threads at once): built on the first request under a policy, and
    after a change to the network made from the last one, reading again only the shelters that
    changed."""
    cache = _cache()
    key = policy.digest
    kept = cache.rankers.get(key)
    if kept is not None and kept[0] == network.signature:
        return kept[1], kept[2]
    instance = Instance(shelters=tuple(e.shelter for e in network.entries), requests=(),
                        policy=policy.policy)
    if kept is None:
        made = Ranker(instance)
    else:  # the network moved on since: read again only the shelters whose version moved
        with kept[2]:
            made = kept[1].following(instance)
    found = (network.signature, made, threading.Lock())
    if not _written(db.session):
        with cache.lock:
            # One per policy; another policy's ranker of an older network can still follow it.
            rankers = dict(cache.rankers)
            if key not in rankers and len(rankers) >= RANKERS_KEPT:
                rankers = {}
            rankers[key] = found
            cache.rankers = rankers
    return found[1], found[2]


def ranking(network, policy, request, derive=None):
    """The request ranked on the network under the policy (a `StoredPolicy`), with its checked
    relaxations (`optimizer.ranker.Ranked`), and `derive(ranked)`, what the caller makes of it;
    kept for this request and policy while the network's signature stays the same."""
    cache = _cache()
    key = _key(request, policy.digest)
    kept = cache.rankings.get(key)
    if kept is not None and kept[0] == network.signature:
        return kept[1]
    made, lock = ranker(network, policy)
    with lock:
        ranked = made.rank(request, relaxations=True)
    found = (ranked, derive(ranked) if derive else None)
    if not _written(db.session):
        with cache.lock:
            # Only rankings of the network as it is now are worth keeping (a ranking at 2,500
            # shelters holds thousands of options), and only so many of them.
            if len(cache.rankings) >= RANKINGS_KEPT or any(
                    kept[0] is not network.signature for kept in cache.rankings.values()):
                cache.rankings = {}
            cache.rankings[key] = (network.signature, found)
    return found


def _key(*parts):
    """Requests and policies as a digest of their reprs (every field a rule could read): the
    cache keeps no opened suspect coordinates in memory, only their hash."""
    return hashlib.sha256("|".join(repr(part) for part in parts).encode()).digest()


def _load(shelter_ids, stamps):
    # Through the module, so that what builds a shelter's object stays one function.
    from placement.services import instances

    loaded = {}
    for start in range(0, len(shelter_ids), 2000):
        chunk = shelter_ids[start:start + 2000]
        shelters = list(db.session.scalars(
            sa.select(Shelter).where(Shelter.id.in_(chunk)).order_by(Shelter.id)
            .execution_options(populate_existing=True)))
        rooms = instances._rooms_by_shelter(chunk)
        dicts = [instances._shelter_dict(s, rooms.get(s.id, [])) for s in shelters]
        built = instance_from_dict({"shelters": dicts, "requests": []}).shelters
        for row, shelter in zip(shelters, built, strict=True):
            loaded[row.id] = Entry(
                stamp=stamps[row.id], shelter=shelter,
                room_kinds={room.id: room.kind for room in shelter.rooms},
                ref={"id": row.id, "name": row.name, "kind": row.kind,
                     "region": row.region_code},
                referral_phone=row.referral_phone, confirmed_at=row.confirmed_at)
    return loaded


install(sa.orm.Session)
