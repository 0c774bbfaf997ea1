"""WSGI entry point: gunicorn wsgi:app, flask --app wsgi."""

import gc

from placement import create_app

app = create_app()

# The garbage collector, tuned for a long-lived worker with a large heap. With CPython's default
# thresholds (700, 10, 10) a young collection runs every 700 allocations and, every hundred or so,
# a full one walks every object the process holds: at 2,500 shelters that is the 700,000 of the
# network's ready optimizer objects, 190 ms a time, and proposals paid 42 % of their CPU for it
# (8 full collections in 32 calls). Young collections every 50,000 allocations make full ones
# rare (one in 32 calls) at the same memory; the app's own import-time objects (180,000) are
# frozen, never walked again.
gc.freeze()
gc.set_threshold(50_000, 10, 10)
