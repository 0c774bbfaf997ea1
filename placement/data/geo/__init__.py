"""Packaged public map geometry (municipality polygons) and its sources."""

import json
from importlib import resources


def kosovo_municipalities():
    """(index, topology) of the Kosovo municipality polygons shipped with Streha."""
    folder = resources.files(__name__)
    index = json.loads(folder.joinpath("kosovo-municipalities.json").read_text(encoding="utf-8"))
    topology = json.loads(folder.joinpath(index["topojson"]).read_text(encoding="utf-8"))
    return index, topology
