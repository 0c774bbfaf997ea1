"""Cases: pseudonymous codes, persons as profiles, sealed suspects and notes, risk history.

A case belongs to its case manager's organisation; every other caller gets 404. Suspect
locations and notes are sealed at rest and go back only to that organisation; closing a case
purges them.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from optimizer.vocabulary import ADULT_AGE, is_adult
from placement import clock
from placement.crypto import open_sealed, seal
from placement.errors import Conflict, NotFound, RuleViolation, TooManyRequests
from placement.extensions import db
from placement.models import AuditEvent, Case, Municipality, PlacementRequest, RiskAssessment
from placement.services import audit, retention
from placement.services.paging import page

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read over a phone
SUSPECTS_PURPOSE = "case.suspects"
NOTES_PURPOSE = "case.notes"


def new_code():
    """A random, non-sequential case code such as K-7QX3-M9PA."""
    draw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"K-{draw[:4]}-{draw[4:]}"


def _unique_code():
    while True:
        code = new_code()
        if not db.session.scalar(sa.select(Case.id).where(Case.code == code)):
            return code


def check_persons(persons):
    """Exactly one primary person; ages and roles consistent with SPEC section 3's words."""
    primaries = [p for p in persons if p["role"] == "primary"]
    if len(primaries) != 1:
        raise RuleViolation("persons: exactly one person has the role primary")
    adults = [p for p in persons if is_adult(p["age"])]
    for index, person in enumerate(persons):
        if person["role"] == "adult" and not is_adult(person["age"]):
            raise RuleViolation(
                f"persons[{index}].age: a person with role adult is {ADULT_AGE} or older")
        if person["role"] == "child" and is_adult(person["age"]):
            raise RuleViolation(
                f"persons[{index}].age: a person with role child is under {ADULT_AGE}")
    if adults and not is_adult(primaries[0]["age"]):
        raise RuleViolation("persons: when adults come, the primary person is an adult")


def _check_suspects(user, suspects, before=()):
    """Suspects name real municipalities, and each account sets suspects a bounded number of
    times a day. H6 is judged on shelters' public areas, so moving a suspect teaches nothing
    of where a shelter is; the cap stays as a brake on bulk writes of suspect data."""
    if list(suspects) == list(before):
        return
    _check_suspect_budget(user)
    for index, suspect in enumerate(suspects):
        code = suspect.get("municipality")
        if code and db.session.get(Municipality, code) is None:
            raise RuleViolation(f"suspects[{index}].municipality: {code!r} is not a municipality")
    audit.record("case.suspects_set", "case", None, actor=user, detail=str(len(suspects)))


def _check_suspect_budget(user):
    limit = current_app.config["SUSPECT_CHANGES_PER_DAY"]
    used = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.seq)).where(
            AuditEvent.actor_id == user.id, AuditEvent.action == "case.suspects_set",
            AuditEvent.at >= clock.now() - timedelta(days=1),
        )
    )
    if used >= limit:
        raise TooManyRequests(
            f"suspects: at most {limit} suspect changes a day per account; a coordinator can"
            " help with more", {"suspects": ["daily limit reached"]},
        )


def check_keep_apart(codes, own_code=None):
    """Every code names an existing case (of any organisation: the case to keep apart from is
    often another's). The error repeats only the code given, never another case's."""
    codes = list(codes)
    known = set(db.session.scalars(sa.select(Case.code).where(Case.code.in_(codes)))) if codes \
        else set()
    for index, code in enumerate(codes):
        if code == own_code:
            raise RuleViolation(f"keep_apart_from[{index}]: a case cannot be kept apart from"
                                " itself", {f"keep_apart_from[{index}]": ["own case"]})
        if code not in known:
            raise RuleViolation(f"keep_apart_from[{index}]: no case {code}",
                                {f"keep_apart_from[{index}]": ["unknown case code"]})


def create_case(user, data):
    check_persons(data["persons"])
    check_keep_apart(data.get("keep_apart_from", []))
    _check_suspects(user, data.get("suspects", []))
    case = Case(
        code=_unique_code(),
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        category=data["category"],
        risk=data["risk"],
        persons=data["persons"],
        keep_apart_from=sorted(set(data.get("keep_apart_from", []))),
        referral_source=data["referral_source"],
        identifying_authority=data["identifying_authority"],
        suspects_sealed=seal(data.get("suspects", []), SUSPECTS_PURPOSE),
        notes_sealed=seal(data["notes"], NOTES_PURPOSE) if data.get("notes") else None,
        status="open",
        created_at=clock.now(),
    )
    db.session.add(case)
    db.session.flush()
    db.session.add(
        RiskAssessment(case_id=case.id, at=case.created_at, actor_id=user.id, risk=case.risk,
                       reason="initial assessment")
    )
    db.session.flush()
    audit.record("case.create", "case", case.id, actor=user)
    return case


def owned_case(user, case_id, lock=False):
    """The case if it belongs to the caller's organisation; 404 otherwise."""
    query = sa.select(Case).where(Case.id == case_id)
    if lock:
        query = query.with_for_update()
    case = db.session.scalar(query)
    if case is None or user.role != "case_manager" or case.organisation_id != user.organisation_id:
        raise NotFound(f"no case {case_id}")
    return case


def list_cases(user, limit, offset, status=None):
    """A page of the organisation's cases, newest first, and how many there are."""
    query = (
        sa.select(Case).where(Case.organisation_id == user.organisation_id).order_by(Case.id.desc())
    )
    if status:
        query = query.where(Case.status == status)
    return page(query, limit, offset)


def suspects_of(case):
    """The case's suspects (decrypted): for the optimizer and the owning organisation only."""
    return open_sealed(case.suspects_sealed, SUSPECTS_PURPOSE) if case.suspects_sealed else []


def notes_of(case):
    return open_sealed(case.notes_sealed, NOTES_PURPOSE) if case.notes_sealed else None


def update_case(user, case, changes):
    """Change an open case; a new risk level needs a reason and is kept as a reassessment."""
    if case.status != "open":
        raise Conflict(f"case {case.code} is closed", {"status": case.status})
    if "risk" in changes and changes["risk"] != case.risk:
        if not changes.get("risk_reason"):
            raise RuleViolation("risk_reason: say why the risk level changes")
        case.risk = changes["risk"]
        db.session.add(RiskAssessment(case_id=case.id, at=clock.now(), actor_id=user.id,
                                      risk=case.risk, reason=changes["risk_reason"]))
    if "persons" in changes and changes["persons"] != case.persons:
        check_persons(changes["persons"])
        _check_no_beds_for(case)
        case.persons = changes["persons"]
    if "suspects" in changes:
        _check_suspects(user, changes["suspects"], before=suspects_of(case))
        case.suspects_sealed = seal(changes["suspects"], SUSPECTS_PURPOSE)
    if "keep_apart_from" in changes:
        check_keep_apart(changes["keep_apart_from"], own_code=case.code)
    if "notes" in changes:
        case.notes_sealed = seal(changes["notes"], NOTES_PURPOSE) if changes["notes"] else None
    audit.record("case.update", "case", case.id, actor=user,
                 detail=",".join(sorted(k for k in changes if k != "risk_reason")))
    for name in ("keep_apart_from", "referral_source", "identifying_authority"):
        if name in changes:
            value = changes[name]
            setattr(case, name, sorted(set(value)) if name == "keep_apart_from" else value)
    db.session.flush()
    return case


def _check_no_beds_for(case):
    """Beds are held or occupied one per person: the persons cannot change under them."""
    # Every live request locked, so a hold taken meanwhile waits for this change and then
    # counts the new persons (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises).
    live = db.session.execute(
        sa.select(PlacementRequest.id, PlacementRequest.status).with_for_update().where(
            PlacementRequest.case_id == case.id, PlacementRequest.status != "ended"
        ).order_by(PlacementRequest.id)
    ).all()
    busy = next((i for i, status in live if status in ("held", "accepted", "placed")), None)
    if busy:
        raise Conflict(f"persons: placement request {busy} holds or occupies beds for these"
                       " persons; cancel its holds (or transfer) before changing them",
                       {"request": busy})


def mark_closed(case, reason):
    """Close the case record itself and purge what it no longer needs (suspects and notes)."""
    audit.record("case.close", "case", case.id)
    case.status = "closed"
    case.closed_at = clock.now()
    case.close_reason = reason
    case.suspects_sealed = None
    case.notes_sealed = None
    # A POST's kept answer (Idempotency-Key) holds the case as it was: it goes with the rest.
    retention.forget_answers_about(case.id)
