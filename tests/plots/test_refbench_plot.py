"""Tests of plots/refbench_plot.py: runs it as a user would on the CSVs in tests/data,
and calls the helpers of its modules (plots/plot_*.py) directly.

Run with Debian's Python (the one with matplotlib and pandas):

    PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m unittest -v test_refbench_plot

from this folder (CTest does that, see CMakeLists.txt). The plot-real-* CSVs are real
measurements from a 2-PU VM; the plot-fixture-* files are synthetic (make_fixtures.py).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("REFBENCH_SOURCE_DIR", HERE.parents[1]))
SCRIPT = ROOT / "plots" / "refbench_plot.py"
DATA = ROOT / "tests" / "data"

sys.path.insert(0, str(HERE))
sys.path.insert(0, str(SCRIPT.parent))
import make_fixtures  # noqa: E402
import plot_classes  # noqa: E402
import plot_common  # noqa: E402
import plot_counters  # noqa: E402
import plot_heatmap  # noqa: E402
import plot_input  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class Run:
    """One run of the script: exit status, output lines, and the folder it wrote."""

    def __init__(self, csv, out=None, *args):
        command = [sys.executable, str(SCRIPT), str(csv)]
        if out is not None:
            command += ["--out", str(out)]
        command += list(args)
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        self.rc = done.returncode
        self.stdout = done.stdout
        self.stderr = done.stderr
        self.lines = done.stdout.splitlines()
        self.out = Path(out) if out is not None else None

    @property
    def written(self):
        return [Path(line) for line in self.lines if ": skipped, " not in line
                and not line.startswith("refbench_plot:")]

    def skipped(self, kind):
        return [line for line in self.lines if line.startswith(kind) and ": skipped, " in line]

    def __str__(self):
        return f"rc {self.rc}\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"


class PlotTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="refbench-plot-test-"))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)

    def run_plot(self, csv, *args, out="plots"):
        return Run(csv, None if out is None else self.tmp / out, *args)

    def copy(self, name, to=None):
        """A copy of tests/data/NAME alone in the temporary folder (no metadata beside it)."""
        target = self.tmp / (to or name)
        shutil.copyfile(DATA / name, target)
        return target

    def assert_valid_files(self, run, stems, formats=("png", "svg")):
        """Each stem was written in each format, was printed, and is a valid file."""
        printed = set(run.written)
        for stem in stems:
            for fmt in formats:
                path = run.out / f"{stem}.{fmt}"
                self.assertIn(path, printed, f"{path} not printed\n{run}")
                self.assertTrue(path.is_file(), f"{path} missing\n{run}")
                data = path.read_bytes()
                self.assertGreater(len(data), 1000, path)
                if fmt == "png":
                    self.assertEqual(data[:8], PNG_MAGIC, path)
                if fmt == "svg":
                    self.assertIn(b"<svg", data[:1000], path)
        self.assertEqual(sorted(p.name for p in run.out.iterdir()),
                         sorted(p.name for p in printed), f"files differ from those printed\n{run}")

    def svg_text(self, run, stem):
        return (run.out / f"{stem}.svg").read_text()


class RealCsvs(PlotTestCase):
    """Measurements from this project's 2-PU VM."""

    def test_default_run_plots_classes_and_counters(self):
        run = self.run_plot(DATA / "plot-real-default-run.csv")
        self.assertEqual(run.rc, 0, run)
        self.assert_valid_files(run, ["classes-stream", "classes-pingpong",
                                      "counters-stream", "counters-pingpong"])
        self.assertEqual(run.skipped("heatmap"), [
            "heatmap: skipped, the CSV has 1 pair of distinct PUs per strategy (0->1); "
            "needs a sweep --pairs all"], run)
        self.assertEqual(run.skipped("scaling"), [
            "scaling: skipped, the CSV has one interpreter count (2); "
            "needs a sweep --interpreters with several counts"], run)
        svg = self.svg_text(run, "classes-stream")
        self.assertIn("racy (incorrect)", svg)
        self.assertIn("ratio to immortal", svg)
        self.assertIn("plot-real-default-run.csv (no metadata)", svg)
        self.assertIn("wait yield", svg)  # same-PU points ran with another wait policy

    def test_id_view_rows_are_marked_as_ones_that_may_leak(self):
        import pandas as pd
        # The default run's rows (from before civ-deferred), its civ rows again as id views.
        df = pd.read_csv(DATA / "plot-real-default-run.csv", dtype=str, keep_default_na=False)
        views = df[df["strategy"].isin(["civ", "civ-deferred"])].copy()
        df["view_owner"] = ["strong" if s in ("civ", "civ-deferred") else ""
                            for s in df["strategy"]]
        views["view_owner"] = "id"
        views.loc[views.index[0], "violations"] = "3"
        csv = self.tmp / "views.csv"
        pd.concat([df, views]).to_csv(csv, index=False)
        run = self.run_plot(csv)
        self.assertEqual(run.rc, 0, run)
        svg = self.svg_text(run, "classes-" + views["workload"].iloc[0])
        self.assertIn("civ (id): may leak", svg)
        self.assertIn("views holding only their sender's id", svg)

    def test_default_run_counters_name_sources_and_leave_out_unavailable(self):
        run = self.run_plot(DATA / "plot-real-default-run.csv")
        svg = self.svg_text(run, "counters-stream")
        self.assertIn("sw counters: task_clock_ns", svg)
        self.assertIn("unavailable: cycles, instructions", svg)
        self.assertNotIn("cycles (", svg)  # no panel for an unavailable counter

    def test_sweep_pairs_all_plots_heatmaps(self):
        run = self.run_plot(DATA / "plot-real-sweep-pairs-all.csv")
        self.assertEqual(run.rc, 0, run)
        self.assert_valid_files(run, [f"{kind}-{workload}"
                                      for kind in ("heatmap", "classes", "counters")
                                      for workload in ("stream", "pingpong")])
        self.assertEqual(run.skipped("heatmap"), [])
        svg = self.svg_text(run, "heatmap-stream")
        for label in ("sender PU", "receiver PU", "median ns per message", "racy (incorrect)"):
            self.assertIn(label, svg)

    def test_sweep_scaling_with_one_interpreter_count(self):
        run = self.run_plot(DATA / "plot-real-sweep-scaling.csv")
        self.assertEqual(run.rc, 0, run)
        self.assert_valid_files(run, ["classes-stream", "classes-pingpong",
                                      "counters-stream", "counters-pingpong"])
        self.assertEqual(len(run.skipped("scaling")), 1, run)
        self.assertEqual(len(run.skipped("heatmap")), 1, run)

    def test_shapes_on_three_interpreters(self):
        # run --workload pipeline,fanout,shuffle --cores 0,1,0: one count, one pair of PUs.
        run = self.run_plot(DATA / "plot-real-shapes-run.csv")
        self.assertEqual(run.rc, 0, run)
        self.assert_valid_files(run, [f"{kind}-{workload}" for kind in ("classes", "counters")
                                      for workload in ("pipeline", "fanout", "shuffle")])
        self.assertEqual(run.skipped("heatmap"), [
            "heatmap: skipped, the CSV has no timed two-interpreter points "
            "(sender;receiver pairs)"], run)
        self.assertEqual(run.skipped("scaling"), [
            "scaling: skipped, the CSV has one interpreter count (3); "
            "needs a sweep --interpreters with several counts"], run)
        svg = self.svg_text(run, "classes-fanout")
        self.assertIn("3 interpreters", svg)
        self.assertIn("PUs 0,1,0", svg)
        # Shuffle's interpreters all send and receive: no sender/receiver split is drawn.
        self.assertIn("total only (no sender/receiver split)",
                      self.svg_text(run, "counters-shuffle"))

    def test_csv_without_counter_columns(self):
        run = self.run_plot(DATA / "plot-real-sweep-pairs-all-old-columns.csv")
        self.assertEqual(run.rc, 0, run)
        self.assert_valid_files(run, [f"{kind}-{workload}" for kind in ("heatmap", "classes")
                                      for workload in ("stream", "pingpong")])
        self.assertEqual(run.skipped("counters"), [
            "counters: skipped, the CSV has no counter columns (run with --counters)"])


class Fixtures(PlotTestCase):
    """Synthetic data for what a 2-PU machine cannot produce."""

    def test_four_pu_matrix_per_payload_with_metadata(self):
        run = self.run_plot(DATA / "plot-fixture-pairs-4pu.csv")
        self.assertEqual(run.rc, 0, run)
        stems = [f"{kind}-stream-payload{payload}"
                 for kind in ("heatmap", "classes", "counters") for payload in (64, 4096)]
        self.assert_valid_files(run, stems)
        svg = self.svg_text(run, "heatmap-stream-payload64")
        self.assertIn("fixture-host (synthetic 4-PU fixture, not a measurement)", svg)
        self.assertIn("2026-01-01 00:00 UTC", svg)
        self.assertIn("refbench 0.0.0-fixture @ 0000000000", svg)
        self.assertIn("payload 64 B", svg)
        self.assertIn("diagonal: both interpreters on one PU", svg)
        self.assertNotIn("no metadata", svg)
        self.assertGreaterEqual(svg.count(">1200<"), 8)  # civ's annotated far cells
        counters = self.svg_text(run, "counters-stream-payload4096")
        self.assertIn("hw counters: cycles, instructions", counters)
        self.assertIn("sw counters: task_clock_ns", counters)
        self.assertIn("unavailable: c2c_near (ENOENT)", counters)  # reason from metadata

    def test_four_pu_matrix_without_metadata(self):
        csv = self.copy("plot-fixture-pairs-4pu.csv")
        run = self.run_plot(csv)
        self.assertEqual(run.rc, 0, run)
        svg = self.svg_text(run, "heatmap-stream-payload64")
        self.assertIn("plot-fixture-pairs-4pu.csv (no metadata)", svg)
        self.assertNotIn("fixture-host", svg)
        counters = self.svg_text(run, "counters-stream-payload64")
        self.assertIn("unavailable: c2c_near", counters)
        self.assertNotIn("ENOENT", counters)

    def test_unreadable_metadata_is_reported_and_ignored(self):
        csv = self.copy("plot-fixture-pairs-4pu.csv")
        (self.tmp / "plot-fixture-pairs-4pu.meta.json").write_text("{not json")
        run = self.run_plot(csv, "--format", "svg")
        self.assertEqual(run.rc, 0, run)
        self.assertIn("plot-fixture-pairs-4pu.meta.json: unreadable", run.stderr)
        self.assertIn("(no metadata)", self.svg_text(run, "classes-stream-payload64"))

    def test_scaling_per_workload_and_local_work(self):
        run = self.run_plot(DATA / "plot-fixture-scaling.csv")
        self.assertEqual(run.rc, 0, run)
        stems = [f"{kind}-{workload}-localwork{work}"
                 for kind in ("classes", "scaling", "counters")
                 for workload in ("stream", "pingpong") for work in (0, 100)]
        self.assert_valid_files(run, stems)
        svg = self.svg_text(run, "scaling-stream-localwork100")
        self.assertIn("messages per second", svg)
        self.assertIn("racy (incorrect)", svg)
        self.assertIn("local work 100", svg)

    def test_shapes_scale_per_placement(self):
        run = self.run_plot(DATA / "plot-fixture-shapes.csv")
        self.assertEqual(run.rc, 0, run)
        self.assert_valid_files(run, [f"{kind}-{workload}"
                                      for kind in ("classes", "scaling", "counters")
                                      for workload in ("pipeline", "fanout", "shuffle")])
        fanout = self.svg_text(run, "scaling-fanout")
        self.assertIn("1 root broadcasting to the others", fanout)
        self.assertIn("messages per second (all interpreters)", fanout)
        for label in ("civ, compact", "civ, scatter", "racy (incorrect), scatter"):
            self.assertIn(label, fanout)
        self.assertIn("all to all", self.svg_text(run, "scaling-shuffle"))
        self.assertIn("a chain of stages", self.svg_text(run, "scaling-pipeline"))
        self.assertIn("total only (no sender/receiver split)",
                      self.svg_text(run, "counters-shuffle"))

    def test_one_placement_is_named_under_the_scaling_plot(self):
        lines = (DATA / "plot-fixture-shapes.csv").read_text().splitlines()
        csv = self.tmp / "compact-only.csv"
        csv.write_text("\n".join([lines[0]] + [line for line in lines[1:]
                                               if ",compact," in line]) + "\n")
        run = self.run_plot(csv, "--format", "svg")
        self.assertEqual(run.rc, 0, run)
        svg = self.svg_text(run, "scaling-fanout")
        self.assertIn("placement: compact", svg)
        self.assertNotIn("civ, compact", svg)

    def test_large_matrix_is_not_annotated(self):
        header, rows = make_fixtures.large_pairs_rows(pus=24)
        csv = self.tmp / "plot-fixture-large.csv"
        csv.write_text(make_fixtures.csv_text(header, rows))
        run = self.run_plot(csv, "--format", "svg")
        self.assertEqual(run.rc, 0, run)
        svg = self.svg_text(run, "heatmap-stream")
        # Annotated, 264 cells would read 600 (atomic, across halves); the colour bar
        # has one tick 600.
        self.assertLessEqual(svg.count(">600<"), 1)

    def test_sampled_matrix_leaves_unmeasured_cells_empty_and_says_so(self):
        run = self.run_plot(DATA / "plot-fixture-pairs-sampled.csv")
        self.assertEqual(run.rc, 0, run)
        self.assertEqual(run.skipped("heatmap"), [])
        self.assert_valid_files(run, [f"{kind}-stream" for kind in ("heatmap", "classes")])
        svg = self.svg_text(run, "heatmap-stream")
        # The PUs shown are those measured: 0, 1, 2, 4, 8, 9, 12, so 7 x 6 ordered pairs.
        self.assertIn("sampled: 6 of 42 pairs measured; grey cells not measured", svg)
        # Few PUs: the measured cells keep their numbers (civ's cross-package 1200).
        self.assertIn(">1200<", svg)

    def test_full_matrix_has_no_sampling_note(self):
        run = self.run_plot(DATA / "plot-fixture-pairs-4pu.csv", "--format", "svg")
        self.assertEqual(run.rc, 0, run)
        self.assertNotIn("sampled:", self.svg_text(run, "heatmap-stream-payload64"))

    def test_large_sampled_matrix_renders(self):
        header, rows = make_fixtures.large_sampled_pairs_rows(pus=320, per_pu=3)
        csv = self.tmp / "plot-fixture-large-sampled.csv"
        csv.write_text(make_fixtures.csv_text(header, rows))
        run = self.run_plot(csv)
        self.assertEqual(run.rc, 0, run)
        self.assert_valid_files(run, [f"{kind}-stream" for kind in ("heatmap", "classes")])
        svg = self.svg_text(run, "heatmap-stream")
        self.assertIn("sampled: 960 of 102080 pairs measured; grey cells not measured", svg)
        # No numbers in 960 cells: 600 (atomic, across halves) is at most a colour bar tick.
        self.assertLessEqual(svg.count(">600<"), 1)

    def test_fixtures_are_what_the_generator_writes(self):
        for name, text in make_fixtures.fixtures().items():
            self.assertEqual((DATA / name).read_text(), text,
                             f"{name}: run tests/plots/make_fixtures.py")


class ExitStatus(PlotTestCase):
    def test_missing_file(self):
        run = self.run_plot(self.tmp / "nothing-here.csv")
        self.assertEqual(run.rc, 2, run)
        self.assertEqual(run.stderr.splitlines(),
                         [f"refbench_plot: {self.tmp / 'nothing-here.csv'}: no such file"])
        self.assertFalse((self.tmp / "plots").exists())

    def test_not_a_refbench_csv(self):
        run = self.run_plot(DATA / "plot-fixture-not-refbench.csv")
        self.assertEqual(run.rc, 2, run)
        lines = run.stderr.splitlines()
        self.assertEqual(len(lines), 1, run)
        self.assertIn("plot-fixture-not-refbench.csv: not a refbench results CSV: "
                      "missing columns workload, strategy,", lines[0])
        self.assertIn("ns_per_msg", lines[0])

    def test_one_missing_column_is_named(self):
        text = (DATA / "plot-real-sweep-scaling.csv").read_text().splitlines()
        header = text[0].split(",")
        drop = header.index("pus")
        kept = [",".join(c for i, c in enumerate(line.split(",")) if i != drop)
                for line in text]
        csv = self.tmp / "no-pus.csv"
        csv.write_text("\n".join(kept) + "\n")
        run = self.run_plot(csv)
        self.assertEqual(run.rc, 2, run)
        self.assertEqual(run.stderr.splitlines(),
                         [f"refbench_plot: {csv}: not a refbench results CSV: "
                          "missing column pus"])

    def test_empty_file(self):
        csv = self.tmp / "empty.csv"
        csv.write_text("")
        run = self.run_plot(csv)
        self.assertEqual(run.rc, 2, run)
        self.assertEqual(len(run.stderr.splitlines()), 1, run)
        self.assertIn("empty file", run.stderr)

    def test_non_numeric_timing(self):
        lines = (DATA / "plot-real-sweep-scaling.csv").read_text().splitlines()
        header = lines[0].split(",")
        cells = lines[3].split(",")
        cells[header.index("ns_per_msg")] = "fast"
        lines[3] = ",".join(cells)
        csv = self.tmp / "bad-number.csv"
        csv.write_text("\n".join(lines) + "\n")
        run = self.run_plot(csv)
        self.assertEqual(run.rc, 2, run)
        self.assertEqual(run.stderr.splitlines(),
                         [f"refbench_plot: {csv}: line 4: column ns_per_msg is not a "
                          "number: 'fast'"])

    def test_no_rows_means_nothing_to_plot(self):
        run = self.run_plot(DATA / "plot-fixture-no-rows.csv")
        self.assertEqual(run.rc, 1, run)
        self.assertIn("no rows", run.stdout)
        self.assertFalse((self.tmp / "plots").exists())

    def test_rows_without_timings_means_nothing_to_plot(self):
        # Every timing empty, no counter columns: nothing can be drawn, and nothing is
        # drawn as zero.
        lines = (DATA / "plot-real-sweep-pairs-all-old-columns.csv").read_text().splitlines()
        header = lines[0].split(",")
        blank = {header.index(c) for c in ("ns_per_msg", "msgs_per_s", "elapsed_s")}
        rows = [",".join("" if i in blank else c for i, c in enumerate(line.split(",")))
                for line in lines[1:]]
        csv = self.tmp / "untimed.csv"
        csv.write_text("\n".join([lines[0]] + rows) + "\n")
        run = self.run_plot(csv)
        self.assertEqual(run.rc, 1, run)
        for kind in ("heatmap", "classes", "scaling", "counters"):
            self.assertTrue(run.skipped(kind), f"{kind} not reported\n{run}")
        self.assertFalse((self.tmp / "plots").exists())

    def test_unknown_format(self):
        run = self.run_plot(DATA / "plot-real-default-run.csv", "--format", "gif")
        self.assertEqual(run.rc, 2, run)
        self.assertIn("unknown format gif", run.stderr)


class Options(PlotTestCase):
    def test_default_out_folder_is_beside_the_csv(self):
        csv = self.copy("plot-real-sweep-scaling.csv", "refbench-20261125-051621.csv")
        run = self.run_plot(csv, "--format", "png", out=None)
        self.assertEqual(run.rc, 0, run)
        folder = self.tmp / "refbench-20261125-051621-plots"
        self.assertTrue((folder / "classes-stream.png").is_file(), run)
        self.assertEqual({p.parent for p in run.written}, {folder})

    def test_png_only(self):
        run = self.run_plot(DATA / "plot-real-sweep-scaling.csv", "--format", "png")
        self.assertEqual(run.rc, 0, run)
        self.assertTrue(run.written)
        self.assertEqual({p.suffix for p in run.written}, {".png"})


def frame(rows):
    """A DataFrame as load_results would give, from a few rows of keyword values."""
    import pandas as pd
    base = {"workload": "stream", "strategy": "atomic", "strategy_is_correct": 1,
            "interpreters": 2, "pus": "0;1", "distance_class": "shared_l3",
            "wait_policy": "spin", "repetition": 1, "payload_bytes": 64, "objects": 1,
            "local_work": 0, "messages": 1000, "msgs_per_s": 1e7, "ns_per_msg": 100.0,
            "verified": 0}
    return pd.DataFrame([{**base, **row} for row in rows])


class Internals(unittest.TestCase):
    """Pure functions of the plot modules, with exact values."""

    def test_numa_distance_classes_rank_by_value_where_same_package_stands(self):
        self.assertEqual(
            plot_common.ordered_classes(["numa_distance_32", "cross_package", "martian",
                                         "numa_distance_120", "same_numa", "numa_distance_12",
                                         "same_package", "same_numa"]),
            ["same_numa", "same_package", "numa_distance_12", "numa_distance_32",
             "numa_distance_120", "cross_package", "martian"])

    def test_a_multiplexed_counter_is_an_estimate(self):
        rows = [{"cycles": 2000.0, "cycles_per_msg": 2.0, "cycles_source": "hw",
                 "cycles_scale": scale} for scale in (1.0, 1.5, 1.02)]
        df = frame(rows)
        data = plot_counters.counter_data(df, "cycles", df["distance_class"])
        self.assertEqual(data.largest_scale, 1.5)
        self.assertGreater(data.largest_scale, plot_counters.ESTIMATE_SCALE)
        whole = frame([{**r, "cycles_scale": 1.0} for r in rows])
        data = plot_counters.counter_data(whole, "cycles", whole["distance_class"])
        self.assertLessEqual(data.largest_scale, plot_counters.ESTIMATE_SCALE)

    def test_unavailable_counter_has_no_values(self):
        import pandas as pd
        df = frame([{"cycles": float("nan"), "cycles_per_msg": float("nan"),
                     "cycles_source": "unavailable"}] * 3)
        data = plot_counters.counter_data(df, "cycles", df["distance_class"])
        self.assertIsNone(data)
        self.assertIsInstance(df, pd.DataFrame)

    def test_empty_counter_figures_are_left_out_of_medians(self):
        nan = float("nan")
        df = frame([
            {"strategy": "civ", "c": 3000, "c_per_msg": 3.0, "c_source": "hw"},
            {"strategy": "civ", "c": nan, "c_per_msg": nan, "c_source": "unavailable"},
            {"strategy": "civ", "c": 5000, "c_per_msg": 5.0, "c_source": "hw"},
        ])
        data = plot_counters.counter_data(df, "c", df["distance_class"])
        self.assertEqual(list(data.stats["total"]), [4.0])  # median of 3 and 5, not of 0, 3, 5
        self.assertEqual(data.sources, ["hw"])

    def test_rare_events_are_recomputed_from_the_count(self):
        # _per_msg columns are rounded to 4 decimals: 12 events in 713024 messages read 0.
        df = frame([{"messages": 713024, "context_switches": 12,
                     "context_switches_per_msg": 0.0, "context_switches_source": "sw"}])
        per_msg = plot_counters.counter_per_msg(df, "context_switches")
        self.assertAlmostEqual(per_msg.iloc[0], 12 / 713024)
        self.assertEqual(plot_counters.per_messages_scale(12 / 713024),
                         (1e6, "per million messages"))

    def test_same_pu_wait_policy_does_not_split_figures(self):
        df = frame([{"pus": "0;0", "distance_class": "same_pu", "wait_policy": "yield"},
                    {"pus": "0;1", "wait_policy": "spin"}])
        self.assertEqual(plot_common.varying_keys(df), [])
        df = frame([{"wait_policy": "yield"}, {"wait_policy": "spin"}])
        self.assertEqual(plot_common.varying_keys(df), ["wait_policy"])

    def test_heatmap_needs_two_pairs_of_distinct_pus(self):
        one = frame([{"pus": "0;0"}, {"pus": "0;1"}])
        self.assertIn("1 pair of distinct PUs", plot_heatmap.heatmap_skip_reason(one))
        two = frame([{"pus": "0;1"}, {"pus": "1;0"}])
        self.assertIsNone(plot_heatmap.heatmap_skip_reason(two))

    def test_heatmap_matrix_leaves_unmeasured_cells_nan(self):
        import numpy as np
        import pandas as pd
        cells = pd.DataFrame({"sender": [0, 2, 5], "receiver": [2, 0, 0],
                              "median": [10.0, 20.0, 0.0]})
        matrix = plot_heatmap.heatmap_matrix(cells, {0: 0, 2: 1, 5: 2})
        expected = np.array([[np.nan, 10.0, np.nan],
                             [20.0, np.nan, np.nan],
                             [0.0, np.nan, np.nan]])
        np.testing.assert_array_equal(matrix, expected)  # NaN where not measured, 0 kept
        empty = plot_heatmap.heatmap_matrix(cells.iloc[0:0], {0: 0, 2: 1})
        self.assertTrue(np.isnan(empty).all())

    def test_sampling_note_counts_ordered_pairs_of_distinct_pus(self):
        import pandas as pd

        def stats(cells):
            return pd.DataFrame(cells, columns=["strategy", "sender", "receiver", "median"])
        full = stats([("civ", a, b, 1.0) for a in range(3) for b in range(3)])
        self.assertIsNone(plot_heatmap.sampling_note(full, [0, 1, 2]))
        self.assertIsNone(plot_heatmap.sampling_note(full[full["sender"] != full["receiver"]],
                                                     [0, 1, 2]))
        some = stats([("civ", 0, 1, 1.0), ("civ", 1, 1, 1.0), ("civ", 2, 0, 1.0)])
        self.assertEqual(plot_heatmap.sampling_note(some, [0, 1, 2]),
                         "sampled: 2 of 6 pairs measured; grey cells not measured")
        uneven = pd.concat([full, stats([("gil", 0, 1, 1.0)])])
        self.assertEqual(plot_heatmap.sampling_note(uneven, [0, 1, 2]),
                         "sampled: 1-6 of 6 pairs measured per strategy; "
                         "grey cells not measured")

    def test_dates_and_subtitles(self):
        self.assertEqual(plot_input.format_date("2026-11-25T05:16:21Z"), "2026-11-25 05:16 UTC")
        self.assertEqual(plot_input.format_date("2026-11-25T05:16:21+01:00"),
                         "2026-11-25 05:16 +0100")
        self.assertEqual(plot_input.format_date("yesterday"), "yesterday")
        meta = {"host": "h", "cpu_model": "Xeon", "date": "2026-11-25T05:16:21Z",
                "refbench_version": "0.1", "git_commit": "abcdef0123456789"}
        self.assertEqual(plot_input.machine_subtitle(Path("r.csv"), meta),
                         "h (Xeon), 2026-11-25 05:16 UTC; refbench 0.1 @ abcdef0123")
        self.assertEqual(plot_input.machine_subtitle(Path("dir/r.csv"), None),
                         "r.csv (no metadata)")

    def test_bars_spanning_more_than_ten_times_get_a_log_axis(self):
        import pandas as pd
        self.assertTrue(plot_classes.needs_log_scale(pd.Series([150.0, 2950.0])))
        self.assertFalse(plot_classes.needs_log_scale(pd.Series([45.0, 144.0, 0.0])))
        self.assertFalse(plot_classes.needs_log_scale(pd.Series([45.0])))

    def test_unavailable_counters_sharing_a_reason_name_it_once(self):
        problems = {"cycles": "ENOENT: no PMU", "instructions": "ENOENT: no PMU",
                    "c2c": "EINVAL"}
        self.assertEqual(
            plot_counters.unavailable_by_reason(["cycles", "c2c", "instructions", "x"], problems),
            ["cycles, instructions (ENOENT: no PMU)", "c2c (EINVAL)", "x"])

    def test_id_views_are_a_strategy_of_their_own_that_may_leak(self):
        df = frame([{"strategy": "civ", "view_owner": "strong", "violations": 0},
                    {"strategy": "civ", "view_owner": "id", "violations": 7},
                    {"strategy": "civ-deferred", "view_owner": "id", "violations": 0},
                    {"strategy": "atomic", "view_owner": float("nan"), "violations": 0},
                    {"strategy": "gil", "view_owner": float("nan"), "violations": 2}])
        df = plot_input.label_view_owners(df)
        self.assertEqual(list(df["strategy"]),
                         ["civ", "civ (id)", "civ-deferred (id)", "atomic", "gil"])
        self.assertEqual(plot_common.ordered_strategies(df["strategy"]),
                         ["gil", "atomic", "civ", "civ (id)", "civ-deferred (id)"])
        self.assertEqual(plot_common.strategy_color("civ (id)"),
                         plot_common.strategy_color("civ"))
        ctx = plot_common.make_context(df, Path("r.csv"), None)
        self.assertEqual(ctx.may_leak, {"civ (id)", "civ-deferred (id)"})
        self.assertEqual(plot_common.strategy_label("civ (id)", ctx), "civ (id): may leak")
        self.assertEqual(plot_common.strategy_label("civ", ctx), "civ")
        self.assertEqual(plot_common.bar_style("civ (id)", ctx)["hatch"],
                         plot_common.MAY_LEAK_HATCH)
        self.assertNotIn("hatch", plot_common.bar_style("civ", ctx))
        self.assertEqual(plot_common.violation_note(df, ctx),
                         "warning: integrity violations in correct strategies: gil in 1 row"
                         "\nviews holding only their sender's id (CPython's, x-hatched) "
                         "leaked: civ (id) in 1 row")
        # A CSV from before the column is left as it is.
        old = frame([{"strategy": "civ"}])
        self.assertEqual(list(plot_input.label_view_owners(old)["strategy"]), ["civ"])

    def test_processes_beside_threads_are_a_strategy_of_their_own(self):
        df = frame([{"strategy": "atomic", "isolation": "thread"},
                    {"strategy": "atomic", "isolation": "process"},
                    {"strategy": "civ", "isolation": "process", "view_owner": "id"},
                    {"strategy": "civ", "isolation": "thread", "view_owner": "id"}])
        df = plot_input.label_isolations(plot_input.label_view_owners(df))
        self.assertEqual(list(df["strategy"]),
                         ["atomic", "atomic (process)", "civ (id) (process)", "civ (id)"])
        self.assertEqual(plot_common.ordered_strategies(df["strategy"]),
                         ["atomic", "atomic (process)", "civ (id)", "civ (id) (process)"])
        self.assertEqual(plot_common.base_strategy("civ (id) (process)"), "civ")
        self.assertEqual(plot_common.strategy_color("atomic (process)"),
                         plot_common.strategy_color("atomic"))
        self.assertTrue(plot_common.may_leak("civ (id) (process)"))
        ctx = plot_common.make_context(df, Path("r.csv"), None)
        self.assertEqual(plot_common.bar_style("atomic (process)", ctx)["hatch"],
                         plot_common.PROCESS_HATCH)
        self.assertNotIn("hatch", plot_common.bar_style("atomic", ctx))
        # Each is over immortal of its own isolation, where that ran.
        import pandas as pd
        stats = pd.DataFrame([
            {"strategy": "immortal", "distance_class": "same_l3", "median": 10.0},
            {"strategy": "immortal (process)", "distance_class": "same_l3", "median": 20.0}])
        self.assertEqual(plot_classes.floor_of(stats, "atomic (process)")["same_l3"], 20.0)
        self.assertEqual(plot_classes.floor_of(stats, "atomic")["same_l3"], 10.0)
        self.assertEqual(plot_classes.floor_of(stats[:1], "atomic (process)")["same_l3"], 10.0)
        # One isolation alone (or a CSV from before the column) is left as it is.
        only = frame([{"strategy": "atomic", "isolation": "process"}])
        self.assertEqual(list(plot_input.label_isolations(only)["strategy"]), ["atomic"])
        old = frame([{"strategy": "atomic"}])
        self.assertEqual(list(plot_input.label_isolations(old)["strategy"]), ["atomic"])

    def test_a_plot_that_cannot_be_written_leaves_no_temporary(self):
        import refbench_plot
        from matplotlib.figure import Figure

        class FullDisk(Figure):
            def savefig(self, out, **kwargs):
                out.write(b"half a plot")
                raise OSError(28, "No space left on device")

        with tempfile.TemporaryDirectory() as folder:
            with self.assertRaises(OSError):
                refbench_plot.save(FullDisk(), Path(folder), "classes-x", ["png"], "t")
            self.assertEqual(os.listdir(folder), [])
            written = refbench_plot.save(Figure(), Path(folder), "classes-x", ["png"], "t")
            self.assertEqual(os.listdir(folder), ["classes-x.png"])
            self.assertEqual(written[0].read_bytes()[:8], PNG_MAGIC)

    def test_strategy_colours_are_fixed(self):
        self.assertEqual(plot_common.strategy_color("racy"), "#D55E00")
        self.assertEqual(plot_common.ordered_strategies(["immortal", "civ", "gil", "zz"]),
                         ["gil", "civ", "immortal", "zz"])
        self.assertEqual(plot_common.strategy_color("zz"), plot_common.strategy_color("zz"))


class CppVocabulary(unittest.TestCase):
    """The plots name strategies in refbench's own order: kAllStrategies in
    workloads/vocabulary.h, with the names of workloads/vocabulary.cc."""

    def cpp_strategies(self):
        header = (ROOT / "workloads" / "vocabulary.h").read_text()
        source = (ROOT / "workloads" / "vocabulary.cc").read_text()
        initializer = re.search(r"kAllStrategies\s*=\s*\{(.*?)\};", header, re.S)
        self.assertIsNotNone(initializer, "no kAllStrategies initializer in vocabulary.h")
        enumerators = re.findall(r"Strategy::(\w+)", initializer.group(1))
        names = dict(re.findall(r'case Strategy::(\w+):\s*return "([^"]+)";', source))
        self.assertTrue(enumerators, "kAllStrategies lists no Strategy:: enumerator")
        missing = [e for e in enumerators if e not in names]
        self.assertEqual(missing, [], "enumerators without a name in vocabulary.cc")
        return [names[e] for e in enumerators]

    def test_strategy_order_is_kAllStrategies(self):
        cpp = self.cpp_strategies()
        self.assertEqual(plot_common.STRATEGY_ORDER, cpp)
        self.assertEqual(plot_common.ordered_strategies(list(reversed(cpp))), cpp)

    def test_every_strategy_has_its_own_colour(self):
        cpp = self.cpp_strategies()
        self.assertEqual(sorted(plot_common.STRATEGY_COLORS), sorted(cpp))
        self.assertEqual(len(set(plot_common.STRATEGY_COLORS.values())), len(cpp))


if __name__ == "__main__":
    unittest.main()
