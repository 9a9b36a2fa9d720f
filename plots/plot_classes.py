"""classes-*: strategies per distance class, median ns per message with min-max whiskers,
and under them each strategy's ratio to `immortal` (the floor).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from plot_common import (Context, Group, add_footnote, as_processes, bar_style, figure_title,
                         medians, ordered_classes, ordered_strategies, strategy_handles,
                         violation_note, wait_note)
from plot_input import AS_PROCESSES


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


def floor_of(stats, strategy: str):
    """Immortal's medians per class, of the same isolation as `strategy`: a strategy run as
    processes beside threads is over immortal as processes (where that ran)."""
    floor = "immortal"
    if as_processes(strategy) and (stats["strategy"] == "immortal" + AS_PROCESSES).any():
        floor += AS_PROCESSES
    return stats[stats["strategy"] == floor].set_index("distance_class")["median"]


def draw_ratio_bars(ax, stats, classes, strategies, positions, ctx: Context):
    where, width = positions
    label_size = 8 if len(strategies) * len(classes) <= 24 else 6.5
    for s in strategies:
        floor = floor_of(stats, s)
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
