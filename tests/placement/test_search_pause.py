"""A run's search pauses while the machine is wanted: stopped only while it searches and others
are busy, continued as soon as they are not, past its time limit, or when the watching ends."""

import multiprocessing
import os
import signal
import threading
import time

import pytest

from placement import search_pause

pytestmark = pytest.mark.skipif(not (hasattr(os, "SCHED_IDLE") and os.path.exists("/proc/stat")),
                                reason="Linux's SCHED_IDLE and /proc")
CONTEXT = multiprocessing.get_context("fork")
PATIENCE_S = 10


def _spin(counter, done, idle_class):
    """A run's child, in small: a thread (of the SCHED_IDLE class, as a search is) counts."""
    def search():
        if idle_class:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        while not done.is_set():
            counter.value += 1

    thread = threading.Thread(target=search)
    thread.start()
    thread.join()


def _child(idle_class=True):
    # No lock: a child stopped while holding one would stop the test's reads too.
    counter, done = CONTEXT.Value("q", 0, lock=False), CONTEXT.Event()
    process = CONTEXT.Process(target=_spin, args=(counter, done, idle_class))
    process.start()
    _wait_for(lambda: counter.value > 0)
    return process, counter, done


def _wait_for(condition):
    deadline = time.monotonic() + PATIENCE_S
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.005)


def _stopped(pid):
    return all(state in "Tt" for state, _policy in search_pause._threads(pid))


def _counts_on(counter):
    before = counter.value
    _wait_for(lambda: counter.value > before)
    return True


class _Switch:
    def __init__(self, on):
        self.on = on

    def __call__(self):
        return self.on


def _govern_in_background(process, busy, pause_for=60.0, watch_for=60.0):
    found = {}
    now = time.monotonic()
    search_until = CONTEXT.Value("d", now + pause_for, lock=False)  # as the child announces
    thread = threading.Thread(target=lambda: found.update(paused=search_pause.govern(
        process, search_until, now + watch_for, others_busy=busy, window=0.01)))
    thread.start()
    return thread, found


def _end(process, done, thread):
    done.set()
    thread.join(PATIENCE_S)
    process.join(PATIENCE_S)
    assert not thread.is_alive() and process.exitcode == 0


def test_a_search_stops_while_others_are_busy_and_goes_on_when_they_are_not():
    process, counter, done = _child()
    busy = _Switch(True)
    thread, found = _govern_in_background(process, busy)
    _wait_for(lambda: _stopped(process.pid))
    held = counter.value
    time.sleep(0.1)
    assert counter.value == held  # stopped: not one step while the machine is wanted
    busy.on = False
    assert _counts_on(counter)
    assert not _stopped(process.pid)
    _end(process, done, thread)
    assert found["paused"] > 0


def test_a_process_that_is_not_searching_is_never_stopped():
    """Building the instance and storing the answer (which holds locks) run on."""
    process, counter, done = _child(idle_class=False)
    thread, _found = _govern_in_background(process, _Switch(True))
    for _ in range(20):
        time.sleep(0.01)
        assert not _stopped(process.pid)
    assert _counts_on(counter)
    _end(process, done, thread)


def test_past_its_time_limit_a_search_runs_on_to_see_that_its_time_is_up():
    process, counter, done = _child()
    thread, found = _govern_in_background(process, _Switch(True), pause_for=0.0)
    for _ in range(20):
        time.sleep(0.01)
        assert not _stopped(process.pid)
    assert _counts_on(counter)
    _end(process, done, thread)
    assert found["paused"] == 0


def test_the_watch_never_ends_with_the_search_stopped():
    process, counter, done = _child()
    thread, found = _govern_in_background(process, _Switch(True), watch_for=2.0)
    _wait_for(lambda: _stopped(process.pid))
    thread.join(PATIENCE_S)
    assert found["paused"] > 0
    assert not _stopped(process.pid) and _counts_on(counter)
    done.set()
    process.join(PATIENCE_S)


def _orphan(pid_out, counter):
    """A worker whose run child (continue_if_orphaned) outlives it."""
    def child():
        search_pause.continue_if_orphaned()
        while True:
            counter.value += 1

    process = CONTEXT.Process(target=child, daemon=False)
    process.start()
    pid_out.value = process.pid
    signal.pause()  # until the test kills this worker


def test_a_stopped_search_whose_worker_dies_goes_on():
    pid, counter = CONTEXT.Value("q", 0, lock=False), CONTEXT.Value("q", 0, lock=False)
    worker = CONTEXT.Process(target=_orphan, args=(pid, counter))
    worker.start()
    _wait_for(lambda: pid.value and counter.value > 0)
    os.kill(pid.value, signal.SIGSTOP)
    _wait_for(lambda: _stopped(pid.value))
    try:
        worker.kill()  # the worker dies with its run child stopped
        # (not join: the child holds the worker's sentinel pipe open, as a fork does)
        _wait_for(lambda: not worker.is_alive())
        assert _counts_on(counter)  # the kernel continued it
    finally:
        os.kill(pid.value, signal.SIGKILL)


def test_others_busy_counts_what_the_rest_of_the_machine_takes():
    process, _counter, done = _child()
    try:
        busy = search_pause.OthersBusy(process.pid)
        burner = CONTEXT.Process(target=_burn, args=(0.3,))
        burner.start()
        burner.join(PATIENCE_S)
        assert busy()  # 0.3 s of another process's CPU: 30 ticks, far past BUSY_TICKS
    finally:
        done.set()
        process.join(PATIENCE_S)


def _burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_run_s_child_tells_its_worker_when_its_search_must_stop():
    from placement.services import runs

    search_until = CONTEXT.Value("d", 0.0, lock=False)
    search_pause.watched_by(search_until)
    try:
        seen = runs._at_lowest_priority(lambda: search_until.value, 1234.5)
    finally:
        search_pause.watched_by(None)
    assert seen == 1234.5  # while it searched
    assert search_until.value == 0.0  # and once it ended


def _search_then_store(search_until, searching_done, stored):
    """A run's child in small: the real search runner (a SCHED_IDLE thread that announces its
    deadline and its end), then the storing, which counts."""
    from placement.services import runs

    def search():  # no lock shared with the test: a process stopped holding one stops it too
        while not searching_done.value:
            pass

    def linger():  # as the search's thread may: still listed a while after it returned
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        time.sleep(3600)

    threading.Thread(target=linger, daemon=True).start()
    search_pause.watched_by(search_until)
    runs._at_lowest_priority(search, time.monotonic() + 60)
    while True:
        stored.value += 1


def test_a_search_that_ends_before_its_deadline_is_not_stopped_after_it_ends():
    """The machine stays busy; the search ends early: what follows it (storing, which holds
    locks) goes on, though the search's thread may be listed for a while after it returned."""
    search_until, stored = CONTEXT.Value("d", 0.0, lock=False), CONTEXT.Value("q", 0, lock=False)
    searching_done = CONTEXT.Value("b", 0, lock=False)
    process = CONTEXT.Process(target=_search_then_store,
                              args=(search_until, searching_done, stored))
    process.start()
    busy = _Switch(True)
    thread = threading.Thread(target=lambda: search_pause.govern(
        process, search_until, time.monotonic() + 60, others_busy=busy, window=0.01))
    try:
        _wait_for(lambda: search_until.value > 0)
        thread.start()
        _wait_for(lambda: _stopped(process.pid))  # searching, the machine busy: stopped
        searching_done.value = 1  # the search ends as soon as it runs again
        busy.on = False
        _wait_for(lambda: stored.value > 0)
        busy.on = True
        for _ in range(50):  # busy again, and it is never stopped again
            time.sleep(0.01)
            assert not _stopped(process.pid)
        assert search_until.value == 0.0
    finally:
        process.kill()
        thread.join(PATIENCE_S)
