"""Public map geometry: TopoJSON decoding, and which polygons a disk around a point touches.

Pure functions over plain lists (no Flask, no database). Coordinates are (lon, lat) pairs as in
GeoJSON and TopoJSON; distances are kilometres on a sphere of radius 6371.0 km (SPEC §3).
"""

import math

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


def decode_topojson(document, object_name=None):
    """{feature key: polygons} for one object of a TopoJSON topology.

    A polygon is a list of rings (exterior first, then holes); a ring is a list of (lon, lat).
    The key is the geometry's `id`, else its `properties.shapeID`.
    """
    arcs = _absolute_arcs(document)
    objects = document["objects"]
    name = object_name or next(iter(objects))
    shapes = {}
    for geometry in objects[name]["geometries"]:
        key = geometry.get("id") or geometry.get("properties", {}).get("shapeID")
        if geometry["type"] == "Polygon":
            shapes[key] = [_polygon(geometry["arcs"], arcs)]
        elif geometry["type"] == "MultiPolygon":
            shapes[key] = [_polygon(part, arcs) for part in geometry["arcs"]]
        else:
            raise ValueError(f"objects.{name}: geometry type {geometry['type']!r} is not areal")
    return shapes


def _absolute_arcs(document):
    transform = document.get("transform")
    decoded = []
    for arc in document["arcs"]:
        if transform is None:
            decoded.append([tuple(p[:2]) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _polygon(ring_arcs, arcs):
    return [_ring(indices, arcs) for indices in ring_arcs]


def _ring(indices, arcs):
    points = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        # Consecutive arcs share their joining point: keep it once.
        points.extend(arc if not points else arc[1:])
    return points


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def contains(polygons, lat, lon):
    """True when (lat, lon) lies inside one of `polygons` (even-odd over each polygon's rings)."""
    return any(_inside_polygon(polygon, lon, lat) for polygon in polygons)


def _inside_polygon(rings, x, y):
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def distance_to_boundary_km(polygons, lat, lon):
    """Shortest distance from (lat, lon) to any edge of `polygons`, in a local flat projection.

    The projection is centred on the point, so for the tens of kilometres that privacy radii span
    its error is far below a kilometre; callers that must err safely add their own margin.
    """
    scale_x = KM_PER_DEGREE * math.cos(math.radians(lat))
    best = math.inf
    for polygon in polygons:
        for ring in polygon:
            flat = [((x - lon) * scale_x, (y - lat) * KM_PER_DEGREE) for x, y in ring]
            for a, b in zip(flat, flat[1:] + flat[:1], strict=True):
                best = min(best, _origin_to_segment(a, b))
    return best


def _origin_to_segment(a, b):
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    return math.hypot(ax + t * dx, ay + t * dy)


def touched_by_disk(shapes, lat, lon, radius_km, margin_km=0.5):
    """Keys of the shapes that a disk of `radius_km` (+ a safety margin) around (lat, lon) touches.

    A shape is touched when the centre lies inside it or any of its edges comes within the radius.
    The margin makes the answer err towards touching more shapes, never fewer.
    """
    reach = radius_km + margin_km
    return sorted(
        key
        for key, polygons in shapes.items()
        if contains(polygons, lat, lon) or distance_to_boundary_km(polygons, lat, lon) <= reach
    )


def municipality_shapes(index, topology):
    """{municipality code: polygons} from a geometry index file and its TopoJSON topology.

    The index (e.g. placement/data/geo/kosovo-municipalities.json) names the object and maps each
    feature's shapeID to a municipality code; features it does not map are left out.
    """
    decoded = decode_topojson(topology, index.get("object"))
    return {code: decoded[shape] for shape, code in index["shapes"].items()}
