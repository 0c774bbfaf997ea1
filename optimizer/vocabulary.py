"""The words every part of Streha shares, defined once (SPEC §3, §5).

The optimizer validates instances against these tuples and the service's models build their
database CHECK constraints from them, so a word added here is accepted by both at once.
"""

CATEGORIES = ("thb", "dv")
RISKS = ("low", "medium", "high")
URGENCIES = ("routine", "urgent", "emergency")
SHELTER_KINDS = ("thb", "dv")
SECURITY_LEVELS = ("standard", "high")
GENDER_POLICIES = ("women", "men", "any")
ROOM_KINDS = ("adult", "minor", "family")
ROOM_GENDERS = ("female", "male", "any")
GENDERS = ("female", "male")
# A person's role in a request (SPEC §5), not an account's role in the service.
ROLES = ("primary", "adult", "child")
BED_STATUSES = ("available", "held", "occupied", "out_of_service")
WHEELCHAIR = "wheelchair"
# Age from which a person is an adult: decides unaccompanied minors (H4) and room kinds (H5).
ADULT_AGE = 18


def is_adult(age: int) -> bool:
    return age >= ADULT_AGE
