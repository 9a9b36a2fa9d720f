#!/usr/bin/env python3
"""Runs every command README.md names that can run here, and fails on any it does not know.

usage: check_readme_commands.py BUILD_DIR SOURCE_DIR

The commands are read from README.md itself: code blocks and inline code whose first word is
refbench, one of its programs or scripts, a refbench command followed by options
(`sweep --pairs all --budget 60s`), or a peer tool the README tells users to run. Each must
have an entry in HOW below saying how it runs here, and each entry must still be in the
README: a command added to the README without a way to check it fails this test, and so
does an entry whose command left it.

How they run here: commands that measure run for real, cut short (one repetition of 20 ms,
no counters) where the README's own figures took minutes; commands whose point is their plan
(a budget of 10 minutes, 16,384 PUs) run as dry runs, which plan in full and check every
option; placeholders (`--cores C`) run with each value the README gives. Commands that
cannot run inside a test (the test command itself, the set-up that installs packages) are
listed with the reason, never silently passed over.
"""
import csv
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BUILD = Path(sys.argv[1]).resolve()
SOURCE = Path(sys.argv[2]).resolve()
REFBENCH = str(BUILD / "refbench")
SUBCOMMANDS = ("run", "sweep", "stress", "topology", "compare", "plot", "merge", "events")
PROGRAMS = ("refbench", "build/release/refbench", "refbench_micro", "refbench_channel_bench",
            "./scripts/quickstart", "./scripts/test", "scripts/test", "lstopo", "likwid-pin",
            "ctest")
# A short point: one repetition of 20 ms, no counters (this VM has no hardware PMU).
SHORT = ["--repetitions", "1", "--seconds", "0.02", "--counters", "none"]
SMALL_SWEEP = ["--strategy", "immortal,atomic", "--workload", "stream"]


def readme_commands(text):
    """Commands in README.md, whitespace collapsed, in order, each once."""
    found = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        for line in block.splitlines():
            found.append(line.strip())
    prose = re.sub(r"```[a-z]*\n.*?```", "", text, flags=re.S)
    found += [m.group(1) for m in re.finditer(r"`([^`]+)`", prose)]
    commands = []
    for candidate in found:
        command = " ".join(candidate.split())
        words = command.split()
        if not words:
            continue
        is_program = words[0] in PROGRAMS
        is_subcommand = words[0] in SUBCOMMANDS and len(words) > 1 and words[1].startswith("--")
        if (is_program or is_subcommand) and command not in commands:
            commands.append(command)
    return commands


def refbench(*args):
    return [REFBENCH, *args]


def as_argv(command):
    """A README command as refbench argv: `refbench ...`, `build/release/refbench ...` or a
    bare subcommand (`sweep --resume`)."""
    words = shlex.split(command)
    if words[0] in ("refbench", "build/release/refbench"):
        words = words[1:]
    return refbench(*words)


def newest(pattern):
    files = sorted(Path("results").glob(pattern))
    return str(files[-1]) if files else None


# README text -> list of (argv or callable giving argv, allowed exit statuses, note).
# A callable runs after the steps before it, in the same scratch folder, so it can name the
# files they wrote. A string instead of steps is the reason it cannot run inside a test.
def measured(command, *extra):
    return [(as_argv(command) + list(extra) + SHORT, {0}, "cut short")]


def dry(command):
    return [(as_argv(command) + ["--dry-run"], {0}, "dry run: plans in full")]


def with_views(cores, owner):
    return (refbench("run", "--strategy", "civ,civ-deferred", "--workload", "stream,pingpong",
                     "--cores", cores, "--teardown", "end", "--view-owner", owner,
                     "--seconds", "0.02", "--repetitions", "1", "--counters", "none"),
            {0}, f"C={cores} O={owner}, cut short")


def tool(name, *args, why):
    """A peer tool the README names: run where it is installed (scripts/setup installs it)."""
    def step():
        if shutil.which(name) is None:
            raise Skip(f"{name} is not installed here ({why})")
        return [name, *args]
    return step


class Skip(Exception):
    pass


class Check:
    """A step that reads what the steps before it wrote: `holds(read())` must be true."""

    def __init__(self, read, holds):
        self.read = read
        self.holds = holds


def column_by_strategy(path, column):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    by_strategy = {}
    for row in rows:
        by_strategy.setdefault(row["strategy"], []).append(int(row[column]))
    return by_strategy


HOW = {
    "./scripts/quickstart":
        "installs packages, builds and runs the default run: CI's set-up runs its parts "
        "(scripts/setup, scripts/build) and `refbench run --plot` is run below",
    "./scripts/test": "the test command itself",
    "scripts/test": "the test command itself",
    "ctest -L distributed": "a suite of this test command (distributed.parallel, "
                            "distributed.slurm)",
    "ctest -L readme": "this test",
    "refbench": [(refbench(), {0}, "usage")],
    "refbench run": [(refbench("run") + SHORT, {0}, "the default run, cut short")],
    "refbench run --plot": [(refbench("run", "--plot") + SHORT, {0}, "cut short")],
    "refbench plot": [(refbench("run") + SHORT, {0}, "a CSV to plot"),
                      (lambda: refbench("plot", newest("refbench-*[0-9].csv")), {0}, "its plots")],
    "refbench compare": [
        (refbench("run", "--strategy", "immortal,atomic", "--out", "a.csv") + SHORT, {0}, ""),
        (refbench("run", "--strategy", "immortal,atomic", "--out", "b.csv") + SHORT, {0}, ""),
        (refbench("compare", "a.csv", "b.csv"), {0}, "two runs compared")],
    "refbench merge": [
        (refbench("sweep", *SMALL_SWEEP, "--shard", "1/2", "--out", "s1.csv") + SHORT, {0}, ""),
        (refbench("sweep", *SMALL_SWEEP, "--shard", "2/2", "--out", "s2.csv") + SHORT, {0}, ""),
        (refbench("merge", "s1.csv", "s2.csv", "--out", "merged.csv"), {0}, "shards merged")],
    "refbench stress": [(refbench("stress", "--points", "3", "--seed", "1"), {0}, "3 points")],
    "refbench run --strategy all --workload stream,pingpong --cores 0,1 --verify --isolation "
    "process": measured("refbench run --strategy all --workload stream,pingpong --cores 0,1 "
                        "--verify --isolation process"),
    "refbench run --strategy all --workload stream,pingpong --cores 0,1 --isolation "
    "thread,process": measured("refbench run --strategy all --workload stream,pingpong "
                               "--cores 0,1 --isolation thread,process"),
    "stress --isolation thread,process": [
        (refbench("stress", "--isolation", "thread,process", "--points", "4", "--seed", "1"),
         {0}, "4 points, each drawn as threads or processes")],
    "refbench compare threads.csv processes.csv": [
        (refbench("run", "--strategy", "immortal,atomic", "--cores", "0,1", "--out",
                  "threads.csv") + SHORT, {0}, ""),
        (refbench("run", "--strategy", "immortal,atomic", "--cores", "0,1", "--isolation",
                  "process", "--out", "processes.csv") + SHORT, {0}, ""),
        (refbench("compare", "threads.csv", "processes.csv"), {0}, "process over thread")],
    "refbench topology": [(refbench("topology"), {0}, "")],
    "refbench events": [(refbench("events"), {0}, "")],
    "sweep --resume": [
        (refbench("sweep", *SMALL_SWEEP, "--out", "r.csv") + SHORT, {0}, "a finished sweep"),
        (refbench("sweep", *SMALL_SWEEP, "--resume", "r.csv") + SHORT, {0},
         "resumed: nothing left to do")],
    "refbench run --strategy atomic,civ,immortal --workload stream,pingpong --cores 0,1":
        measured("refbench run --strategy atomic,civ,immortal --workload stream,pingpong "
                 "--cores 0,1"),
    # The README shows it refused (exit 2) naming the memory its channels would take.
    "refbench run --channel-capacity 1073741824":
        [(refbench("run", "--channel-capacity", "1073741824"), {2}, "refused, as the README says")],
    "sweep --topology 'synthetic:pack:16 numa:4 l3:4 core:16 pu:4' --pairs all --dry-run":
        [(as_argv("sweep --topology 'synthetic:pack:16 numa:4 l3:4 core:16 pu:4' --pairs all "
                  "--dry-run"), {0}, "as written")],
    # A dry run: the budget may be refused on a busy machine (the README says so), exit 2.
    "sweep --topology 'synthetic:pack:1 core:16 pu:1' --pairs all --budget 10m --dry-run":
        [(as_argv("sweep --topology 'synthetic:pack:1 core:16 pu:1' --pairs all --budget 10m "
                  "--dry-run"), {0, 2}, "as written; refused with what fits on a busy machine")],
    "sweep --pairs all --budget 60s": dry("sweep --pairs all --budget 60s"),
    "refbench_micro": [(lambda: [str(BUILD / "refbench_micro"),
                                 "--benchmark_list_tests"], {0}, "lists its benchmarks")],
    "refbench_channel_bench": [(lambda: [str(BUILD / "refbench_channel_bench"),
                                         "--benchmark_list_tests"], {0}, "lists its benchmarks")],
    "lstopo --input FILE.topology.xml": [
        (refbench("run", "--strategy", "immortal", "--workload", "stream") + SHORT, {0}, ""),
        (tool("lstopo", "--of", "console", "--input", "FILE", why="Debian hwloc"), {0},
         "FILE = the run's topology")],
    "likwid-pin -p": [(tool("likwid-pin", "-p", why="Debian likwid"), {0}, "")],
    "run --interpreters 4 --placement scatter":
        [(as_argv("run --interpreters 4 --placement scatter --topology "
                  "'synthetic:pack:2 core:2 pu:1' --dry-run"), {0},
          "4 PUs: planned on a 4-core synthetic machine (this VM has 2)")],
    # The README: civ-deferred drops releases (violations: exit 1), civ drops none.
    "refbench run --strategy civ,civ-deferred --workload fanout --cores 0,1,0 --messages 1e5 "
    "--verify": [(as_argv("refbench run --strategy civ,civ-deferred --workload fanout --cores "
                          "0,1,0 --messages 1e5 --verify --repetitions 1 --counters none "
                          "--out f.csv"), {1}, "one repetition"),
                 (Check(lambda: column_by_strategy("f.csv", "dropped_releases"),
                        lambda d: d["civ"] == [0] and d["civ-deferred"][0] > 0),
                  None, "dropped_releases: civ 0, civ-deferred more")],
    # The README says the id view exits 1 here (orphaned releases are violations).
    "refbench run --strategy civ,civ-deferred --view-owner id --teardown early --verify":
        [(as_argv("refbench run --strategy civ,civ-deferred --view-owner id --teardown early "
                  "--verify") + SHORT, {1}, "exits 1, as the README says")],
    "build/release/refbench run --strategy civ,civ-deferred --workload stream,pingpong --cores C "
    "--teardown end --view-owner O --repetitions 1":
        [with_views(cores, owner) for cores in ("0,0", "0,1") for owner in ("id", "strong")],
}


def substitute(argv):
    """FILE: the topology a run wrote."""
    if "FILE" in argv:
        topology = newest("*.topology.xml")
        argv = [topology if a == "FILE" else a for a in argv]
    return argv


def run_entry(command, steps):
    """Runs one README command's steps in a scratch folder; returns failures as text."""
    if isinstance(steps, str):
        print(f"not run: {command}: {steps}")
        return []
    failures = []
    with tempfile.TemporaryDirectory(prefix="readme-") as scratch:
        cwd = os.getcwd()
        os.chdir(scratch)
        try:
            for step, allowed, note in steps:
                if isinstance(step, Check):
                    seen = step.read()
                    print(f"check: {note}: {seen}")
                    if not step.holds(seen):
                        failures.append(f"{command}\n  check failed: {note}: {seen}")
                    continue
                try:
                    argv = substitute(step() if callable(step) else step)
                except Skip as skip:
                    print(f"skipped: {command}: {skip}")
                    return []
                done = subprocess.run(argv, capture_output=True, text=True, timeout=600)
                shown = " ".join(shlex.quote(a) for a in argv).replace(str(BUILD) + "/", "")
                print(f"exit {done.returncode}: {shown}" + (f"  ({note})" if note else ""))
                if done.returncode not in allowed:
                    failures.append(f"{command}\n  ran: {shown}\n  exit {done.returncode}, "
                                    f"allowed {sorted(allowed)}\n  stderr: "
                                    f"{done.stderr.strip()[-2000:]}")
        finally:
            os.chdir(cwd)
    return failures


def main():
    commands = readme_commands((SOURCE / "README.md").read_text())
    unknown = [c for c in commands if c not in HOW]
    stale = [c for c in HOW if c not in commands]
    failures = []
    for command in commands:
        if command in HOW:
            failures += run_entry(command, HOW[command])
    for c in unknown:
        failures.append(f"README command with no way to check it here (add it to HOW): {c}")
    for c in stale:
        failures.append(f"HOW has a command the README no longer has: {c}")
    print(f"{len(commands)} README commands; {len(failures)} failures")
    for f in failures:
        print("FAIL: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
