"""An optimizer run's search pauses while anything else on the machine needs the CPU.

The search already runs in a thread of the SCHED_IDLE class (services/runs.py), so the kernel
gives a web worker the CPU the moment it wakes. That is not enough where the CPUs share a core
or its caches with each other (a virtual machine's CPUs usually do): on the 2-CPU machine of
`make bench`, one CPU-bound SCHED_IDLE thread beside the API (4 clients, 2 web workers) raised
the API's p50 by 45 % and its p95 by 75 %, alternated 8-second windows, three rounds. A
scheduling class cannot fix that: the search must not run at the same time.

So the worker that waits for a run's child process watches the machine: every WINDOW_S it reads
how much CPU time everything but the child and the worker itself took (the kernel's tick
accounting, /proc/stat against /proc/<pid>/stat: the same ticks on both sides). While that is
BUSY_TICKS or more and the child is searching (it has a SCHED_IDLE thread, and the deadline it
announced is not past), the child is stopped (SIGSTOP); after a quiet window it continues
(SIGCONT). In bench.runs (1,000 requests, 300 shelters, the API probed throughout) the API's
p95 while a run solved went from +54 % to +9 % (two runs before, three after); the price is
the search: under that constant load it ran in the gaps only, and the run answered at its
limit, status feasible, where it proves the optimum in 6 to 8 s when it may share the CPU.
BUSY_TICKS does not grow with the number of CPUs: on a large machine the search yields sooner
than it must.

Only the search is ever paused. It holds no transaction (the run commits before it searches)
and its limit is wall-clock, so a busy machine costs the run search, never time or locks: under
constant load a run answers with what it found in the gaps, the greedy answer at the least. The
child is never left stopped: the worker continues it before it returns, and a child whose worker
dies is continued by the kernel (PR_SET_PDEATHSIG with SIGCONT, `continue_if_orphaned`: the
child's parent is the worker's fork server, which exits when the worker does); a child where
the kernel refused that is never paused.
"""

import contextlib
import ctypes
import ctypes.util
import os
import signal
import time

WINDOW_S = 0.05
# Others' CPU in one window, in clock ticks (10 ms each), from which the search pauses: two, so
# that a tick counted to the wrong side at the window's edge never pauses it on its own.
BUSY_TICKS = 2
SCHED_IDLE_POLICY = 5  # Linux's number for SCHED_IDLE in /proc/<pid>/task/<tid>/stat
PR_SET_PDEATHSIG = 1


def _process_ticks(pid):
    """utime + stime of a process, all its threads (dead ones included), in clock ticks."""
    fields = _stat_fields(f"/proc/{pid}/stat")
    return 0 if fields is None else int(fields[11]) + int(fields[12])


def _stat_fields(path):
    """The fields of a /proc stat file after the command name (field 3 first), or None."""
    try:
        with open(path) as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _machine_busy_ticks():
    """Every CPU's busy time so far: user, nice, system, irq and softirq (not steal: time the
    host gave another machine is no work of this one's)."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    return sum(values[i] for i in (0, 1, 2, 5, 6))


def _threads(pid):
    """(state, scheduling policy) of each thread of the process."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except (FileNotFoundError, ProcessLookupError):
        return []
    found = []
    for tid in tids:
        fields = _stat_fields(f"/proc/{pid}/task/{tid}/stat")
        if fields is not None:
            found.append((fields[0], int(fields[38])))
    return found


def searching(pid):
    """Whether the process has a live thread of the SCHED_IDLE class: a run's search."""
    return any(state not in "ZX" and policy == SCHED_IDLE_POLICY
               for state, policy in _threads(pid))


class OthersBusy:
    """Called once a window: whether the rest of the machine took BUSY_TICKS or more since the
    last call, the process `pid` and this one left out."""

    def __init__(self, pid):
        self.pid = pid
        self.last = self._others()

    def _others(self):
        return _machine_busy_ticks() - _process_ticks(self.pid) - _process_ticks(os.getpid())

    def __call__(self):
        now = self._others()
        busy, self.last = now - self.last >= BUSY_TICKS, now
        return busy


def govern(process, search_until, until, others_busy=None, window=WINDOW_S):
    """Wait for `process` (a started multiprocessing Process) to end, or until the monotonic
    time `until`; keep it stopped while it searches and `others_busy()` (OthersBusy by default)
    says the machine is wanted, up to the search's deadline, `search_until.value` as the child
    announced it (`announce`; past it the search must run to see that its time is up). Returns
    the seconds it spent stopped; never leaves it stopped."""
    if others_busy is None and not os.path.exists("/proc/stat"):  # not Linux: no watching
        process.join(max(0.0, until - time.monotonic()))
        return 0.0
    busy = others_busy or OthersBusy(process.pid)
    stopped, paused = False, 0.0
    try:
        while process.is_alive() and time.monotonic() < until:
            process.join(window)
            if not process.is_alive():
                break
            pause = (busy() and time.monotonic() < search_until.value
                     and searching(process.pid))
            if pause and not stopped:
                stopped = _stop_while_searching(process.pid, search_until)
            elif stopped and not pause:
                _continue(process.pid)
                stopped = False
            paused += window if stopped else 0.0
    finally:
        if stopped:
            _continue(process.pid)
    return paused


def watched_by(search_until):
    """In a run's child: where to announce the search's deadline to the worker (a shared
    double, `multiprocessing.Value("d")`)."""
    _ANNOUNCED["until"] = search_until


def announce(deadline):
    """The search starts and stops at `deadline` (time.monotonic), or (0.0) it has ended; told
    to the worker that watches this process, if one does."""
    found = _ANNOUNCED.get("until")
    if found is not None:
        found.value = deadline


_ANNOUNCED = {}


def _stop_while_searching(pid, search_until):
    """Stop the process; if its search ended before every thread stopped (it may have gone on
    to store its answer, which holds locks), continue it at once. Whether it stays stopped.

    The search's end is read from `search_until`, which its thread sets to 0 before it returns
    (`announce(0.0)`), so before the run can go past waiting for it; a thread's presence alone
    does not say it: the thread may still be listed for a while after it has returned."""
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:  # it ended since it was last seen: nothing to stop
        return False
    deadline = time.monotonic() + 1.0
    while any(state not in "TtZX" for state, _ in _threads(pid)):
        if time.monotonic() >= deadline:  # not all stopped: never keep it half stopped
            _continue(pid)
            return False
        time.sleep(0.001)
    if time.monotonic() < search_until.value and searching(pid):
        return True
    _continue(pid)
    return False


def _continue(pid):
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGCONT)


def continue_if_orphaned():
    """In a run's child: should its parent die while the child is stopped, the kernel sends it
    SIGCONT, so that it finishes its run instead of staying stopped for good (Linux only).
    The parent of a worker's child is the worker's fork server, which exits when the worker
    does. Whether the kernel took the request: a child without it must never be paused."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGCONT), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
