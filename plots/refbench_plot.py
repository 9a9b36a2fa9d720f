#!/usr/bin/python3
"""Plots of one refbench results CSV.

Usage:
    /usr/bin/python3 plots/refbench_plot.py FILE.csv [--out DIR] [--format png,svg]

Reads one CSV written by `refbench run` or `refbench sweep` (one row per point and
repetition; columns in README "CSV columns") and the metadata record beside it,
`FILE.meta.json`, when there is one (its "host", "cpu_model", "date",
"refbench_version" and "git_commit" go into every title; without it the titles name
the CSV and say "(no metadata)").

It writes each plot the data supports, as PNG and SVG by default, into DIR (default:
a folder named after the CSV's stem plus "-plots", beside the CSV):

  heatmap-*   core-pair heatmap per strategy: median ns per message by sender PU (y)
              and receiver PU (x), two-interpreter points, one shared colour scale;
              needs at least 2 pairs of distinct PUs (`refbench sweep --pairs all`)
  classes-*   strategies per distance class: median ns per message, min-max whiskers,
              and each strategy's ratio to `immortal`
  scaling-*   total messages per second against the number of interpreters, a line
              per strategy (and per placement policy where the CSV's placement column
              has several); needs more than one interpreter count
  counters-*  each counter that counted (source hw or sw) per message, per strategy,
              split into sender and receiver where the CSV has the split

Figures are made per workload, and per payload, objects, local work, verification and
wait policy where those vary in the CSV (the file name then says which). Medians are
over repetitions (and over the PU pairs of a class). Empty figures (not measured,
counters unavailable) are never plotted as zero. Strategies that are not correct
(strategy_is_correct == 0, i.e. racy) are hatched and labelled "(incorrect)". Rows of
civ and civ-deferred whose views held only their sender's id (view_owner id, CPython's)
are plotted as a strategy of their own, "civ (id)", in their strategy's colour,
cross-hatched (dotted in scaling plots) and labelled "may leak"; the notes under the axes
say which of them leaked.

Prints one line per file written (its path) and one line per plot skipped, with the
reason. Exit status: 0 if at least one plot was written, 1 if none could be, 2 for bad
input (no such file, not a refbench CSV: the message names what is missing).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window: chosen before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402

# One module per plot kind, named after the files it writes (plot_heatmap.py writes
# heatmap-*); what the kinds share is in plot_common.py, reading the CSV and its
# metadata in plot_input.py.
from plot_classes import plot_classes  # noqa: E402
from plot_common import Group, describe_key, figure_groups, file_stem, make_context  # noqa: E402
from plot_counters import plot_counters  # noqa: E402
from plot_heatmap import plot_heatmap  # noqa: E402
from plot_input import BadInput, load_metadata, load_results  # noqa: E402
from plot_scaling import plot_scaling  # noqa: E402

PROG = "refbench_plot"

FORMATS = ("png", "svg", "pdf")

# Each kind's function takes one figure group and the context and returns the figure,
# or a string saying why this group has none; the kind starts its files' names.
PLOTS = [
    ("heatmap", plot_heatmap),
    ("classes", plot_classes),
    ("scaling", plot_scaling),
    ("counters", plot_counters),
]


def save(fig, out_dir: Path, stem: str, formats: list[str], title: str) -> list[Path]:
    written = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        metadata = {"Title": title} if fmt in ("png", "svg", "pdf") else None
        if fmt == "svg":
            metadata["Date"] = None  # reproducible files
        # Written under a temporary name, flushed to the disk and renamed: never a
        # half-written plot, and no temporary left when the write fails.
        partial = path.with_name(f".{path.name}.tmp")
        try:
            with open(partial, "wb") as out:
                fig.savefig(out, format=fmt, metadata=metadata)
                out.flush()
                os.fsync(out.fileno())
            partial.replace(path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        written.append(path)
    plt.close(fig)
    return written


def parse_formats(text: str) -> list[str]:
    formats = [f.strip().lower() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if not formats or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(formats))


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog=PROG, description="Plots of one refbench results CSV.")
    parser.add_argument("csv", type=Path, help="results CSV written by refbench run or sweep")
    parser.add_argument("--out", type=Path,
                        help="output folder (default: CSV stem + '-plots' beside the CSV)")
    parser.add_argument("--format", type=parse_formats, default=["png", "svg"],
                        help="comma-separated: png, svg, pdf (default: png,svg)")
    return parser.parse_args(argv)


def report_skips(kind: str, skips: list[tuple[Group, str]], total: int):
    """One line when every figure of a kind was skipped for one reason, else one each."""
    if skips and len(skips) == total and len({r for _, r in skips}) == 1:
        print(f"{kind}: skipped, {skips[0][1]}")
        return
    for group, reason in skips:
        print(f"{kind} ({describe_key(group.key)}): skipped, {reason}")


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        df = load_results(args.csv)
    except BadInput as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    if df.empty:
        print(f"{PROG}: {args.csv}: no rows; nothing to plot")
        return 1
    meta, meta_note = load_metadata(args.csv)
    if meta_note:
        print(f"{PROG}: {meta_note}", file=sys.stderr)
    ctx = make_context(df, args.csv, meta)
    out_dir = args.out or args.csv.with_name(args.csv.stem + "-plots")
    groups = figure_groups(df, ctx.varying)

    written = 0
    for kind, plot in PLOTS:
        skips = []
        for group in groups:
            result = plot(group, ctx)
            if isinstance(result, str):
                skips.append((group, result))
                continue
            try:
                out_dir.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                print(f"{PROG}: {out_dir}: cannot create the output folder: {e.strerror}",
                      file=sys.stderr)
                return 2
            title = getattr(result, "refbench_title", kind)
            try:
                paths = save(result, out_dir, file_stem(kind, group.key), args.format, title)
            except OSError as e:
                print(f"{PROG}: {out_dir}: cannot write the {kind} plot: {e.strerror}; "
                      f"{written} plots written before it", file=sys.stderr)
                return 1
            for path in paths:
                print(path)
                written += 1
        report_skips(kind, skips, len(groups))
    if written == 0:
        print(f"{PROG}: no plot could be made from {args.csv}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
