"""`make run`: serve the app with gunicorn on one address, and print where."""

import argparse
import os
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    args = parser.parse_args()
    address = f"{args.host}:{args.port}"
    sys.stdout.write(f"Streha on http://{address}/  (API docs: http://{address}/api/v1/docs)\n")
    sys.stdout.flush()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    os.execv(gunicorn, [gunicorn, "--workers", "2", "--bind", address, "wsgi:app"])


if __name__ == "__main__":
    main()
