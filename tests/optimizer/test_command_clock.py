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


def test_wall_time_includes_writing_the_answer(tmp_path, monkeypatch, capsys):
    # wall_time_s is read once everything before it is written: a slow write shows in it.
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(generate(20, 60, seed=5)))
    clock, real_dumps = SlowReading(), json.dumps

    def slow_dumps(value, **options):
        if isinstance(value, dict) and "excluded" in value:
            clock.extra += 10.0  # each unplaced request's text takes "ten seconds"
        return real_dumps(value, **options)

    monkeypatch.setattr("optimizer.io.json.dumps", slow_dumps)
    assert command.main(["solve", str(path), "--time-limit", "10"], clock=clock) == 0
    solution = json.loads(capsys.readouterr().out)
    assert solution["unassigned"]
    assert solution["wall_time_s"] >= 10.0 * len(solution["unassigned"])


def test_the_search_keeps_back_the_time_the_answer_takes_to_write():
    from optimizer.io import instance_from_dict
    from optimizer.solve import _finish_reserve

    instance = instance_from_dict(generate(20, 10, seed=5))
    plain = _finish_reserve(instance, 10.0)
    assert _finish_reserve(instance, 10.0, writing_s=2.0) == plain + 2.0
    assert _finish_reserve(instance, 10.0, writing_s=60.0) == 5.0  # half the limit at most


def test_a_start_time_the_clocks_disagree_on_is_not_believed(monkeypatch):
    # A process "started" a day ago (clocks that disagree) would leave no time to search.
    monkeypatch.setattr(command.time, "clock_gettime", lambda _clock: 10.0**9)
    before = time.monotonic()
    assert command._process_started() >= before
