"""Run the phases of ``make test`` in concurrent lanes and report each one whole, with its time.

Usage (the Makefile's ``test`` target)::

    python tools/run_phases.py --make make "nbval-alt" "nbval-native pytest" "bookcheck browser"

Each argument is a *lane*: its phases (Makefile targets) run one after the other, and the lanes run
at the same time.  A phase's output (stdout and stderr) is held until the phase ends and then
printed in one block under its name, so two phases never interleave.  A failed phase does not stop
the others -- every phase runs and reports -- except a phase listed in ``NEEDS`` whose prerequisite
failed (the browser test reads the HTML that ``bookcheck`` builds), which is skipped, saying why.
The run ends with a table of every phase's status and wall time, and exits 1 naming the failed
phases if any failed.

Standard library only: it runs under the project's ``.venv`` python before or after anything else.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

# phase -> the phase that must have passed before it starts (it runs in the same lane, after it)
NEEDS = {"browser": "bookcheck"}


def _fmt(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class Runner:
    def __init__(self, make: str, lanes: list[list[str]]):
        self.make = make
        self.lanes = lanes
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.results: dict[str, dict] = {}
        self.procs: set[subprocess.Popen] = set()

    def _say(self, text: str) -> None:
        with self.lock:
            sys.stdout.write(text)
            sys.stdout.flush()

    def _run_phase(self, lane: int, phase: str) -> int:
        start = time.monotonic() - self.t0
        self._say(f"[{_fmt(start)}] lane {lane}: {phase} started\n")
        with tempfile.TemporaryFile(mode="w+b") as log:
            cmd = [self.make, "--no-print-directory", phase]
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
            with self.lock:
                self.procs.add(proc)
            rc = proc.wait()
            with self.lock:
                self.procs.discard(proc)
            end = time.monotonic() - self.t0
            log.seek(0)
            out = log.read().decode("utf-8", "replace")
        status = "passed" if rc == 0 else f"FAILED (exit {rc})"
        bar = "=" * 8
        self._say(f"{bar} {phase}: {status} in {_fmt(end - start)} (lane {lane}, {_fmt(start)} to {_fmt(end)}) {bar}\n"
                  f"{out}{'' if out.endswith(chr(10)) or not out else chr(10)}"
                  f"{bar} end of {phase} {bar}\n")
        self.results[phase] = dict(rc=rc, start=start, end=end, lane=lane)
        return rc

    def _lane(self, lane: int, phases: list[str]) -> None:
        for phase in phases:
            need = NEEDS.get(phase)
            if need and need in self.results and self.results[need]["rc"] != 0:
                now = time.monotonic() - self.t0
                self.results[phase] = dict(rc=None, start=now, end=now, lane=lane, why=f"{need} failed")
                self._say(f"[{_fmt(now)}] lane {lane}: {phase} SKIPPED: it needs {need}, which failed\n")
                continue
            self._run_phase(lane, phase)

    def run(self) -> int:
        threads = [threading.Thread(target=self._lane, args=(i + 1, lane), daemon=True)
                   for i, lane in enumerate(self.lanes)]
        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):
                for t in threads:
                    t.join(timeout=0.5)
        except KeyboardInterrupt:
            with self.lock:
                for proc in self.procs:
                    try:
                        os.killpg(proc.pid, signal.SIGTERM)
                    except ProcessLookupError:
                        pass
            self._say("make test interrupted: the running phases were stopped.\n")
            return 130
        return self._summary()

    def _summary(self) -> int:
        wall = time.monotonic() - self.t0
        order = [p for lane in self.lanes for p in lane]
        width = max(len(p) for p in order)
        lines = [f"\nmake test phases ({len(self.lanes)} lanes at once, wall {_fmt(wall)}; "
                 f"load average now {os.getloadavg()[0]:.2f}):"]
        failed, skipped = [], []
        for p in order:
            r = self.results.get(p)
            if r is None or r["rc"] is None:
                why = r["why"] if r else "not reached"
                lines.append(f"  {p:<{width}}  SKIPPED ({why})")
                skipped.append(p)
                continue
            if r["rc"] != 0:
                failed.append(p)
            status = "passed" if r["rc"] == 0 else f"FAILED (exit {r['rc']})"
            lines.append(f"  {p:<{width}}  {status:<16} {_fmt(r['end'] - r['start']):>12}   "
                         f"lane {r['lane']}, {_fmt(r['start'])} to {_fmt(r['end'])}")
        if failed or skipped:
            lines.append(f"make test FAILED in phase(s): {', '.join(failed) or '-'}"
                         + (f"; not run: {', '.join(skipped)}" if skipped else "")
                         + f". Each phase's output is above, between its '{'=' * 8} <phase>' lines; "
                         "re-run one alone with `make <phase>`.")
        else:
            lines.append("make test: every phase passed.")
        self._say("\n".join(lines) + "\n")
        return 1 if failed or skipped else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--make", default=os.environ.get("MAKE", "make"), help="the make program (the Makefile passes $(MAKE))")
    ap.add_argument("lanes", nargs="+", help='a lane: phases run in order, e.g. "nbval-native bookcheck browser"')
    args = ap.parse_args(argv)
    lanes = [lane.split() for lane in args.lanes]
    phases = [p for lane in lanes for p in lane]
    if not all(lanes) or len(set(phases)) != len(phases):
        ap.error("every lane needs at least one phase, and a phase may appear only once")
    for phase, need in NEEDS.items():
        if phase in phases and need in phases:
            lane_of = {p: i for i, lane in enumerate(lanes) for p in lane}
            if lane_of[phase] != lane_of[need] or lanes[lane_of[phase]].index(need) > lanes[lane_of[phase]].index(phase):
                ap.error(f"{phase} reads what {need} builds: put it after {need} in the same lane")
    return Runner(args.make, lanes).run()


if __name__ == "__main__":
    sys.exit(main())
