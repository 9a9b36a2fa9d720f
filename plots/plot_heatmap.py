"""heatmap-*: a core-pair heatmap per strategy, median ns per message by sender PU (rows)
and receiver PU (columns), one colour scale shared by the strategies. Two-interpreter
points only; needs at least 2 pairs of distinct PUs (`refbench sweep --pairs all`).

A sampled sweep (`--pairs sample:K`, `--pairs classes`, an unordered sweep) measures only
some cells: the others stay empty (grey, never interpolated, never zero), and the subtitle
says how many of the ordered pairs of distinct PUs shown were measured.
"""

from __future__ import annotations

import math

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from plot_common import (INCORRECT_HATCH, Context, Group, add_footnote, figure_title,
                         medians, ordered_strategies, strategy_label, violation_note)

# Larger matrices get no numbers in their cells, and a tick every few PUs.
ANNOTATE_MAX_PUS = 16


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
        matrix = heatmap_matrix(stats[stats["strategy"] == strategy], index)
        image = ax.imshow(np.ma.masked_invalid(matrix), cmap=cmap, norm=norm,
                          origin="upper", aspect="equal", interpolation="nearest")
        draw_heatmap_axes(ax, pus, strategy, ctx)
        if annotate:
            annotate_cells(ax, matrix, norm)
    for ax in axes.flat[len(strategies):]:
        ax.remove()
    fig.colorbar(image, ax=list(axes.flat[:len(strategies)]), shrink=0.6, aspect=30,
                 label="median ns per message")
    figure_title(fig, "Core-pair heatmap, ns per message", group, ctx, rows,
                 extra=sampling_note(stats, pus) or "")
    notes = ["rows: sender PU, columns: receiver PU; grey: not measured; "
             "shared colour scale across strategies"]
    diagonal = rows[rows["sender"] == rows["receiver"]]
    if not diagonal.empty:
        policies = ", ".join(sorted(diagonal["wait_policy"].unique()))
        notes.append(f"diagonal: both interpreters on one PU (wait {policies})")
    notes.append(violation_note(rows, ctx))
    add_footnote(fig, notes)
    return fig


def heatmap_matrix(cells: pd.DataFrame, index: dict[int, int]) -> np.ndarray:
    """Medians by (sender, receiver) position; NaN wherever nothing was measured."""
    n = len(index)
    matrix = np.full((n, n), np.nan)
    if not cells.empty:
        rows = cells["sender"].map(index).to_numpy(dtype=int)
        columns = cells["receiver"].map(index).to_numpy(dtype=int)
        matrix[rows, columns] = cells["median"].to_numpy(dtype=float)
    return matrix


def sampling_note(stats: pd.DataFrame, pus: list[int]) -> str | None:
    """'sampled: 37 of 240 pairs measured; grey cells not measured' when some strategy
    lacks some ordered pair of distinct PUs among those shown; None for a full matrix."""
    total = len(pus) * (len(pus) - 1)
    distinct = stats[stats["sender"] != stats["receiver"]]
    measured = distinct.groupby("strategy").size()
    counts = sorted({int(measured.get(s, 0)) for s in stats["strategy"].unique()})
    if counts == [total]:
        return None
    shown = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    per = "" if len(counts) == 1 else " per strategy"
    return (f"sampled: {shown} of {total} pairs measured{per}; "
            "grey cells not measured")


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
