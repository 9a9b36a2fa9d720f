"""Reading what `refbench run` and `refbench sweep` wrote: the results CSV and the
metadata record beside it. No drawing here (and no matplotlib): the plot kinds take the
DataFrame and the metadata this module returns.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pandas as pd

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


class BadInput(Exception):
    """The input cannot be used: exit 2 with this one-line message."""


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
    return label_isolations(label_view_owners(df))


# What a strategy's name gets where its views held only the sender's id (the CSV's
# view_owner column, civ and civ-deferred): plotted apart from the seed's strong views.
ID_VIEWS = " (id)"


def label_view_owners(df: pd.DataFrame) -> pd.DataFrame:
    """Rows whose views held only their sender's id (view_owner "id", CPython's) become a
    strategy of their own, "civ (id)": they may leak, the strong ones may not. A CSV from
    before the column, or with only strong views, is left as it is."""
    if "view_owner" not in df.columns:
        return df
    ids = df["view_owner"] == "id"
    if ids.any():
        df.loc[ids, "strategy"] = df.loc[ids, "strategy"] + ID_VIEWS
    return df


# What a strategy's name gets where it ran as processes in a file that also has it as
# threads (--isolation thread,process): plotted beside the threads, not pooled with them.
AS_PROCESSES = " (process)"


def label_isolations(df: pd.DataFrame) -> pd.DataFrame:
    """Rows run as processes become a strategy of their own, "atomic (process)", where the
    file also has rows run as threads. A file of one isolation (or from before the
    isolation column) is left as it is."""
    if "isolation" not in df.columns:
        return df
    processes = df["isolation"] == "process"
    if processes.any() and not processes.all():
        df.loc[processes, "strategy"] = df.loc[processes, "strategy"] + AS_PROCESSES
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


def counter_problems(meta: dict | None) -> dict:
    """Counter name -> why it could not be counted, from the metadata's "counters"."""
    problems = {}
    counters = meta.get("counters") if isinstance(meta, dict) else None
    for counter in counters if isinstance(counters, list) else []:
        if isinstance(counter, dict) and counter.get("name") and counter.get("problem"):
            problems[str(counter["name"])] = str(counter["problem"])
    return problems
