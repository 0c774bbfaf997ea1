"""The network as ready optimizer shelters, kept per process and checked against the database.

A shelter's row carries `version`, bumped in the same transaction as every change to the shelter
(the ORM's version counter), its rooms or its beds (capacity.touch_shelter: holds, placements,
residents, beds in or out of service, rooms added or removed). Each caller reads every shelter's
(id, version, created_at) in one query, takes the shelters whose stamp it already holds from the
cache, and reads the rooms and beds of the others (set-based: one query for all of them). So
what is answered is always what the database holds now, whichever process changed it, and only
what changed since the last call is read again.

An entry is stored only from a transaction that has written nothing to the network: a stamp
seen inside a writing transaction may yet be rolled back, and must not label committed state.
"""

import threading
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from optimizer.io import instance_from_dict
from optimizer.registry import shelter_verdict
from optimizer.relax import offer, works
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
    referral_phone: str | None
    confirmed_at: object
    # Verdicts already reached on this shelter as it is: {(request, policy): (rooms, reasons)},
    # and the checked relaxation offered there (or None): {(request, policy): relaxation}.
    verdicts: dict = field(default_factory=dict, compare=False)
    relaxations: dict = field(default_factory=dict, compare=False)


# Verdicts kept per shelter (the requests ranked again and again: a case manager's polling).
VERDICTS_KEPT = 16


class _Cache:
    def __init__(self):
        self.entries = {}
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


def _forget_writes(session, *_args):
    session.info.pop(WRITTEN, None)


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
    sa.event.listen(session_class, "after_commit", _forget_writes)
    sa.event.listen(session_class, "after_rollback", _forget_writes)
    sa.event.listen(session_class, "after_soft_rollback", _forget_writes)


def entries():
    """Every shelter's entry as of now, in id order."""
    # Plain rows, not ORM ones (a third of the time at 2,500 shelters); so flush first, as an
    # ORM query would, so that this transaction's own changes are seen.
    db.session.flush()
    table = Shelter.__table__
    stamps = db.session.connection().execute(
        sa.select(table.c.id, table.c.version, table.c.created_at).order_by(table.c.id)
    ).all()
    cache = _cache()
    held = cache.entries
    found, missing = {}, []
    for shelter_id, version, created_at in stamps:
        stamp = (version, created_at)
        entry = held.get(shelter_id)
        if entry is not None and entry.stamp == stamp:
            found[shelter_id] = entry
        else:
            missing.append(shelter_id)
    if missing:
        loaded = _load(missing)
        found.update(loaded)
        if not _written(db.session):
            with cache.lock:
                fresh = dict(cache.entries)
                fresh.update(loaded)
                # Shelters no longer in the database leave the cache too.
                cache.entries = {i: fresh[i] for i, _v, _c in stamps if i in fresh}
    return [found[shelter_id] for shelter_id, _v, _c in stamps if shelter_id in found]


def _remember(memo, key, compute):
    if key in memo:
        return memo[key]
    found = compute()
    if len(memo) >= VERDICTS_KEPT:
        memo.clear()
    memo[key] = found
    return found


def memo_relaxations(entries, instance, request, excluded):
    """`relax.relaxations_for`, remembered like the verdicts: a rule's relaxation reads only the
    policy, the request and the one shelter it would admit."""
    key = (repr(request), repr(instance.policy))
    by_id = {entry.shelter.id: entry for entry in entries}
    found = []
    for exclusion in excluded:
        def checked(exclusion=exclusion):
            relaxation = offer(instance, request, exclusion)
            return relaxation if relaxation and works(instance, request, relaxation) else None

        entry = by_id.get(exclusion.shelter)
        if entry is None or entry.shelter is not instance.shelter(exclusion.shelter):
            relaxation = checked()
        else:
            relaxation = _remember(entry.relaxations, key, checked)
        if relaxation:
            found.append(relaxation)
    return tuple(found)


def memo_verdict(entries, request, policy):
    """`registry.shelter_verdict`, remembered on each cached shelter for this request and
    policy. The key is the whole request and policy (their reprs: every field the rules could
    read), and an entry lives only as long as its shelter's version: a verdict is never reused
    for a shelter, a request or a policy that changed."""
    key = (repr(request), repr(policy))
    by_id = {entry.shelter.id: entry for entry in entries}

    def verdict(policy_now, request_now, shelter):
        entry = by_id.get(shelter.id)
        if entry is None or entry.shelter is not shelter or policy_now is not policy \
                or request_now is not request:
            return shelter_verdict(policy_now, request_now, shelter)
        return _remember(entry.verdicts, key,
                         lambda: shelter_verdict(policy_now, request_now, shelter))

    return verdict


def _load(shelter_ids):
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
                stamp=(row.version, row.created_at), shelter=shelter,
                ref={"id": row.id, "name": row.name, "kind": row.kind,
                     "region": row.region_code},
                referral_phone=row.referral_phone, confirmed_at=row.confirmed_at)
    return loaded


install(sa.orm.Session)
