"""A service's refusal of a form, put next to the field it names, in the user's language.

Services raise errors whose message starts with the API's field path ("persons[1].age: ...",
"keep_apart_from[0]: no case K-..."). The same path finds the form field; known sentences are
said in the user's language, others in the service's English (still next to the right field).
"""

import re

from flask_babel import lazy_gettext as _l

_PATH = re.compile(r"^(?P<name>[a-z_]+)(\[(?P<index>\d+)\])?(\.(?P<sub>[a-z_]+))?: (?P<rest>.*)$")

_SENTENCES = (
    (re.compile(r"^exactly one person has the role primary$"),
     _l("Exactly one person has the role “primary person”")),
    (re.compile(r"^a person with role adult is 18 or older$"),
     _l("An accompanying adult is 18 or older")),
    (re.compile(r"^a person with role child is under 18$"), _l("A child is under 18")),
    (re.compile(r"^when adults come, the primary person is an adult$"),
     _l("When adults come, the primary person is an adult")),
    (re.compile(r"^no case (?P<code>K-[0-9A-Z-]+)$"), _l("No case has the code %(code)s")),
    (re.compile(r"^a case cannot be kept apart from itself$"),
     _l("A case cannot be kept apart from itself")),
    (re.compile(r"^at most \d+ suspect changes a day"),
     _l("You have changed suspects too often today; a coordinator can help")),
    (re.compile(r"^'?(?P<code>[^']*)'? is not a municipality$"),
     _l("Choose a municipality from the list")),
    (re.compile(r"^case (?P<code>K-\S+) already has placement request (?P<id>\d+) in progress$"),
     _l("Case %(code)s already has request %(id)s in progress")),
    (re.compile(r"^case (?P<code>K-\S+) is closed$"), _l("Case %(code)s is closed")),
    (re.compile(r"^request \d+ already has (?P<count>\d+) holds; at most (?P<most>\d+) at once$"),
     _l("This request already holds beds at %(count)s shelters; at most %(most)s at once")),
    (re.compile(r"^request \d+ already holds beds at shelter \d+$"),
     _l("This request already holds beds at this shelter")),
)


def in_words(text):
    """The service's sentence in the user's language when it is a known one."""
    for pattern, words in _SENTENCES:
        found = pattern.match(text)
        if found:
            return words % found.groupdict() if found.groupdict() else str(words)
    return text


def place_service_error(fields, message):
    """Append `message` (a service error) to the field it names; returns whether one took it.

    `fields(name, index, sub)` returns the form field for an API path, or None.
    """
    found = _PATH.match(message)
    if found is None:
        return False
    index = int(found["index"]) if found["index"] is not None else None
    field = fields(found["name"], index, found["sub"])
    if field is None:
        return False
    field.errors = [*field.errors, in_words(found["rest"])]
    return True
