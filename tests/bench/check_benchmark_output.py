"""Runs one of refbench's Google Benchmark programs as its users do and checks its output.

    python3 check_benchmark_output.py PROGRAM

--benchmark_format=json must give strict JSON on stdout alone (no banner, no colour, no
NaN), with the fields Google Benchmark's tools/compare.py reads (context; benchmarks with
name, run_type, aggregate_name, real_time, cpu_time, time_unit, repetition_index) and the
PUs refbench pinned in the context; the banner and the ratios go to stderr.
--benchmark_format=console with --benchmark_color=false has no escape codes.
"""
import json
import subprocess
import sys

program = sys.argv[1]
common = ["--benchmark_repetitions=2", "--benchmark_filter=overhead", "--counters=none"]


def run(*flags):
    done = subprocess.run([program, *common, *flags], capture_output=True, text=True,
                          timeout=300)
    if done.returncode != 0:
        sys.exit(f"{program} {' '.join(flags)}: exit {done.returncode}\n{done.stderr}")
    return done


def refuse_constant(name):
    raise ValueError(f"not JSON: {name}")


out = run("--benchmark_format=json")
data = json.loads(out.stdout, parse_constant=refuse_constant)
context = data["context"]
for key in ("date", "host_name", "executable", "num_cpus", "library_build_type",
            "refbench_pus", "refbench_distance_class", "refbench_counters"):
    assert key in context, f"context lacks {key}"
assert context["refbench_pus"] == "0,1", context["refbench_pus"]
benchmarks = data["benchmarks"]
assert benchmarks, "no benchmarks"
for b in benchmarks:
    for key in ("name", "run_type", "real_time", "cpu_time", "time_unit", "repetition_index"
                if b["run_type"] == "iteration" else "aggregate_name"):
        assert key in b, f"{b.get('name')} lacks {key}"
assert {b["run_type"] for b in benchmarks} == {"iteration", "aggregate"}
assert "PUs 0,1" in out.stderr and "ratios of ns_per_msg" in out.stderr, out.stderr

console = run("--benchmark_format=console", "--benchmark_color=false")
assert "\x1b[" not in console.stdout, "colour asked off"
assert "overhead/counters_on" in console.stdout
assert "PUs 0,1" not in console.stdout, "the banner belongs on stderr"
print("ok")
