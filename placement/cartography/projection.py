"""Equirectangular projection fitted to a box of the viewBox, and polygons turned into SVG paths.

x grows with longitude scaled by cos(mid-latitude), y grows southward; every projected point is
rounded to whole viewBox units, so nothing drawn is finer than one unit (a few hundred metres on a
national map). Rounding is the only simplification: points that round to the same unit are merged.
"""

import math
from collections import defaultdict


class Frame:
    """Projects (lon, lat) into the box (x, y, width, height), keeping the aspect, centred."""

    def __init__(self, bounds, box):
        min_lon, min_lat, max_lon, max_lat = bounds
        x, y, width, height = box
        self.min_lon, self.max_lat = min_lon, max_lat
        self.kx = math.cos(math.radians((min_lat + max_lat) / 2))
        span_x = max((max_lon - min_lon) * self.kx, 1e-9)
        span_y = max(max_lat - min_lat, 1e-9)
        self.scale = min(width / span_x, height / span_y)
        self.ox = x + (width - span_x * self.scale) / 2
        self.oy = y + (height - span_y * self.scale) / 2

    def point(self, lon, lat):
        """(x, y) in whole viewBox units."""
        return (
            round(self.ox + (lon - self.min_lon) * self.kx * self.scale),
            round(self.oy + (self.max_lat - lat) * self.scale),
        )

    def units_per_km(self):
        return self.scale * 180 / (math.pi * 6371.0)


def bounds_of(polygon_lists):
    """(min_lon, min_lat, max_lon, max_lat) over every ring of every polygon list."""
    lons, lats = [], []
    for polygons in polygon_lists:
        for rings in polygons:
            for ring in rings:
                lons.extend(p[0] for p in ring)
                lats.extend(p[1] for p in ring)
    return min(lons), min(lats), max(lons), max(lats)


def project_rings(frame, polygons):
    """Projected rings (exterior and holes alike), repeated points merged, slivers dropped."""
    rings = []
    for polygon in polygons:
        for ring in polygon:
            points = []
            for lon, lat in ring:
                p = frame.point(lon, lat)
                if not points or points[-1] != p:
                    points.append(p)
            if len(points) > 1 and points[0] == points[-1]:
                points.pop()
            if len(points) >= 3:
                rings.append(points)
    return rings


def path_data(rings):
    """SVG path data, relative moves with whole-unit steps; closed rings."""
    parts = []
    for ring in rings:
        (x0, y0), steps = ring[0], []
        for (ax, ay), (bx, by) in zip(ring, ring[1:], strict=False):
            steps.append(f"{bx - ax} {by - ay}")
        parts.append(f"M{x0} {y0}l{' '.join(steps)}z")
    return "".join(parts)


def border_segments(rings_by_code, group_of):
    """(outline, between): edges drawn by one area only, and edges shared by two groups' areas.

    Edges shared inside one group (e.g. two municipalities of a region) are in neither: the areas'
    own thin strokes draw them. Shared edges are found exactly because TopoJSON neighbours share
    their arcs point for point, and rounding maps equal points to equal units.
    """
    owners = defaultdict(set)
    for code, rings in rings_by_code.items():
        for ring in rings:
            for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                owners[(a, b) if a <= b else (b, a)].add(code)
    outline, between = [], []
    for edge, codes in owners.items():
        if len(codes) == 1:
            outline.append(edge)
        elif len({group_of.get(c, c) for c in codes}) > 1:
            between.append(edge)
    return outline, between


def chain_path_data(segments):
    """Path data joining edges that meet end to end into polylines."""
    neighbours = defaultdict(list)
    for a, b in segments:
        neighbours[a].append(b)
        neighbours[b].append(a)
    used, parts = set(), []
    # Start at loose ends and junctions first, then whatever closed loops remain.
    starts = sorted(p for p, n in neighbours.items() if len(n) != 2) + sorted(neighbours)
    for start in starts:
        for nxt in list(neighbours[start]):
            edge = (start, nxt) if start <= nxt else (nxt, start)
            if edge in used:
                continue
            parts.append(_walk(start, nxt, neighbours, used))
    return "".join(parts)


def _walk(start, nxt, neighbours, used):
    points, current = [start], start
    while nxt is not None:
        used.add((current, nxt) if current <= nxt else (nxt, current))
        points.append(nxt)
        current, nxt = nxt, None
        if len(neighbours[current]) == 2:
            for candidate in neighbours[current]:
                edge = (current, candidate) if current <= candidate else (candidate, current)
                if edge not in used:
                    nxt = candidate
                    break
    pairs = zip(points, points[1:], strict=False)
    steps = " ".join(f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in pairs)
    return f"M{points[0][0]} {points[0][1]}l{steps}"


def label_point(rings_list):
    """Area-weighted centroid of projected rings, rounded; for placing a label.

    Each ring is weighted by its own absolute area, so ring orientation does not matter (holes,
    rare in municipality shapes, count as area: good enough for a label).
    """
    total = sx = sy = 0.0
    for rings in rings_list:
        for ring in rings:
            area = cx = cy = 0.0
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                cross = x1 * y2 - x2 * y1
                area += cross
                cx += (x1 + x2) * cross
                cy += (y1 + y2) * cross
            if area:
                weight = abs(area)
                total += weight
                sx += weight * cx / (3 * area)
                sy += weight * cy / (3 * area)
    if not total:
        return rings_list[0][0][0]
    return round(sx / total), round(sy / total)
