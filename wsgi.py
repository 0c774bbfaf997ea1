"""WSGI entry point: gunicorn wsgi:app, flask --app wsgi."""

from placement import create_app

app = create_app()
