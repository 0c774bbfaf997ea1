"""The geometry of one network, projected once per view and kept: the costly part of a map.

Build one `Atlas` per network geometry and keep it (module level or app extension); each view
(the whole network, or one region zoomed) is projected on first use and cached in the instance.
"""

from dataclasses import dataclass

from placement.cartography.projection import (
    Frame,
    border_segments,
    bounds_of,
    chain_path_data,
    label_point,
    path_data,
    project_rings,
)


class MissingGeometry(LookupError):
    """The network has municipalities the geometry cannot draw: the page shows its table instead."""

    def __init__(self, missing):
        self.missing = sorted(missing)
        super().__init__(f"no polygons for: {', '.join(self.missing) or 'any municipality'}")


@dataclass(frozen=True)
class View:
    """One projected view: area paths, border paths and label anchors, in whole viewBox units."""

    frame: Frame
    paths: dict  # municipality code -> SVG path data
    outline: str  # path data of the view's outer border
    between: str  # path data of borders between groups (regions, or municipalities when zoomed)
    anchors: dict  # label anchor (x, y) per region (whole view) or per municipality (zoomed)
    municipality_anchors: dict  # label anchor (x, y) per municipality


class Atlas:
    """Municipality polygons and the region of each; raises MissingGeometry if any has no shape."""

    def __init__(self, shapes, region_of):
        missing = set(region_of) - {code for code, polygons in shapes.items() if polygons}
        if not region_of or missing:
            raise MissingGeometry(missing)
        self.region_of = dict(region_of)
        self.shapes = {code: shapes[code] for code in self.region_of}
        self._views = {}

    def regions(self):
        return sorted(set(self.region_of.values()))

    def municipalities(self, region=None):
        return sorted(c for c, r in self.region_of.items() if region is None or r == region)

    def view(self, box, region=None):
        """The whole network (region None) or one region's municipalities, fitted to box."""
        key = (tuple(box), region)
        if key not in self._views:
            self._views[key] = self._project(box, region)
        return self._views[key]

    def _project(self, box, region):
        codes = self.municipalities(region)
        if not codes:
            raise MissingGeometry([region])
        frame = Frame(bounds_of(self.shapes[c] for c in codes), box)
        rings = {c: project_rings(frame, self.shapes[c]) for c in codes}
        group_of = self.region_of if region is None else {}
        outline, between = border_segments(rings, group_of)
        by_municipality = {c: label_point([rings[c]]) for c in codes if rings[c]}
        if region is None:
            anchors = {
                r: label_point([rings[c] for c in self.municipalities(r) if rings[c]])
                for r in self.regions()
            }
        else:
            anchors = by_municipality
        return View(
            frame=frame,
            paths={c: path_data(rings[c]) for c in codes},
            outline=chain_path_data(outline),
            between=chain_path_data(between),
            anchors=anchors,
            municipality_anchors=by_municipality,
        )

