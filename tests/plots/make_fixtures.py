#!/usr/bin/python3
"""Writes the synthetic plot fixtures tests/data/plot-fixture-*.

These are NOT measurements: every figure is a round number made up here so that the
plotting code has data this 2-PU machine cannot produce (a 4-PU core-pair matrix, a sampled
16-PU one, several interpreter counts, hardware counters). The `topology` column of each
row says "synthetic fixture, not a measurement". Run it again after changing it:

    /usr/bin/python3 tests/plots/make_fixtures.py [DIR]    # DIR defaults to tests/data

test_refbench_plot.py checks that the files in tests/data are what this writes.
"""

import csv
import io
import json
import sys
from pathlib import Path

BASE_COLUMNS = [
    "workload", "strategy", "strategy_is_correct", "interpreters", "pus",
    "distance_class", "wait_policy", "memory", "topology", "repetition", "payload_bytes",
    "objects", "local_work", "channel_capacity", "warmup_messages", "messages",
    "round_trips", "elapsed_s", "msgs_per_s", "ns_per_msg", "rtt_p50_ns", "rtt_p99_ns",
    "rtt_max_ns", "verified", "leaks", "premature_frees", "use_after_free",
    "double_frees", "views_left_open", "resource_warnings", "lost_updates", "violations",
]
COUNTER_SUFFIXES = ["", "_per_msg", "_sender_per_msg", "_receiver_per_msg", "_scale",
                    "_source"]
STRATEGIES = ["gil", "racy", "atomic", "civ", "immortal"]
TOPOLOGY = "synthetic fixture, not a measurement"
MESSAGES = 1_000_000

# Made-up ns per message for each strategy at the nearest distance (round numbers).
BASE_NS = {"gil": 300, "racy": 150, "atomic": 200, "civ": 400, "immortal": 100}
INSTRUCTIONS = {"gil": 400, "racy": 200, "atomic": 250, "civ": 600, "immortal": 150}


def columns(counters):
    return BASE_COLUMNS + [c + s for c in counters for s in COUNTER_SUFFIXES]


def counter_cells(name, per_msg, sender_share, source):
    """The six columns of one counter; empty figures when unavailable."""
    if source == "unavailable" or per_msg is None:
        return {name: "", f"{name}_per_msg": "", f"{name}_sender_per_msg": "",
                f"{name}_receiver_per_msg": "", f"{name}_scale": "",
                f"{name}_source": "unavailable"}
    return {name: f"{per_msg * MESSAGES:.0f}", f"{name}_per_msg": f"{per_msg:.4f}",
            f"{name}_sender_per_msg": f"{per_msg * sender_share:.4f}",
            f"{name}_receiver_per_msg": f"{per_msg * (1 - sender_share):.4f}",
            f"{name}_scale": "1.000", f"{name}_source": source}


def base_row(workload, strategy, interpreters, pus, distance_class, repetition,
             payload, local_work, ns):
    same_pu = len(set(pus)) == 1
    correct = strategy != "racy"
    violations = 0 if correct or same_pu else 1000
    return {
        "workload": workload, "strategy": strategy, "strategy_is_correct": int(correct),
        "interpreters": interpreters, "pus": ";".join(str(p) for p in pus),
        "distance_class": distance_class, "wait_policy": "yield" if same_pu else "spin",
        "memory": ";".join("first-touch" for _ in pus), "topology": TOPOLOGY,
        "repetition": repetition, "payload_bytes": payload, "objects": 1,
        "local_work": local_work, "channel_capacity": 256, "warmup_messages": 10000,
        "messages": MESSAGES, "round_trips": MESSAGES // 2 if workload == "pingpong" else "",
        "elapsed_s": f"{MESSAGES * ns / 1e9:.9f}", "msgs_per_s": f"{1e9 / ns:.1f}",
        "ns_per_msg": f"{ns:.3f}",
        "rtt_p50_ns": 2 * ns if workload == "pingpong" else "",
        "rtt_p99_ns": 3 * ns if workload == "pingpong" else "",
        "rtt_max_ns": 10 * ns if workload == "pingpong" else "",
        "verified": 0, "leaks": 0, "premature_frees": 0, "use_after_free": violations,
        "double_frees": 0, "views_left_open": 0, "resource_warnings": 0,
        "lost_updates": "", "violations": violations,
    }


def pairs_4pu_class(sender, receiver):
    """Made-up machine: PUs 0,1 one core, PUs 2,3 another core in another package."""
    if sender == receiver:
        return "same_pu", 0.5
    if sender // 2 == receiver // 2:
        return "smt_sibling", 1.0
    return "cross_package", 3.0


def pairs_4pu_rows():
    """`sweep --pairs all` on 4 PUs plus the same-PU points, 2 payloads, 3 repetitions."""
    counters = ["task_clock_ns", "cycles", "instructions", "c2c_near"]
    rows = []
    for payload, payload_factor in ((64, 1), (4096, 2)):
        for sender in range(4):
            for receiver in range(4):
                distance_class, factor = pairs_4pu_class(sender, receiver)
                for strategy in STRATEGIES:
                    ns0 = BASE_NS[strategy] * factor * payload_factor
                    for repetition, delta in ((1, -10), (2, 0), (3, 10)):
                        ns = ns0 + delta
                        row = base_row("stream", strategy, 2, (sender, receiver),
                                       distance_class, repetition, payload, 0, ns)
                        row.update(counter_cells("task_clock_ns", 2 * ns, 0.5, "sw"))
                        row.update(counter_cells("cycles", 3 * ns, 0.6, "hw"))
                        row.update(counter_cells("instructions", INSTRUCTIONS[strategy],
                                                 0.5, "hw"))
                        row.update(counter_cells("c2c_near", None, 0, "unavailable"))
                        rows.append(row)
    return columns(counters), rows


# Made-up total msgs/s per pair at local work 0; gil's one lock caps it at 3 M overall.
PER_PAIR_MPS = {"gil": 3e6, "racy": 6e6, "atomic": 5e6, "civ": 2e6, "immortal": 10e6}
SCATTER = [0, 4, 2, 6, 1, 5, 3, 7]


def scaling_rows():
    """`sweep --interpreters 2,4,8 --placement scatter`, 2 local-work settings."""
    counters = ["task_clock_ns", "cycles"]
    rows = []
    for workload in ("stream", "pingpong"):
        for local_work, work_factor in ((0, 1), (100, 2)):
            for interpreters in (2, 4, 8):
                pairs = interpreters // 2
                for strategy in STRATEGIES:
                    total = PER_PAIR_MPS[strategy] * (1 if strategy == "gil" else pairs)
                    total /= work_factor
                    for repetition, factor in ((1, 0.9), (2, 1.0), (3, 1.1)):
                        mps = total * factor
                        row = base_row(workload, strategy, interpreters,
                                       SCATTER[:interpreters], "cross_package",
                                       repetition, 64, local_work, 1e9 / mps)
                        ns = 1e9 / mps
                        row.update(counter_cells("task_clock_ns", interpreters * ns, 0.5, "sw"))
                        row.update(counter_cells("cycles", None, 0, "unavailable"))
                        rows.append(row)
    return columns(counters), rows


# Made-up total msgs/s of the N-interpreter shapes at 2 interpreters, and how each grows.
SHAPE_MPS = {"gil": 3e6, "racy": 6e6, "atomic": 4e6, "civ": 2e6, "immortal": 8e6}
SHAPE_GROWTH = {"pipeline": 1.0, "fanout": 0.8, "shuffle": 1.5}


def shapes_rows():
    """`sweep --workload pipeline,fanout,shuffle --interpreters 2..4` under two placement
    policies (a placement column), with counters; shuffle has no sender or receiver split,
    a pipeline's middle stages are in the total only."""
    counters = ["task_clock_ns"]
    header = columns(counters)
    header.insert(header.index("pus"), "placement")
    rows = []
    for workload, growth in SHAPE_GROWTH.items():
        for placement, placement_factor in (("compact", 1.0), ("scatter", 0.7)):
            for interpreters in (2, 3, 4):
                for strategy in STRATEGIES:
                    total = SHAPE_MPS[strategy] * placement_factor
                    if strategy != "gil":
                        total *= 1 + growth * (interpreters - 2) / 2
                    for repetition, factor in ((1, 0.9), (2, 1.0), (3, 1.1)):
                        ns = 1e9 / (total * factor)
                        pus = SCATTER[:interpreters] if placement == "scatter" else \
                            list(range(interpreters))
                        row = base_row(workload, strategy, interpreters, pus,
                                       "cross_package" if placement == "scatter"
                                       else "smt_sibling", repetition, 64, 0, ns)
                        row["placement"] = placement
                        cells = counter_cells("task_clock_ns", interpreters * ns, 0.5, "sw")
                        if workload == "shuffle":
                            cells["task_clock_ns_sender_per_msg"] = ""
                            cells["task_clock_ns_receiver_per_msg"] = ""
                        elif workload == "pipeline" and interpreters > 2:
                            # Each stage does a share of the total: first and last one each.
                            cells["task_clock_ns_sender_per_msg"] = f"{ns:.4f}"
                            cells["task_clock_ns_receiver_per_msg"] = f"{ns:.4f}"
                        row.update(cells)
                        rows.append(row)
    return header, rows


def large_pairs_rows(pus=24):
    """A `--pairs all` matrix too big to annotate (tests write it to a temporary folder)."""
    rows = []
    for sender in range(pus):
        for receiver in range(pus):
            if sender == receiver:
                continue
            far = (sender < pus // 2) != (receiver < pus // 2)
            for strategy in ("atomic", "civ"):
                ns = BASE_NS[strategy] * (3 if far else 1)
                rows.append(base_row("stream", strategy, 2, (sender, receiver),
                                     "cross_package" if far else "shared_l3", 1, 64, 0, ns))
    return columns([]), rows


# Made-up machine for a sampled sweep: 16 PUs, PU p on core p // 2 and package p // 8, one
# L3 per package; the pairs `sweep --pairs sample:2` picks there (unordered, so the lower
# triangle stays empty too): 6 ordered pairs of distinct PUs, and 2 PUs alone.
SAMPLED_PAIRS = [
    ((0, 0), "same_pu", 0.5), ((8, 8), "same_pu", 0.5),
    ((0, 1), "smt_sibling", 1.0), ((8, 9), "smt_sibling", 1.0),
    ((0, 2), "shared_l3", 2.0), ((8, 12), "shared_l3", 2.0),
    ((0, 8), "cross_package", 3.0), ((4, 12), "cross_package", 3.0),
]


def sampled_pairs_rows():
    """`sweep --pairs sample:2` on 16 PUs: a matrix with most cells not measured."""
    rows = []
    for (sender, receiver), distance_class, factor in SAMPLED_PAIRS:
        for strategy in ("atomic", "civ"):
            for repetition, delta in ((1, -10), (2, 0), (3, 10)):
                ns = BASE_NS[strategy] * factor + delta
                rows.append(base_row("stream", strategy, 2, (sender, receiver),
                                     distance_class, repetition, 64, 0, ns))
    return columns([]), rows


def large_sampled_pairs_rows(pus=320, per_pu=3):
    """A sampled matrix of hundreds of PUs: each PU sends to `per_pu` others, spread (tests
    write it to a temporary folder)."""
    rows = []
    for sender in range(pus):
        for step in range(1, per_pu + 1):
            receiver = (sender + step * (pus // (per_pu + 1)) + step) % pus
            far = (sender < pus // 2) != (receiver < pus // 2)
            for strategy in ("atomic", "civ"):
                ns = BASE_NS[strategy] * (3 if far else 1)
                rows.append(base_row("stream", strategy, 2, (sender, receiver),
                                     "cross_package" if far else "shared_l3", 1, 64, 0, ns))
    return columns([]), rows


def csv_text(header, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


PAIRS_4PU_META = {
    "host": "fixture-host",
    "cpu_model": "synthetic 4-PU fixture, not a measurement",
    "date": "2026-01-01T00:00:00Z",
    "refbench_version": "0.0.0-fixture",
    "git_commit": "0000000000000000000000000000000000000000",
    "counters": [
        {"name": "task_clock_ns", "event": "perf::PERF_COUNT_SW_TASK_CLOCK",
         "source": "sw", "problem": ""},
        {"name": "c2c_near", "event": "SYNTHETIC:FIXTURE", "source": "unavailable",
         "problem": "ENOENT"},
    ],
}


def fixtures() -> dict:
    """File name -> contents, for every fixture in tests/data."""
    return {
        "plot-fixture-pairs-4pu.csv": csv_text(*pairs_4pu_rows()),
        "plot-fixture-pairs-4pu.meta.json": json.dumps(PAIRS_4PU_META, indent=2) + "\n",
        "plot-fixture-pairs-sampled.csv": csv_text(*sampled_pairs_rows()),
        "plot-fixture-scaling.csv": csv_text(*scaling_rows()),
        "plot-fixture-shapes.csv": csv_text(*shapes_rows()),
        "plot-fixture-no-rows.csv": csv_text(columns(["task_clock_ns"]), []),
        "plot-fixture-not-refbench.csv": "name,iterations,real_time,cpu_time\n"
                                         "BM_fixture,1000,100,100\n",
    }


def main(argv):
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "data"
    for name, text in fixtures().items():
        (folder / name).write_text(text)
        print(folder / name)


if __name__ == "__main__":
    main(sys.argv)
