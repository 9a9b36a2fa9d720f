"""counters-*: each counter that counted (source hw or sw) per message, per strategy and
distance class, split into sender and receiver where the CSV has the split. Counters
that were unavailable or zero in every row are named in the title, never drawn as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from plot_common import (Context, Group, add_footnote, bar_style, figure_title,
                         ordered_classes, ordered_strategies, strategy_handles,
                         violation_note, wait_note)


@dataclass
class CounterData:
    name: str
    sources: list[str]
    stats: pd.DataFrame   # placement, strategy, total, sender, receiver (medians)
    split: bool           # sender + receiver add up to the total
    all_zero: bool        # 0 in every row that counted
    largest_scale: float = 1.0  # the largest multiplexing factor: above 1.05, estimates


# A figure scaled up by more than this was counted only part of the time (multiplexed):
# refbench marks it an estimate, as its tables and JSON do.
ESTIMATE_SCALE = 1.05


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
    scale_col = f"{name}_scale"
    largest_scale = 1.0
    if scale_col in rows.columns:
        scales = pd.to_numeric(rows[scale_col], errors="coerce").where(usable).dropna()
        largest_scale = float(scales.max()) if not scales.empty else 1.0
    return CounterData(name, sources, stats.reset_index(), split, all_zero, largest_scale)


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
    estimate = data.largest_scale > ESTIMATE_SCALE
    ax.set_title(f"{data.name} ({'/'.join(data.sources)})" + (" ~ estimate" if estimate else ""))
    ax.set_ylabel(f"{data.name} {unit}")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    notes = []
    if estimate:
        notes.append(f"~ estimate: multiplexed, scaled up to {data.largest_scale:.2f}x "
                     "(counted part of the time)")
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
