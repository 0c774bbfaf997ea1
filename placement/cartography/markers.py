"""Shelter markers at public positions only: grouped where they share a point, freshness by shape.

A marker never carries a shelter's own location: the caller gives the public position (the
municipality's or region's centroid) and how many shelters stand there. Markers that land on the
same whole viewBox unit are drawn as one symbol with the number of shelters; so are symbols that
would overlap (two neighbouring towns' centres on a national map): they join the larger one, at
its public position, and its title names both places. Joining only ever blurs, never sharpens.
"""

from dataclasses import dataclass, field

from placement.cartography.svg import element, text, titled

FRESHNESS = ("fresh", "aging", "stale")
INK = "#1d2b36"


@dataclass(frozen=True)
class Marker:
    """Shelters at one public position; `freshness` counts them by state (see FRESHNESS).

    `freshness` may also be one state's name, meaning all `shelters` are in it.
    """

    position: str
    lat: float
    lon: float
    label: str
    shelters: int = 1
    freshness: object = "fresh"

    def states(self):
        counts = self.freshness
        if isinstance(counts, str):
            counts = {counts: self.shelters}
        unknown = set(counts) - set(FRESHNESS)
        if unknown:
            raise ValueError(f"freshness: unknown state(s) {sorted(unknown)}; use {FRESHNESS}")
        return {state: counts.get(state, 0) for state in FRESHNESS}


@dataclass
class Group:
    """Markers drawn as one symbol at (x, y)."""

    x: int
    y: int
    positions: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    states: dict = field(default_factory=lambda: dict.fromkeys(FRESHNESS, 0))

    @property
    def shelters(self):
        return sum(self.states.values())

    @property
    def radius(self):
        return 9 + 3 * (len(str(self.shelters)) - 1)

    @property
    def worst(self):
        return next(s for s in reversed(FRESHNESS) if self.states[s]) if self.shelters else "fresh"


def group_markers(markers, frame):
    """Groups by projected point, overlapping ones joined, north to south then west to east."""
    groups = {}
    for marker in markers:
        point = frame.point(marker.lon, marker.lat)
        group = groups.setdefault(point, Group(*point))
        if marker.position not in group.positions:
            group.positions.append(marker.position)
        if marker.label not in group.labels:
            group.labels.append(marker.label)
        if isinstance(marker.freshness, str) and marker.freshness in group.states:  # common case
            group.states[marker.freshness] += marker.shelters
            continue
        for state, count in marker.states().items():
            group.states[state] += count
    kept = []
    for group in sorted(groups.values(), key=lambda g: (-g.shelters, g.y, g.x)):
        if not group.shelters:
            continue
        host = next((k for k in kept if _overlap(k, group)), None)
        if host is None:
            kept.append(group)
            continue
        host.positions += [p for p in group.positions if p not in host.positions]
        host.labels += [label for label in group.labels if label not in host.labels]
        for state, count in group.states.items():
            host.states[state] += count
    return sorted(kept, key=lambda g: (g.y, g.x))


def _overlap(a, b):
    reach = a.radius + b.radius + 2
    return (a.x - b.x) ** 2 + (a.y - b.y) ** 2 < reach * reach


def draw_group(group, say):
    """One symbol: filled circle (fresh), filled square (aging), hollow dashed circle (stale)."""
    counts = [(s, group.states[s]) for s in FRESHNESS if group.states[s]]
    states = ", ".join(say("state_count", count=n, state=say(s)) for s, n in counts)
    title = say(
        "marker",
        label=" / ".join(group.labels),
        shelters=say("shelters", count=group.shelters),
        states=states,
    )
    number = str(group.shelters)
    attributes = {
        "class": f"marker marker-{group.worst}",
        "data-position": " ".join(group.positions),
        "data-shelters": group.shelters,
    }
    return titled(
        "g",
        attributes,
        title,
        symbol(group.worst, group.x, group.y, group.radius),
        element(
            "text",
            {
                "x": group.x,
                "y": group.y,
                "text-anchor": "middle",
                "dominant-baseline": "central",
                "font-size": 12,
                "font-weight": "bold",
                "fill": "#ffffff" if group.worst != "stale" else INK,
            },
            text(number),
        ),
    )


def symbol(state, x, y, r):
    """The shape of a freshness state centred on (x, y); shared by markers and the legend."""
    if state == "aging":
        return element(
            "rect",
            {"x": x - r, "y": y - r, "width": 2 * r, "height": 2 * r, "rx": 2,
             "fill": INK, "stroke": "#ffffff", "stroke-width": 2},
        )
    if state == "stale":
        return element(
            "circle",
            {"cx": x, "cy": y, "r": r, "fill": "#ffffff", "stroke": INK, "stroke-width": 2,
             "stroke-dasharray": "4 2"},
        )
    return element(
        "circle", {"cx": x, "cy": y, "r": r, "fill": INK, "stroke": "#ffffff", "stroke-width": 2}
    )
