"""`make run`: the web server (gunicorn), the scheduler and the optimizer run worker, side by
side, stopped together."""

import argparse
import os
import signal
import subprocess
import sys
import time


def _commands(address):
    bin_dir = os.path.dirname(sys.executable)
    web = [os.path.join(bin_dir, "gunicorn"), "--workers", "2", "--bind", address, "wsgi:app"]
    # Its own process: one scheduler however many web workers (SPEC section 8).
    scheduler = [os.path.join(bin_dir, "flask"), "--app", "wsgi", "scheduler", "run"]
    # Optimizer runs are solved here, never in a web worker (placement/worker.py).
    worker = [os.path.join(bin_dir, "flask"), "--app", "wsgi", "worker", "run"]
    return {"web server": web, "scheduler": scheduler, "run worker": worker}


def _stop(children):
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    for name, child in children.items():
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            sys.stderr.write(f"{name} did not stop in 15 s; killing it\n")
            child.kill()
            child.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    args = parser.parse_args()
    address = f"{args.host}:{args.port}"
    sys.stdout.write(f"Streha: sign in at http://{address}/login\n")
    sys.stdout.write(f"  API: http://{address}/api/v1/  (docs: http://{address}/api/v1/docs)\n")
    sys.stdout.write("the scheduler and the optimizer run worker run beside it; Ctrl-C stops all\n")
    sys.stdout.flush()

    stopping = []

    def on_signal(signum, _frame):
        stopping.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    children = {name: subprocess.Popen(command) for name, command in _commands(address).items()}
    try:
        # Wait until a signal arrives or either child ends; then stop the other as well.
        while not stopping and all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
    finally:
        _stop(children)
    ended = [name for name, child in children.items() if child.returncode not in (0, None)]
    if not stopping and ended:
        sys.stderr.write(f"{', '.join(ended)} stopped unexpectedly\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
