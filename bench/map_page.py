"""Latency of the coordinators' page /map, measured beside GET /occupancy (bench.occupancy).

The page is rendered in-process for a national coordinator signed in through the sign-in form:
the occupancy view, every shelter's public position, the SVG choropleth with its markers, and the
tables. The geometry is decoded and projected once per process (the Atlas cache), as in a server.
"""

import re
import sys
import time

CALLS = {"kosovo": 100, "generated": 30}
USERNAME, PASSWORD = "bench-national", "bench-password-123"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in_client(app):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    answer = client.post("/login", data={"csrf_token": token, "username": USERNAME,
                                         "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    return client


def time_map(app, scale):
    """Median, p95 and max of GET /map in milliseconds, after one warm-up call."""
    from bench.occupancy import _percentiles  # not at the top: bench.occupancy imports this

    client = signed_in_client(app)
    first = client.get("/map")
    assert first.status_code == 200 and b"<svg" in first.data, first.status_code
    timings = []
    for _call in range(CALLS[scale]):
        start = time.perf_counter()
        answer = client.get("/map")
        timings.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200
    return {"calls": CALLS[scale], "bytes": len(answer.data), **_percentiles(timings)}


def report(results):
    sys.stdout.write("\nGET /map (national coordinator, page with SVG and tables)\n")
    sys.stdout.write(f"{'database':<12}{'network':<11}{'shelters':>9}{'median ms':>11}"
                     f"{'p95 ms':>9}{'KiB':>7}\n")
    for row in results:
        page = row["map"]
        sys.stdout.write(f"{row['database']:<12}{row['network']:<11}{row['shelters']:>9}"
                         f"{page['median_ms']:>11}{page['p95_ms']:>9}"
                         f"{page['bytes'] // 1024:>7}\n")
