"""gunicorn's settings for Streha, read from the working directory (`gunicorn wsgi:app`)."""


def post_worker_init(worker):
    """Each worker reads the network into its cache before its first request."""
    from placement.services import network_cache

    network_cache.warm(worker.wsgi)
