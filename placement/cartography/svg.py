"""A tiny SVG writer: escaped text, presentation attributes only, and whole numbers only.

Every map and chart goes through `element`, so two rules live here once: no `style` attribute
(the pages' Content-Security-Policy forbids inline styles) and no fractional number (the markup is
never more precise than a public position needs).
"""

from xml.sax.saxutils import escape, quoteattr

SVG_NS = "http://www.w3.org/2000/svg"


def element(tag, attributes=None, *children):
    """`<tag a="v">children</tag>`; attribute values are str or int, children already markup."""
    parts = [f"<{tag}"]
    for name, value in (attributes or {}).items():
        if value is None:
            continue
        if name == "style" or isinstance(value, float):
            raise ValueError(f"SVG attribute {name}={value!r}: no style, no fractional numbers")
        parts.append(f" {name}={quoteattr(str(value))}")
    inner = "".join(children)
    return "".join(parts) + (f">{inner}</{tag}>" if inner else "/>")


def text(words):
    """Escaped character data."""
    return escape(str(words))


def titled(tag, attributes, title, *children):
    """An element whose first child is a <title>: its tooltip and accessible name."""
    return element(tag, attributes, element("title", None, text(title)), *children)


def document(view_width, view_height, prefix, title, description, *children):
    """The root <svg role="img"> labelled by its own <title> and <desc>."""
    return element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {view_width} {view_height}",
            "role": "img",
            "aria-labelledby": f"{prefix}-title {prefix}-desc",
            "font-family": "sans-serif",
        },
        element("title", {"id": f"{prefix}-title"}, text(title)),
        element("desc", {"id": f"{prefix}-desc"}, text(description)),
        *children,
    )
