"""`python -m optimizer solve --time-limit S`: the limit covers the whole command, reading the
file included, and wall_time_s reports the whole. An injected clock stands in for a slow read."""

import json
import time

import optimizer.__main__ as command
from optimizer.generate import generate


class SlowReading:
    """time.monotonic, plus `extra` seconds once the instance file has been read."""

    def __init__(self):
        self.extra = 0.0

    def __call__(self):
        return time.monotonic() + self.extra


def _solve(tmp_path, monkeypatch, capsys, read_takes):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(generate(30, 40, seed=3)))
    clock, real_load = SlowReading(), command.load_instance

    def load_instance(file):
        instance = real_load(file)
        clock.extra += read_takes
        return instance

    monkeypatch.setattr(command, "load_instance", load_instance)
    assert command.main(["solve", str(path), "--time-limit", "10"], clock=clock) == 0
    return json.loads(capsys.readouterr().out)


def test_wall_time_includes_reading_the_file(tmp_path, monkeypatch, capsys):
    solution = _solve(tmp_path, monkeypatch, capsys, read_takes=100.0)
    assert solution["wall_time_s"] >= 100.0


def test_a_read_that_used_up_the_limit_leaves_no_time_to_search(tmp_path, monkeypatch, capsys):
    quick = _solve(tmp_path, monkeypatch, capsys, read_takes=0.0)
    late = _solve(tmp_path, monkeypatch, capsys, read_takes=100.0)
    # With the limit spent on reading, the answer is the greedy one, valid but not proven.
    assert late["status"] == "feasible"
    assert quick["status"] == "optimal"
