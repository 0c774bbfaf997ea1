"""Small SVG line charts of occupancy rate per region over the last days, and their table rows.

`series` maps a region code to (day, rate) pairs, `day` a datetime.date and `rate` a fraction
0..1 or None (no snapshot that day: the line breaks). One point per day; the chart and
`trend_table` read the same days, so the page's table always matches the picture.
"""

import datetime as dt

from placement.cartography.svg import document, element, text, titled
from placement.cartography.texts import Texts

WIDTH, HEIGHT = 660, 320
PLOT = (62, 20, 430, 250)  # x, y, width, height of the plotting area
INK, GRID = "#1d2b36", "#d5dbe0"
COLOURS = ("#1f4e79", "#a0522d", "#2e7d4f", "#6a3d9a", "#8b2942", "#4d5a66")
SHAPES = ("circle", "square", "triangle", "diamond", "cross", "bar")
DASHES = (None, "7 4", "2 4", "9 3 2 3", "4 2", "1 3")


def window(series, days, until=None):
    """The `days` dates ending at `until` (default: the latest day in `series`)."""
    if until is None:
        seen = [day for points in series.values() for day, _ in points]
        until = max(seen) if seen else dt.date.today()
    return [until - dt.timedelta(days=days - 1 - i) for i in range(days)]


def trend_table(series, days=7, until=None):
    """(dates, rows): one row per region code, in `series` order, with whole percents or None."""
    dates = window(series, days, until)
    rows = []
    for region, points in series.items():
        by_day = dict(points)
        rows.append((region, [_percent(by_day.get(day)) for day in dates]))
    return dates, rows


def trend_chart(series, days=7, *, names, until=None, texts=None, format_day=None,
                id_prefix=None):
    """SVG line chart of `trend_table`'s figures: axes, day ticks, a legend, a shape per region.

    `format_day(date)` gives the axis and title words for a day (default "MM-DD"); `id_prefix`
    (default "trend<days>") keeps ids unique when several charts share a page.
    """
    say = Texts(texts)
    id_prefix = id_prefix or f"trend{days}"
    format_day = format_day or (lambda day: day.isoformat()[5:])
    dates, rows = trend_table(series, days, until)
    lines, summary = [], []
    for index, (region, percents) in enumerate(rows):
        name = names.get(region, region)
        lines.append(_series(index, name, dates, percents, say, format_day))
        known = [p for p in percents if p is not None]
        summary.append(say("trend_summary", name=name, first=known[0], last=known[-1])
                       if known else say("trend_no_data", name=name))
    return document(
        WIDTH, HEIGHT, id_prefix, say("trend_title", days=days),
        say("trend_desc", summary="; ".join(summary) + "."),
        _axes(dates, say, format_day),
        element("g", {"class": "series"}, *lines),
        _legend([names.get(r, r) for r, _ in rows]),
    )


def _percent(rate):
    return None if rate is None else round(100 * rate)


def _x(dates, i):
    x, _, width, _ = PLOT
    return x + (round(width * i / (len(dates) - 1)) if len(dates) > 1 else width // 2)


def _y(percent):
    _, y, _, height = PLOT
    return y + height - round(height * max(0, min(100, percent)) / 100)


def _axes(dates, say, format_day):
    x0, y0, width, height = PLOT
    parts = []
    for percent in range(0, 101, 25):
        y = _y(percent)
        parts.append(element("line", {"x1": x0, "y1": y, "x2": x0 + width, "y2": y,
                                      "stroke": GRID if percent else INK}))
        parts.append(_words(x0 - 8, y + 4, f"{percent}", "end"))
    step = 1 if len(dates) <= 10 else 5
    for i, day in enumerate(dates):
        x, labelled = _x(dates, i), (len(dates) - 1 - i) % step == 0
        parts.append(element("line", {"x1": x, "y1": y0 + height, "x2": x,
                                      "y2": y0 + height + (6 if labelled else 3), "stroke": INK}))
        if labelled:
            parts.append(_words(x, y0 + height + 20, format_day(day), "middle"))
    parts.append(element("line", {"x1": x0, "y1": y0, "x2": x0, "y2": y0 + height, "stroke": INK}))
    parts.append(_words(x0 + width // 2, HEIGHT - 10, say("axis_day"), "middle"))
    parts.append(element("text", {"x": 16, "y": y0 + height // 2, "font-size": 12, "fill": INK,
                                  "text-anchor": "middle",
                                  "transform": f"rotate(-90 16 {y0 + height // 2})"},
                         text(say("axis_rate"))))
    return element("g", {"class": "axes"}, *parts)


def _series(index, name, dates, percents, say, format_day):
    colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
    runs, run = [], []
    for i, percent in enumerate(percents):
        if percent is None:
            runs, run = runs + [run] if run else runs, []
        else:
            run.append((_x(dates, i), _y(percent)))
    runs = runs + [run] if run else runs
    path = "".join("M" + "L".join(f"{x} {y}" for x, y in r) for r in runs)
    points = [
        titled("g", {"class": "point"},
               say("trend_point", name=name, day=format_day(day), rate=percent),
               shape(index, _x(dates, i), _y(percent), colour))
        for i, (day, percent) in enumerate(zip(dates, percents, strict=True))
        if percent is not None
    ]
    return titled(
        "g", {"class": "trend", "data-series": index},
        name,
        element("path", {"d": path, "fill": "none", "stroke": colour, "stroke-width": 2,
                         "stroke-dasharray": dash}) if path else "",
        *points,
    )


def shape(index, x, y, colour):
    """The marker of series `index`: circle, square, triangle, diamond, cross, bar, in turn."""
    kind = SHAPES[index % len(SHAPES)]
    paint = {"fill": colour, "stroke": "#ffffff", "stroke-width": 1}
    if kind == "circle":
        return element("circle", {"cx": x, "cy": y, "r": 4, **paint})
    outlines = {
        "square": f"M{x - 4} {y - 4}h8v8h-8z",
        "triangle": f"M{x} {y - 5}l5 9h-10z",
        "diamond": f"M{x} {y - 6}l6 6-6 6-6-6z",
        "cross": f"M{x - 2} {y - 6}h4v4h4v4h-4v4h-4v-4h-4v-4h4z",
        "bar": f"M{x - 6} {y - 2}h12v4h-12z",
    }
    return element("path", {"d": outlines[kind], **paint})


def _legend(labels):
    x0, y0, width, _ = PLOT
    parts = []
    for index, label in enumerate(labels):
        x, y = x0 + width + 24, y0 + 14 + 24 * index
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        parts.append(element("line", {"x1": x, "y1": y, "x2": x + 34, "y2": y, "stroke": colour,
                                      "stroke-width": 2, "stroke-dasharray": dash}))
        parts.append(shape(index, x + 17, y, colour))
        parts.append(_words(x + 44, y + 4, label, "start"))
    return element("g", {"class": "legend"}, *parts)


def _words(x, y, words, anchor):
    return element("text", {"x": x, "y": y, "font-size": 12, "fill": INK, "text-anchor": anchor},
                   text(words))
