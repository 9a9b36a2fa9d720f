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
(strategy_is_correct == 0, i.e. racy) are hatched and labelled "(incorrect)".

Prints one line per file written (its path) and one line per plot skipped, with the
reason. Exit status: 0 if at least one plot was written, 1 if none could be, 2 for bad
input (no such file, not a refbench CSV: the message names what is missing).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import (  # noqa: E402
    EngFormatter, FuncFormatter, LogLocator, MaxNLocator, NullFormatter)

PROG = "refbench_plot"

# Columns every plot relies on; a CSV without one of them is not a refbench CSV.
REQUIRED_COLUMNS = [
    "workload", "strategy", "strategy_is_correct", "interpreters", "pus",
    "distance_class", "wait_policy", "repetition", "payload_bytes", "objects",
    "local_work", "messages", "msgs_per_s", "ns_per_msg",
]
NUMERIC_COLUMNS = [
    "strategy_is_correct", "interpreters", "repetition", "payload_bytes", "objects",
    "local_work", "messages", "msgs_per_s", "ns_per_msg", "verified", "violations",
]

# Fixed order and colours (Okabe-Ito, colour-blind safe), the same in every plot.
STRATEGY_ORDER = ["gil", "racy", "atomic", "civ", "civ-deferred", "biased", "immortal"]
STRATEGY_COLORS = {
    "gil": "#0072B2",           # blue
    "racy": "#D55E00",          # vermillion
    "atomic": "#E69F00",        # orange
    "civ": "#009E73",           # bluish green
    "immortal": "#7F7F7F",      # grey: the floor
    "civ-deferred": "#56B4E9",  # sky blue
    "biased": "#CC79A7",        # reddish purple
}
EXTRA_COLORS = ["#000000", "#F0E442", "#8C564B", "#9467BD", "#17BECF"]
INCORRECT_HATCH = "///"

# What the interpreters of each workload do, for the scaling plot's axis.
WORKLOAD_SHAPES = {
    "stream": "pairs: interpreters / 2",
    "pingpong": "pairs: interpreters / 2",
    "pipeline": "a chain of stages",
    "fanout": "1 root broadcasting to the others",
    "shuffle": "all to all",
}

CLASS_ORDER = ["same_pu", "smt_sibling", "shared_l2", "shared_l3", "same_numa",
               "same_package", "cross_package"]

# Settings that make points incomparable: a figure per distinct combination.
FIGURE_KEYS = ["workload", "payload_bytes", "objects", "local_work", "verified",
               "wait_policy"]

FORMATS = ("png", "svg", "pdf")
ANNOTATE_MAX_PUS = 16

plt.rcParams.update({
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 12,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "svg.fonttype": "none",   # text stays text: searchable, editable in write-ups
    "svg.hashsalt": "refbench",
    "axes.spines.top": False,
    "axes.spines.right": False,
})


class BadInput(Exception):
    """The input cannot be used: exit 2 with this one-line message."""


@dataclass
class Context:
    """What every figure needs besides its rows."""

    csv_path: Path
    subtitle: str                 # machine and date, or the CSV name and "(no metadata)"
    varying: list[str]            # FIGURE_KEYS that vary in this CSV
    incorrect: set[str]           # strategies with strategy_is_correct == 0
    strategies: list[str]         # every strategy of the CSV, in plotting order
    counters: list[str] = field(default_factory=list)
    counter_problems: dict = field(default_factory=dict)  # from the metadata record


@dataclass
class Group:
    """The rows of one figure: one workload, payload, ... (key holds the values)."""

    key: dict
    rows: pd.DataFrame


# --------------------------------------------------------------------------- input


def load_results(path: Path) -> pd.DataFrame:
    """Reads a refbench CSV; raises BadInput naming the file and what is wrong."""
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if not path.is_file():
        raise BadInput(f"{path}: not a file")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise BadInput(f"{path}: empty file, not a refbench CSV (no header)")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise BadInput(f"{path}: cannot be read as CSV: {reason}")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise BadInput(f"{path}: not a refbench results CSV: missing column"
                       f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
    for column in NUMERIC_COLUMNS + numeric_counter_columns(df):
        if column not in df.columns:
            continue
        values = pd.to_numeric(df[column], errors="coerce")
        bad = df[column].notna() & values.isna()
        if bad.any():
            line = int(bad.to_numpy().nonzero()[0][0]) + 2  # 1-based, after the header
            raise BadInput(f"{path}: line {line}: column {column} is not a number: "
                           f"{df[column][bad].iloc[0]!r}")
        df[column] = values
    if "verified" not in df.columns:
        df["verified"] = 0
    df["verified"] = df["verified"].fillna(0)
    return df


def counter_names(df: pd.DataFrame) -> list[str]:
    """Counters C with the C_source and C_per_msg columns, in CSV order."""
    names = []
    for column in df.columns:
        if column.endswith("_source"):
            name = column[: -len("_source")]
            if f"{name}_per_msg" in df.columns:
                names.append(name)
    return names


def numeric_counter_columns(df: pd.DataFrame) -> list[str]:
    suffixes = ["", "_per_msg", "_sender_per_msg", "_receiver_per_msg", "_scale"]
    return [name + s for name in counter_names(df) for s in suffixes
            if name + s in df.columns]


def load_metadata(csv_path: Path) -> tuple[dict | None, str | None]:
    """The metadata record beside the CSV, or None with a note when it is unusable."""
    meta_path = csv_path.with_name(csv_path.stem + ".meta.json")
    if not meta_path.exists():
        return None, None
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError) as e:
        return None, f"{meta_path}: unreadable ({e}); titles say (no metadata)"
    if not isinstance(meta, dict):
        return None, f"{meta_path}: not a JSON object; titles say (no metadata)"
    return meta, None


def format_date(text: str) -> str:
    """ISO 8601 to 'YYYY-MM-DD HH:MM' (plus the zone when there is one)."""
    try:
        when = datetime.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return str(text)
    shown = when.strftime("%Y-%m-%d %H:%M")
    if when.utcoffset() is not None:
        shown += " UTC" if when.utcoffset() == datetime.timedelta(0) else when.strftime(" %z")
    return shown


def machine_subtitle(csv_path: Path, meta: dict | None) -> str:
    if meta is None:
        return f"{csv_path.name} (no metadata)"
    host = meta.get("host", "unknown host")
    cpu = meta.get("cpu_model")
    date = format_date(meta["date"]) if meta.get("date") else "no date"
    version = meta.get("refbench_version")
    commit = str(meta.get("git_commit", ""))[:10]
    machine = f"{host} ({cpu})" if cpu else str(host)
    built = f"refbench {version}" if version else "refbench"
    if commit:
        built += f" @ {commit}"
    return f"{machine}, {date}; {built}"


# ---------------------------------------------------------------------- grouping


def ordered_strategies(names) -> list[str]:
    names = list(dict.fromkeys(names))
    known = [s for s in STRATEGY_ORDER if s in names]
    return known + sorted(s for s in names if s not in STRATEGY_ORDER)


def strategy_color(name: str) -> str:
    if name in STRATEGY_COLORS:
        return STRATEGY_COLORS[name]
    # Unknown strategies: stable colour from the name, not from what else is present.
    return EXTRA_COLORS[sum(name.encode()) % len(EXTRA_COLORS)]


def strategy_label(name: str, ctx: Context) -> str:
    return f"{name} (incorrect)" if name in ctx.incorrect else name


def ordered_classes(names) -> list[str]:
    names = list(dict.fromkeys(names))
    known = [c for c in CLASS_ORDER if c in names]
    return known + sorted(c for c in names if c not in CLASS_ORDER)


def varying_keys(df: pd.DataFrame) -> list[str]:
    """FIGURE_KEYS that need figures of their own.

    The wait policy counts only where one point (strategy, PUs, interpreters, ...) was
    measured under several: refbench itself picks `yield` for same-PU points and
    `spin` elsewhere, and those belong in one figure (the tick labels say so).
    """
    keys = [k for k in FIGURE_KEYS[:-1] if df[k].nunique(dropna=False) > 1]
    point = ["workload", "strategy", "pus", "interpreters"] + keys
    if df.groupby(point, dropna=False)["wait_policy"].nunique().max() > 1:
        keys.append("wait_policy")
    return keys


def figure_groups(df: pd.DataFrame, varying: list[str]) -> list[Group]:
    keys = ["workload"] + [k for k in varying if k != "workload"]
    groups = []
    by = keys if len(keys) > 1 else keys[0]
    for values, rows in df.groupby(by, sort=True, dropna=False):
        values = values if isinstance(values, tuple) else (values,)
        groups.append(Group(dict(zip(keys, values)), rows))
    return groups


# How each key column other than the workload reads: in a title, and in a file name.
KEY_WORDS = [
    ("payload_bytes", lambda v: f"payload {v:g} B", lambda v: f"payload{v:g}"),
    ("objects", lambda v: f"{v:g} objects", lambda v: f"objects{v:g}"),
    ("local_work", lambda v: f"local work {v:g}", lambda v: f"localwork{v:g}"),
    ("verified", lambda v: "verified" if v else "not verified",
     lambda v: "verified" if v else "unverified"),
    ("wait_policy", lambda v: f"wait {v}", lambda v: f"wait{v}"),
]


def describe_key(key: dict) -> str:
    """'stream, payload 64 B' and so on, for titles and skip lines."""
    parts = [str(key["workload"])]
    parts += [title(key[column]) for column, title, _ in KEY_WORDS if column in key]
    return ", ".join(parts)


def file_stem(kind: str, key: dict) -> str:
    parts = [kind, str(key["workload"])]
    parts += [stem(key[column]) for column, _, stem in KEY_WORDS if column in key]
    return "-".join(p.replace("/", "_").replace(" ", "_") for p in parts)


def common_settings(rows: pd.DataFrame, key: dict) -> str:
    """Settings shared by the figure's rows that its key does not already say."""
    parts = []
    if "payload_bytes" not in key and rows["payload_bytes"].nunique() == 1:
        parts.append(f"payload {rows['payload_bytes'].iloc[0]:g} B")
    if "objects" not in key and rows["objects"].nunique() == 1:
        n = rows["objects"].iloc[0]
        parts.append(f"{n:g} object{'s' if n != 1 else ''}")
    if "local_work" not in key and rows["local_work"].nunique() == 1:
        parts.append(f"local work {rows['local_work'].iloc[0]:g}")
    if "verified" not in key and rows["verified"].nunique() == 1 and rows["verified"].iloc[0]:
        parts.append("--verify (timings include the ledger)")
    return ", ".join(parts)


def figure_title(fig, what: str, group: Group, ctx: Context, rows: pd.DataFrame,
                 extra: str = ""):
    """Two lines or more: what, workload and settings; machine and date; `extra`."""
    head = f"{what}: {describe_key(group.key)}"
    settings = common_settings(rows, group.key)
    if settings:
        head += f", {settings}"
    # Wrap to the figure's width: a long CPU model must not run off the edges.
    chars = max(40, int(fig.get_figwidth() * 72 / (plt.rcParams["figure.titlesize"] * 0.6)))
    lines = textwrap.wrap(head, chars)
    parts = [ctx.subtitle] if len(ctx.subtitle) <= chars else ctx.subtitle.split("; ")
    for part in parts:
        lines += textwrap.wrap(part, chars)
    lines += textwrap.wrap(extra, chars)
    fig.suptitle("\n".join(lines))
    fig.refbench_title = f"{head}; {ctx.subtitle}"  # for the files' metadata


def wait_note(rows: pd.DataFrame, column: str, value) -> str:
    """' (wait yield)' when these rows used a wait policy other than the figure's usual."""
    usual = rows["wait_policy"].mode().iloc[0]
    policies = sorted(rows.loc[rows[column] == value, "wait_policy"].dropna().unique())
    if policies and policies != [usual]:
        return f"wait {', '.join(policies)}"
    return ""


def medians(rows: pd.DataFrame, by: list[str], value: str) -> pd.DataFrame:
    """Median, min, max and count of `value` per `by`, ignoring empty figures."""
    rows = rows.dropna(subset=[value])
    stats = rows.groupby(by, dropna=False)[value].agg(["median", "min", "max", "count"])
    return stats.reset_index()


def bar_style(strategy: str, ctx: Context) -> dict:
    style = {"color": strategy_color(strategy), "edgecolor": "black", "linewidth": 0.5}
    if strategy in ctx.incorrect:
        style["hatch"] = INCORRECT_HATCH
    return style


def strategy_handles(strategies, ctx: Context) -> list[Patch]:
    handles = []
    for s in strategies:
        style = bar_style(s, ctx)
        style["facecolor"] = style.pop("color")
        handles.append(Patch(label=strategy_label(s, ctx), **style))
    return handles


def violation_note(rows: pd.DataFrame, ctx: Context) -> str:
    """Correct strategies whose rows report violations: their timings are suspect."""
    if "violations" not in rows.columns:
        return ""
    bad = rows[(rows["strategy_is_correct"] == 1) & (rows["violations"] > 0)]
    if bad.empty:
        return ""
    counts = bad.groupby("strategy").size()
    listed = ", ".join(f"{s} in {n} row{'s' if n > 1 else ''}"
                       for s, n in counts.items())
    return f"warning: integrity violations in correct strategies: {listed}"


def add_footnote(fig, lines: list[str]):
    """Notes under the axes, in a strip that constrained layout keeps free."""
    lines = [line for line in lines if line]
    if not lines:
        return
    size = 8
    height_pt = fig.get_figheight() * 72
    strip = (len(lines) * size * 1.35 + 8) / height_pt
    fig.get_layout_engine().set(rect=(0, strip, 1, 1 - strip))
    fig.text(0.01, 4 / height_pt, "\n".join(lines), fontsize=size, color="#444444",
             ha="left", va="bottom", wrap=True)


# ----------------------------------------------------------------- plot 1: heatmap


def parse_pair(pus: str) -> tuple[int, int] | None:
    parts = str(pus).split(";")
    if len(parts) != 2:
        return None
    try:
        return int(parts[0]), int(parts[1])
    except ValueError:
        return None


def pair_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Two-interpreter rows that were timed, with their sender and receiver PU."""
    rows = rows[(rows["interpreters"] == 2) & rows["ns_per_msg"].notna()].copy()
    pairs = rows["pus"].map(parse_pair)
    rows = rows[pairs.notna()].copy()
    rows["sender"] = [p[0] for p in pairs[pairs.notna()]]
    rows["receiver"] = [p[1] for p in pairs[pairs.notna()]]
    return rows


def heatmap_skip_reason(rows: pd.DataFrame) -> str | None:
    pairs = pair_rows(rows)
    if pairs.empty:
        return "the CSV has no timed two-interpreter points (sender;receiver pairs)"
    distinct = pairs[pairs["sender"] != pairs["receiver"]]
    per_strategy = distinct.groupby("strategy")["pus"].nunique()
    most = int(per_strategy.max()) if not per_strategy.empty else 0
    if most >= 2:
        return None
    shown = ", ".join(sorted(distinct["pus"].str.replace(";", "->").unique()))
    which = f" ({shown})" if shown else ""
    return (f"the CSV has {most} pair of distinct PUs per strategy{which}; "
            "needs a sweep --pairs all")


def plot_heatmap(group: Group, ctx: Context):
    """Core-pair heatmap per strategy, one shared colour scale."""
    reason = heatmap_skip_reason(group.rows)
    if reason:
        return reason
    rows = pair_rows(group.rows)
    stats = medians(rows, ["strategy", "sender", "receiver"], "ns_per_msg")
    pus = sorted(set(stats["sender"]) | set(stats["receiver"]))
    index = {pu: i for i, pu in enumerate(pus)}
    strategies = ordered_strategies(stats["strategy"])
    n = len(pus)
    annotate = n <= ANNOTATE_MAX_PUS

    ncols = min(len(strategies), 3 if n <= 8 else 2)
    nrows = math.ceil(len(strategies) / ncols)
    cell = min(max(0.42 * n, 2.6), 7.0)  # inches per matrix
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * cell + 1.6, nrows * (cell + 0.45) + 1.2),
                             squeeze=False, layout="compressed")  # square matrices
    # From 0, so that colour differences are proportional to time differences.
    norm = matplotlib.colors.Normalize(vmin=0, vmax=stats["median"].max())
    cmap = matplotlib.colormaps["YlOrRd"].copy()
    cmap.set_bad("#e6e6e6")
    image = None
    for ax, strategy in zip(axes.flat, strategies):
        cells = stats[stats["strategy"] == strategy]
        matrix = np.full((n, n), np.nan)
        for _, c in cells.iterrows():
            matrix[index[c["sender"]], index[c["receiver"]]] = c["median"]
        image = ax.imshow(np.ma.masked_invalid(matrix), cmap=cmap, norm=norm,
                          origin="upper", aspect="equal", interpolation="nearest")
        draw_heatmap_axes(ax, pus, strategy, ctx)
        if annotate:
            annotate_cells(ax, matrix, norm)
    for ax in axes.flat[len(strategies):]:
        ax.remove()
    fig.colorbar(image, ax=list(axes.flat[:len(strategies)]), shrink=0.6, aspect=30,
                 label="median ns per message")
    figure_title(fig, "Core-pair heatmap, ns per message", group, ctx, rows)
    notes = ["rows: sender PU, columns: receiver PU; grey: not measured; "
             "shared colour scale across strategies"]
    diagonal = rows[rows["sender"] == rows["receiver"]]
    if not diagonal.empty:
        policies = ", ".join(sorted(diagonal["wait_policy"].unique()))
        notes.append(f"diagonal: both interpreters on one PU (wait {policies})")
    notes.append(violation_note(rows, ctx))
    add_footnote(fig, notes)
    return fig


def draw_heatmap_axes(ax, pus: list[int], strategy: str, ctx: Context):
    n = len(pus)
    step = 1 if n <= ANNOTATE_MAX_PUS else math.ceil(n / 16)
    ticks = list(range(0, n, step))
    ax.set_xticks(ticks, [str(pus[i]) for i in ticks])
    ax.set_yticks(ticks, [str(pus[i]) for i in ticks])
    ax.set_xlabel("receiver PU")
    ax.set_ylabel("sender PU")
    for side in ("top", "right"):
        ax.spines[side].set_visible(True)
    title = strategy_label(strategy, ctx)
    ax.set_title(title, color="#B00000" if strategy in ctx.incorrect else "black")
    if strategy in ctx.incorrect:
        # Hatch the whole matrix: its speed is not a real option.
        ax.add_patch(matplotlib.patches.Rectangle(
            (-0.5, -0.5), n, n, fill=False, hatch=INCORRECT_HATCH,
            edgecolor="#B00000", linewidth=0, alpha=0.35))


def annotate_cells(ax, matrix: np.ndarray, norm):
    n = matrix.shape[0]
    size = 9 if n <= 4 else 8 if n <= 8 else 6
    for y in range(n):
        for x in range(n):
            value = matrix[y, x]
            if np.isnan(value):
                continue
            dark = norm(value) > 0.6
            ax.text(x, y, format_ns(value), ha="center", va="center", fontsize=size,
                    color="white" if dark else "black")


def format_ns(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


# ------------------------------------------------------ plot 2: distance classes


def plot_classes(group: Group, ctx: Context):
    """Grouped bars: x distance class, a bar per strategy, and the ratio to immortal."""
    rows = group.rows.dropna(subset=["ns_per_msg"])
    if rows.empty:
        return "no ns_per_msg values"
    count = int(rows["interpreters"].min())
    rows = rows[rows["interpreters"] == count]
    stats = medians(rows, ["distance_class", "strategy"], "ns_per_msg")
    classes = ordered_classes(stats["distance_class"])
    strategies = ordered_strategies(stats["strategy"])
    has_immortal = "immortal" in strategies

    width = max(4.5, 1.0 + len(classes) * (0.3 * len(strategies) + 0.5))
    panels = 2 if has_immortal and len(strategies) > 1 else 1
    fig, axes = plt.subplots(panels, 1, figsize=(width + 2.0, 3.1 * panels + 1.5),
                             sharex=True, squeeze=False, layout="constrained")
    axes = axes[:, 0]
    positions = bar_positions(classes, strategies)
    logarithmic = needs_log_scale(stats["median"])
    draw_class_bars(axes[0], stats, classes, strategies, positions, ctx, logarithmic)
    axes[0].set_ylabel("median ns per message" + (" (log scale)" if logarithmic else ""))
    if panels == 2:
        draw_ratio_bars(axes[1], stats, classes, strategies, positions, ctx)
    set_class_ticks(axes[-1], rows, classes, count)
    axes[0].legend(handles=strategy_handles(strategies, ctx), loc="upper left",
                   bbox_to_anchor=(1.01, 1.0), borderaxespad=0, frameon=False)
    figure_title(fig, "Strategies per distance class", group, ctx, rows)
    pairs = rows.groupby("distance_class")["pus"].nunique()
    notes = [f"{count} interpreters; bars: median over repetitions"
             + (" and PU pairs" if pairs.max() > 1 else "")
             + "; whiskers: min-max"]
    notes.append(violation_note(rows, ctx))
    add_footnote(fig, notes)
    return fig


def bar_positions(classes, strategies) -> tuple[dict, float]:
    """x of each (class, strategy) bar: groups one unit apart, bars side by side."""
    width = 0.8 / len(strategies)
    return {(c, s): i - 0.4 + width * (j + 0.5)
            for i, c in enumerate(classes) for j, s in enumerate(strategies)}, width


def needs_log_scale(values: pd.Series) -> bool:
    """True when bars span more than 10x (a same-PU yield point beside spinning pairs): on a
    linear axis the small ones would be unreadable slivers."""
    positive = values[values > 0]
    return len(positive) > 1 and positive.max() / positive.min() > 10


def draw_class_bars(ax, stats, classes, strategies, positions, ctx: Context,
                    logarithmic: bool = False):
    where, width = positions
    for s in strategies:
        cells = stats[stats["strategy"] == s].set_index("distance_class")
        cells = cells.reindex([c for c in classes if c in cells.index])
        xs = [where[(c, s)] for c in cells.index]
        low = cells["median"] - cells["min"]
        high = cells["max"] - cells["median"]
        ax.bar(xs, cells["median"], width, yerr=[low, high], capsize=2,
               error_kw={"elinewidth": 0.8, "ecolor": "#333333"}, **bar_style(s, ctx))
    if logarithmic:
        ax.set_yscale("log")
        # 1-2-5 ticks in plain numbers: a log axis over one decade has one 10^k tick only.
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        ax.set_ylim(bottom=0)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def draw_ratio_bars(ax, stats, classes, strategies, positions, ctx: Context):
    where, width = positions
    floor = stats[stats["strategy"] == "immortal"].set_index("distance_class")["median"]
    label_size = 8 if len(strategies) * len(classes) <= 24 else 6.5
    for s in strategies:
        cells = stats[stats["strategy"] == s].set_index("distance_class")["median"]
        cells = cells[[c for c in classes if c in cells.index and c in floor.index]]
        ratio = cells / floor[cells.index]
        xs = [where[(c, s)] for c in ratio.index]
        ax.bar(xs, ratio, width, **bar_style(s, ctx))
        for x, r in zip(xs, ratio):
            ax.annotate(f"{r:.2f}x" if r < 10 else f"{r:.0f}x", (x, r),
                        textcoords="offset points", xytext=(0, 2), ha="center",
                        va="bottom", fontsize=label_size, rotation=90)
    ax.axhline(1.0, color="#555555", linewidth=0.8, linestyle="--")
    ax.set_ylabel("ratio to immortal\n(median ns per message)")
    top = ax.get_ylim()[1]
    ax.set_ylim(0, top * 1.18)  # room for the rotated labels
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def set_class_ticks(ax, rows: pd.DataFrame, classes, count: int):
    labels = []
    for c in classes:
        label = c
        n_pairs = rows.loc[rows["distance_class"] == c, "pus"].nunique()
        extras = []
        if n_pairs > 1:
            extras.append(f"{n_pairs} PU sets" if count > 2 else f"{n_pairs} pairs")
        else:
            extras.append("PUs " + str(rows.loc[rows["distance_class"] == c, "pus"].iloc[0])
                          .replace(";", ","))
        note = wait_note(rows, "distance_class", c)
        if note:
            extras.append(note)
        labels.append(label + "\n" + "\n".join(extras))
    ax.set_xticks(range(len(classes)), labels)
    ax.set_xlabel("distance class (closest level the two PUs share)")


# ------------------------------------------------------------- plot 3: scaling


def plot_scaling(group: Group, ctx: Context):
    """Total messages per second against the number of interpreters."""
    rows = group.rows.dropna(subset=["msgs_per_s"])
    counts = sorted(rows["interpreters"].unique())
    if not counts:
        return "no msgs_per_s values"
    if len(counts) < 2:
        return (f"the CSV has one interpreter count ({counts[0]:g}); "
                "needs a sweep --interpreters with several counts")
    placements = scaling_placements(rows)
    rows = rows.assign(placement=placements)
    several = placements.nunique() > 1
    stats = medians(rows, ["strategy", "placement", "interpreters"], "msgs_per_s")
    strategies = ordered_strategies(stats["strategy"])
    fig, ax = plt.subplots(figsize=(8.5, 5.2), layout="constrained")
    markers = dict(zip(sorted(stats["placement"].unique()), "osD^v<>p*h"))
    for s in strategies:
        for placement, marker in markers.items():
            line = stats[(stats["strategy"] == s) & (stats["placement"] == placement)]
            if line.empty:
                continue
            line = line.sort_values("interpreters")
            incorrect = s in ctx.incorrect
            label = strategy_label(s, ctx) + (f", {placement}" if several else "")
            ax.plot(line["interpreters"], line["median"], marker=marker, linewidth=1.8,
                    color=strategy_color(s), linestyle="--" if incorrect else "-",
                    label=label)
            ax.fill_between(line["interpreters"], line["min"], line["max"],
                            color=strategy_color(s), alpha=0.15, linewidth=0,
                            hatch=INCORRECT_HATCH if incorrect else None)
    ax.set_xticks(counts, [f"{c:g}" for c in counts])
    shape = WORKLOAD_SHAPES.get(str(group.key["workload"]))
    ax.set_xlabel("interpreters (threads" + (f"; {shape}" if shape else "") + ")")
    ax.set_ylabel("messages per second (all interpreters)")
    ax.yaxis.set_major_formatter(EngFormatter(sep=" "))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, frameon=False)
    figure_title(fig, "Throughput vs interpreters", group, ctx, rows)
    pu_sets = rows.groupby(["placement", "interpreters"])["pus"].nunique()
    classes = ", ".join(ordered_classes(rows["distance_class"].dropna()))
    notes = [f"lines: median over repetitions"
             + (" and PU sets" if pu_sets.max() > 1 else "")
             + f"; bands: min-max; distance classes: {classes}"]
    if not several and placements.iloc[0]:
        notes.append(f"placement: {placements.iloc[0]}")
    notes.append(violation_note(rows, ctx))
    add_footnote(fig, notes)
    return fig


def scaling_placements(rows: pd.DataFrame) -> pd.Series:
    """What placed each row (the placement column; CSVs from before it have none)."""
    if "placement" not in rows.columns:
        return pd.Series("", index=rows.index)
    return rows["placement"].fillna("").astype(str)


# ------------------------------------------------------------ plot 4: counters


@dataclass
class CounterData:
    name: str
    sources: list[str]
    stats: pd.DataFrame   # placement, strategy, total, sender, receiver (medians)
    split: bool           # sender + receiver add up to the total
    all_zero: bool        # 0 in every row that counted


def counter_per_msg(rows: pd.DataFrame, name: str) -> pd.Series:
    """C per message, recomputed from C / messages where the CSV has C (the _per_msg
    column is rounded to 4 decimals, which turns rare events into 0)."""
    per_msg = rows[f"{name}_per_msg"]
    if name in rows.columns:
        exact = rows[name] / rows["messages"].where(rows["messages"] > 0)
        per_msg = exact.where(exact.notna(), per_msg)
    return per_msg


def counter_data(rows: pd.DataFrame, name: str, placement: pd.Series) -> CounterData | None:
    """Medians of one counter per placement and strategy; None if it has no values."""
    source = rows[f"{name}_source"].fillna("unavailable")
    usable = source.isin(["hw", "sw"])
    total = counter_per_msg(rows, name).where(usable)
    if total.notna().sum() == 0:
        return None
    frame = pd.DataFrame({"placement": placement, "strategy": rows["strategy"],
                          "total": total})
    sender_col, receiver_col = f"{name}_sender_per_msg", f"{name}_receiver_per_msg"
    split = sender_col in rows.columns and receiver_col in rows.columns
    if split:
        frame["sender"] = rows[sender_col].where(usable)
        frame["receiver"] = rows[receiver_col].where(usable)
        both = frame.dropna(subset=["total", "sender", "receiver"])
        gap = (both["sender"] + both["receiver"] - both["total"]).abs()
        split = not both.empty and bool((gap <= 0.05 * both["total"].abs() + 1e-12).all())
    frame = frame.dropna(subset=["total"])
    grouped = frame.groupby(["placement", "strategy"])
    stats = grouped.median(numeric_only=True)
    stats["total_min"] = grouped["total"].min()
    stats["total_max"] = grouped["total"].max()
    sources = sorted(source[usable & total.notna()].unique())
    all_zero = bool((frame["total"].abs() < 1e-12).all())
    return CounterData(name, sources, stats.reset_index(), split, all_zero)


def counter_placements(rows: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """Bar groups: the distance class, with the interpreter count where that varies."""
    if rows["interpreters"].nunique() > 1:
        label = rows["distance_class"] + ", " + rows["interpreters"].map(
            lambda n: f"{n:g} interp.")
        order = []
        for n in sorted(rows["interpreters"].unique()):
            part = rows[rows["interpreters"] == n]
            order += [f"{c}, {n:g} interp." for c in ordered_classes(part["distance_class"])]
        return label, order
    return rows["distance_class"], ordered_classes(rows["distance_class"])


def counters_summary(rows: pd.DataFrame, names: list[str]) -> tuple[list, dict]:
    """Counters with values, and the others sorted into why they are left out."""
    placement, _ = counter_placements(rows)
    plotted, left_out = [], {"unavailable": [], "zero in every row": []}
    for name in names:
        data = counter_data(rows, name, placement)
        if data is None:
            left_out["unavailable"].append(name)
        elif data.all_zero:
            left_out["zero in every row"].append(name)
        else:
            plotted.append(data)
    return plotted, left_out


def plot_counters(group: Group, ctx: Context):
    """Median C per message by placement and strategy, for every counter that counted."""
    if not ctx.counters:
        return "the CSV has no counter columns (run with --counters)"
    rows = group.rows
    plotted, left_out = counters_summary(rows, ctx.counters)
    if not plotted:
        why = "; ".join(f"{k}: {', '.join(v)}" for k, v in left_out.items() if v)
        return f"no counter has values ({why})"
    placement, order = counter_placements(rows)
    labelled = rows.assign(placement=placement)
    wait_notes = {p: "\n" + note for p in order
                  if (note := wait_note(labelled, "placement", p))}
    strategies = ordered_strategies(rows["strategy"])
    ncols = 1 if len(plotted) == 1 else 2
    nrows = math.ceil(len(plotted) / ncols)
    width = max(5.5, 0.9 + len(order) * (0.28 * len(strategies) + 0.45))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * width + 2.2, nrows * 3.4 + 1.6),
                             squeeze=False, layout="constrained")
    for ax, data in zip(axes.flat, plotted):
        draw_counter(ax, data, order, strategies, wait_notes, ctx)
    for ax in axes.flat[len(plotted):]:
        ax.remove()
    handles = strategy_handles(strategies, ctx)
    if any(d.split for d in plotted):
        handles += [Patch(facecolor="#999999", edgecolor="black", linewidth=0.5,
                          label="sender (lower part)"),
                    Patch(facecolor="#999999", alpha=0.45, edgecolor="black",
                          linewidth=0.5, label="receiver (upper part)")]
    axes.flat[ncols - 1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                                borderaxespad=0, frameon=False)
    figure_title(fig, "Counters per message", group, ctx, rows,
                 extra=counter_sources_line(plotted, left_out, ctx.counter_problems))
    fig.get_layout_engine().set(h_pad=0.12)
    add_footnote(fig, ["bars: median over repetitions (whiskers: min-max of the total); "
                       "empty figures (not counted) are left out, never drawn as 0",
                       violation_note(rows, ctx)])
    return fig


def counter_sources_line(plotted: list[CounterData], left_out: dict,
                         problems: dict) -> str:
    """'hw counters: ...; sw counters: ...; unavailable: cycles (ENOENT), ...'."""
    by_source: dict[str, list[str]] = {}
    for data in plotted:
        for source in data.sources:
            by_source.setdefault(source, []).append(data.name)
    parts = [f"{src} counters: {', '.join(names)}" for src, names in sorted(by_source.items())]
    left_out = dict(left_out)
    left_out["unavailable"] = unavailable_by_reason(left_out.get("unavailable", []), problems)
    parts += [f"{why}: {', '.join(names)}" for why, names in left_out.items() if names]
    return "; ".join(parts)


def unavailable_by_reason(names: list[str], problems: dict) -> list[str]:
    """['cycles, instructions (ENOENT: ...)', 'x']: counters sharing a reason named once."""
    reasons: dict[str, list[str]] = {}
    for name in names:
        reasons.setdefault(problems.get(name, ""), []).append(name)
    return [", ".join(group) + (f" ({why})" if why else "") for why, group in reasons.items()]


def draw_counter(ax, data: CounterData, order, strategies, wait_notes: dict, ctx: Context):
    stats = data.stats
    order = [p for p in order if p in set(stats["placement"])]
    scale, unit = per_messages_scale(max(stats["total"].abs().max(),
                                         stats["total_max"].abs().max()))
    width = 0.8 / len(strategies)
    for j, s in enumerate(strategies):
        cells = stats[stats["strategy"] == s].set_index("placement")
        cells = cells.reindex([p for p in order if p in cells.index])
        xs = [order.index(p) - 0.4 + width * (j + 0.5) for p in cells.index]
        style = bar_style(s, ctx)
        if data.split:
            ax.bar(xs, cells["sender"] * scale, width, **style)
            ax.bar(xs, cells["receiver"] * scale, width, bottom=cells["sender"] * scale,
                   alpha=0.45, **style)
        else:
            ax.bar(xs, cells["total"] * scale, width, **style)
        ax.errorbar(xs, cells["total"] * scale,
                    yerr=[(cells["total"] - cells["total_min"]) * scale,
                          (cells["total_max"] - cells["total"]) * scale],
                    fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2)
    ax.set_xticks(range(len(order)), [p.replace(", ", "\n") + wait_notes.get(p, "")
                                      for p in order])
    ax.set_title(f"{data.name} ({'/'.join(data.sources)})")
    ax.set_ylabel(f"{data.name} {unit}")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    notes = []
    if not data.split:
        notes.append("total only (no sender/receiver split)")
    if (stats["total"].abs() < 1e-12).all():
        notes.append("median 0 for every strategy; whiskers show the nonzero repetitions")
    if notes:
        ax.set_ylim(top=ax.get_ylim()[1] * (1 + 0.08 * len(notes)))  # room for the notes
        ax.text(0.99, 0.99, "\n".join(notes), transform=ax.transAxes, ha="right",
                va="top", fontsize=7, color="#555555")


def per_messages_scale(largest: float) -> tuple[float, str]:
    """Rare events read better per thousand or per million messages."""
    if largest >= 0.1 or largest == 0 or not math.isfinite(largest):
        return 1.0, "per message"
    if largest * 1e3 >= 0.1:
        return 1e3, "per 1,000 messages"
    return 1e6, "per million messages"


# ---------------------------------------------------------------------- driver

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
        # Written under a temporary name and renamed: never a half-written plot.
        partial = path.with_name(f".{path.name}.tmp")
        fig.savefig(partial, format=fmt, metadata=metadata)
        partial.replace(path)
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


def make_context(df: pd.DataFrame, csv_path: Path, meta: dict | None) -> Context:
    incorrect = set(df.loc[df["strategy_is_correct"] == 0, "strategy"])
    return Context(csv_path=csv_path, subtitle=machine_subtitle(csv_path, meta),
                   varying=varying_keys(df), incorrect=incorrect,
                   strategies=ordered_strategies(df["strategy"]),
                   counters=counter_names(df), counter_problems=counter_problems(meta))


def counter_problems(meta: dict | None) -> dict:
    """Counter name -> why it could not be counted, from the metadata's "counters"."""
    problems = {}
    counters = meta.get("counters") if isinstance(meta, dict) else None
    for counter in counters if isinstance(counters, list) else []:
        if isinstance(counter, dict) and counter.get("name") and counter.get("problem"):
            problems[str(counter["name"])] = str(counter["problem"])
    return problems


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
            for path in save(result, out_dir, file_stem(kind, group.key), args.format, title):
                print(path)
                written += 1
        report_skips(kind, skips, len(groups))
    if written == 0:
        print(f"{PROG}: no plot could be made from {args.csv}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
