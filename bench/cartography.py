"""Time to draw the Kosovo map: decoding and projecting once, then each page render from cache.

Run: .venv/bin/python -m bench.cartography [DIR]   (never part of make test); with DIR it also
writes the national map, a region drill-down and a 30-day trend chart there as SVG, to look at.
"""

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

from placement.cartography import (
    Atlas,
    Marker,
    Places,
    attribution,
    network_map,
    region_map,
    trend_chart,
)
from placement.data.geo import kosovo_municipalities
from placement.geometry import municipality_shapes
from placement.services.network import default_network


def _median_ms(call, repeat=50):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main():
    network = default_network()
    region_of = {m["code"]: m["region"] for m in network["municipalities"]}
    names = {m["code"]: m["name"] for m in network["municipalities"]}
    names.update({r["code"]: r["name"] for r in network["regions"]})
    codes = sorted(region_of)
    markers = [
        Marker(codes[i % 38], network["municipalities"][i % 38]["lat"],
               network["municipalities"][i % 38]["lon"], "x", 1,
               ("fresh", "aging", "stale")[i % 3])
        for i in range(2500)
    ]
    values = {r: Places(5, 20) for r in set(region_of.values())}
    start = time.perf_counter()
    atlas = Atlas(municipality_shapes(*kosovo_municipalities()), region_of)
    network_map(atlas, values, names=names, attribution=attribution(), markers=markers)
    cold = (time.perf_counter() - start) * 1000
    svg = network_map(atlas, values, names=names, attribution=attribution(), markers=markers)
    warm = _median_ms(lambda: network_map(atlas, values, names=names, attribution=attribution(),
                                          markers=markers))
    region = _median_ms(lambda: region_map(atlas, "prishtine", {}, names=names,
                                           attribution=attribution(), markers=markers))
    today = dt.date(2026, 11, 30)
    series = {r: [(today - dt.timedelta(days=i), 0.8) for i in range(30)] for r in values}
    trend = _median_ms(lambda: trend_chart(series, 30, names=names))
    print(f"Kosovo, cold (decode + project + first render): {cold:.1f} ms")
    print(f"Kosovo national map, 2,500 shelters, cached: median {warm[0]:.1f} ms, "
          f"max {warm[1]:.1f} ms, {len(svg) // 1024} KiB")
    print(f"Region drill-down (first render projects, then cached): median {region[0]:.1f} ms")
    print(f"30-day trend chart, 5 regions: median {trend[0]:.1f} ms")
    if len(sys.argv) > 1:
        folder = Path(sys.argv[1])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "network.svg").write_text(svg, encoding="utf-8")
        (folder / "region.svg").write_text(
            region_map(atlas, "prishtine", {}, names=names, attribution=attribution(),
                       markers=markers), encoding="utf-8")
        (folder / "trend30.svg").write_text(trend_chart(series, 30, names=names),
                                            encoding="utf-8")


if __name__ == "__main__":
    main()
