"""What every plot kind shares: the strategy and distance-class order, the colours, the
figure groups (one figure per workload and per setting that varies) with their titles
and file names, and the notes under the axes.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from plot_input import AS_PROCESSES, ID_VIEWS, counter_names, counter_problems, machine_subtitle

# Fixed order and colours (Okabe-Ito, colour-blind safe), the same in every plot. The
# order is refbench's own, kAllStrategies in workloads/vocabulary.h (a test checks).
STRATEGY_ORDER = ["gil", "racy", "atomic", "biased", "civ", "civ-deferred", "immortal"]
STRATEGY_COLORS = {
    "gil": "#0072B2",           # blue
    "racy": "#D55E00",          # vermillion
    "atomic": "#E69F00",        # orange
    "biased": "#CC79A7",        # reddish purple
    "civ": "#009E73",           # bluish green
    "civ-deferred": "#56B4E9",  # sky blue
    "immortal": "#7F7F7F",      # grey: the floor
}
EXTRA_COLORS = ["#000000", "#F0E442", "#8C564B", "#9467BD", "#17BECF"]
INCORRECT_HATCH = "///"
# Views that held only their sender's id (plot_input.label_view_owners): correct in
# themselves, but they leak once the sender is finalised early. Their strategy's colour,
# cross-hatched, labelled "may leak".
MAY_LEAK_HATCH = "xx"
# Strategies run as processes beside the same strategies as threads: dotted, in their colour.
PROCESS_HATCH = ".."

CLASS_ORDER = ["same_pu", "smt_sibling", "shared_l2", "shared_l3", "same_numa",
               "same_package", "cross_package"]

# Settings that make points incomparable: a figure per distinct combination.
FIGURE_KEYS = ["workload", "payload_bytes", "objects", "local_work", "verified",
               "wait_policy"]

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
    may_leak: set[str] = field(default_factory=set)  # id views: "civ (id)", ...


@dataclass
class Group:
    """The rows of one figure: one workload, payload, ... (key holds the values)."""

    key: dict
    rows: pd.DataFrame


def make_context(df: pd.DataFrame, csv_path: Path, meta: dict | None) -> Context:
    incorrect = set(df.loc[df["strategy_is_correct"] == 0, "strategy"])
    return Context(csv_path=csv_path, subtitle=machine_subtitle(csv_path, meta),
                   varying=varying_keys(df), incorrect=incorrect,
                   strategies=ordered_strategies(df["strategy"]),
                   counters=counter_names(df), counter_problems=counter_problems(meta),
                   may_leak={s for s in df["strategy"].unique() if may_leak(s)})


def may_leak(name: str) -> bool:
    """A strategy whose views held only their sender's id: "civ (id)", "civ (id) (process)"."""
    name = str(name)
    return (name[: -len(AS_PROCESSES)] if as_processes(name) else name).endswith(ID_VIEWS)


def as_processes(name: str) -> bool:
    """Whether the strategy's rows ran as processes beside threads ("atomic (process)")."""
    return str(name).endswith(AS_PROCESSES)


def base_strategy(name: str) -> str:
    """"civ" for "civ (id)", "civ (process)" and "civ (id) (process)"; the name itself
    otherwise."""
    name = name[: -len(AS_PROCESSES)] if as_processes(name) else name
    return name[: -len(ID_VIEWS)] if may_leak(name) else name


def ordered_strategies(names) -> list[str]:
    """refbench's order; each id-view variant right after its strategy, and each as
    processes right after it as threads."""
    names = list(dict.fromkeys(names))
    variants = [ID_VIEWS, AS_PROCESSES, ID_VIEWS + AS_PROCESSES]
    known = [s for base in STRATEGY_ORDER for s in [base] + [base + v for v in variants]
             if s in names]
    return known + sorted(s for s in names if s not in known)


def strategy_color(name: str) -> str:
    if base_strategy(name) in STRATEGY_COLORS:
        return STRATEGY_COLORS[base_strategy(name)]
    # Unknown strategies: stable colour from the name, not from what else is present.
    return EXTRA_COLORS[sum(name.encode()) % len(EXTRA_COLORS)]


def strategy_label(name: str, ctx: Context) -> str:
    if name in ctx.incorrect:
        return f"{name} (incorrect)"
    return f"{name}: may leak" if name in ctx.may_leak else name


NUMA_DISTANCE_PREFIX = "numa_distance_"


def class_rank(name: str):
    """Where a distance class stands, nearest first, as refbench ranks it.

    Classes split by the firmware's NUMA distances (numa_distance_12, numa_distance_32)
    stand where same_package does, ordered by their value; a class refbench does not
    know goes last, by name.
    """
    if name in CLASS_ORDER:
        return (CLASS_ORDER.index(name), 0, "")
    value = name[len(NUMA_DISTANCE_PREFIX):]
    if name.startswith(NUMA_DISTANCE_PREFIX) and value.isdigit():
        return (CLASS_ORDER.index("same_package"), int(value), "")
    return (len(CLASS_ORDER), 0, name)


def ordered_classes(names) -> list[str]:
    return sorted(dict.fromkeys(names), key=class_rank)


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
    elif strategy in ctx.may_leak:
        style["hatch"] = MAY_LEAK_HATCH
    elif as_processes(strategy):
        style["hatch"] = PROCESS_HATCH
    return style


def strategy_handles(strategies, ctx: Context) -> list[Patch]:
    handles = []
    for s in strategies:
        style = bar_style(s, ctx)
        style["facecolor"] = style.pop("color")
        handles.append(Patch(label=strategy_label(s, ctx), **style))
    return handles


def violation_note(rows: pd.DataFrame, ctx: Context) -> str:
    """Correct strategies whose rows report violations: their timings are suspect. Views
    that held only their sender's id (CPython's) are said apart: they may leak."""
    if "violations" not in rows.columns:
        return ""
    flagged = rows[(rows["strategy_is_correct"] == 1) & (rows["violations"] > 0)]
    leaking = flagged["strategy"].map(may_leak).astype(bool)

    def listed(part):
        counts = part.groupby("strategy").size()
        return ", ".join(f"{s} in {n} row{'s' if n > 1 else ''}" for s, n in counts.items())

    notes = []
    if (~leaking).any():
        notes.append("warning: integrity violations in correct strategies: "
                     + listed(flagged[~leaking]))
    if leaking.any():
        notes.append("views holding only their sender's id (CPython's, x-hatched) leaked: "
                     + listed(flagged[leaking]))
    return "\n".join(notes)


def add_footnote(fig, lines: list[str]):
    """Notes under the axes, in a strip that constrained layout keeps free."""
    lines = [part for line in lines if line for part in line.split("\n")]
    if not lines:
        return
    size = 8
    height_pt = fig.get_figheight() * 72
    strip = (len(lines) * size * 1.35 + 8) / height_pt
    fig.get_layout_engine().set(rect=(0, strip, 1, 1 - strip))
    fig.text(0.01, 4 / height_pt, "\n".join(lines), fontsize=size, color="#444444",
             ha="left", va="bottom", wrap=True)
