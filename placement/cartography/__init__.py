"""Server-drawn SVG maps and charts of a shelter network: pure functions over plain data.

No Flask, no database. A page builds the inputs from its services and passes translated words.

    atlas = Atlas(shapes, region_of)        # once per geometry; kosovo_atlas(region_of) caches it
    network_map(atlas, {region: Places(free, total)}, names=..., attribution=..., markers=[Marker])
    region_map(atlas, region, {municipality: Places(...)}, names=..., attribution=..., markers=...)
    trend_chart(series, days=7, names=...), trend_table(series, days=7)

`Atlas` raises `MissingGeometry` when the network has a municipality the geometry cannot draw
(or no geometry at all): the page then shows only its table.
"""

import functools

from placement.cartography.atlas import Atlas, MissingGeometry
from placement.cartography.legend import CLASSES, Places, shade_class
from placement.cartography.maps import network_map, region_map
from placement.cartography.markers import FRESHNESS, Marker
from placement.cartography.texts import DEFAULT_TEXTS
from placement.cartography.trends import trend_chart, trend_table
from placement.data.geo import kosovo_municipalities
from placement.geometry import municipality_shapes

__all__ = [
    "CLASSES", "DEFAULT_TEXTS", "FRESHNESS", "Atlas", "Marker", "MissingGeometry", "Places",
    "attribution", "kosovo_atlas", "network_map", "region_map", "shade_class", "trend_chart",
    "trend_table",
]


def kosovo_atlas(region_of):
    """The Atlas of the packaged Kosovo polygons for this municipality -> region mapping, cached."""
    return _kosovo_atlas(frozenset(region_of.items()))


@functools.lru_cache(maxsize=4)
def _kosovo_atlas(region_items):
    return Atlas(municipality_shapes(*kosovo_municipalities()), dict(region_items))


@functools.cache
def attribution():
    """The attribution the packaged polygons require on every map drawn from them."""
    return kosovo_municipalities()[0]["attribution"]
