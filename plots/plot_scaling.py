"""scaling-*: total messages per second against the number of interpreters, a line per
strategy (and per placement policy where the CSV's placement column has several); needs
more than one interpreter count.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import EngFormatter

from plot_common import (INCORRECT_HATCH, Context, Group, add_footnote, figure_title,
                         medians, ordered_classes, ordered_strategies, strategy_color,
                         strategy_label, violation_note)

# What the interpreters of each workload do, for the scaling plot's axis.
WORKLOAD_SHAPES = {
    "stream": "pairs: interpreters / 2",
    "pingpong": "pairs: interpreters / 2",
    "pipeline": "a chain of stages",
    "fanout": "1 root broadcasting to the others",
    "shuffle": "all to all",
}


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
            # Dashed: incorrect (racy); dotted: views that held only the id (may leak).
            style = "--" if incorrect else ":" if s in ctx.may_leak else "-"
            ax.plot(line["interpreters"], line["median"], marker=marker, linewidth=1.8,
                    color=strategy_color(s), linestyle=style, label=label)
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
