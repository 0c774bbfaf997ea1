"""Bounds on request bodies that every endpoint shares: how deeply a JSON body may nest.

Python's json parser recurses once per level: a body of a few thousand `[` (well inside the size
limit) ends in a RecursionError, a 500. The depth is counted on the raw bytes before anything
parses them, so no parser (Flask's, webargs', a page's) ever sees such a body.
"""

import json
import re

from flask import current_app, request

from placement.errors import BadRequest

# A JSON string, escapes included: brackets inside one do not nest anything.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(data):
    """How deeply the arrays and objects of a JSON text nest (0 for a scalar); bytes in.

    Decoded first as the parsers do (UTF-8, or UTF-16/32 told by their byte pattern): counted on
    raw bytes, a UTF-16 body's escapes would fool the string skipping and hide brackets.
    """
    text = data.decode(json.detect_encoding(data), errors="replace")
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return deepest


def bound_json_depth():
    """before_request: a JSON body nested deeper than JSON_MAX_DEPTH is a 400 naming the limit."""
    if not request.is_json:
        return
    limit = current_app.config["JSON_MAX_DEPTH"]
    if json_depth(request.get_data(cache=True)) > limit:
        raise BadRequest(f"json: nested deeper than {limit} levels",
                         {"json": [f"nested deeper than {limit} levels"]})
