"""gunicorn's settings for Streha, read from the working directory (`gunicorn wsgi:app`)."""

import gc


def post_worker_init(worker):
    """Each worker reads the network into its cache before its first request, then freezes
    what it holds (wsgi.py says why): the garbage collector's full collections no longer walk
    the network's ready objects (about 700,000 at 2,500 shelters)."""
    from placement.services import network_cache

    network_cache.warm(worker.wsgi)
    gc.freeze()
