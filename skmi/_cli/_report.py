"""What the ``skmi`` command prints: the ranking beside scikit-learn's KSG, as a table, CSV
or JSON."""

import csv
import io
import json
import math

import numpy as np
from scipy.stats import rankdata, spearmanr

# Rows of the table without --top; csv and json hold every feature.
DEFAULT_TOP = 10

_MAX_NAME = 30


def _span(counts):
    """'30' when every feature's table used 30 bins, else '12-30'."""
    low, high = int(min(counts)), int(max(counts))
    return str(low) if low == high else f"{low}-{high}"


def _unit(base):
    if base is None or math.isclose(base, math.e):
        return "nats"
    return "bits" if base == 2 else f"log{base:g}"


def _duration(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _speedup(ratio):
    if ratio < 1:
        return f"{1 / ratio:.1f}x slower"
    return f"{ratio:.0f}x faster" if ratio >= 10 else f"{ratio:.1f}x faster"


def _pvalue(p):
    return "<1e-300" if p < 1e-300 else f"{p:.2g}"


def _name(name):
    return name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 3] + "..."


def format_table(header, rows):
    """Aligned plain-text table: the second column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [
            c.ljust(w) if i == 1 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def _calls(repeat, medians):
    """How the times were taken, for the timing line."""
    if repeat == 1:
        return "one call after a warm-up call"
    return f"{'medians' if medians else 'median'} of {repeat} calls after a warm-up call"


def ranking(names, estimator, ksg):
    """The features, best skmi score first, as dicts of the report's columns: rank,
    feature, skmi_mi and p_value and, given scikit-learn's KSG MI ``ksg`` (in nats),
    sklearn_mi (in the estimator's base, as skmi_mi) and sklearn_rank."""
    scores, pvalues = estimator.scores_, estimator.pvalues_
    if ksg is not None:
        ksg = ksg / (1.0 if _unit(estimator.base) == "nats" else math.log(estimator.base))
        ksg_rank = rankdata(-ksg, method="min").astype(int)
    rows = []
    for rank, j in enumerate(np.argsort(-scores, kind="stable"), start=1):
        row = {
            "rank": rank,
            "feature": names[j],
            "skmi_mi": float(scores[j]),
            "p_value": float(pvalues[j]),
        }
        if ksg is not None:
            row.update(sklearn_mi=float(ksg[j]), sklearn_rank=int(ksg_rank[j]))
        rows.append(row)
    return rows


def _agreement(rows):
    """Spearman correlation of the skmi and KSG scores of ``rows`` (`ranking`), or None
    where it is undefined: spearmanr warns and returns nan on a constant input."""
    skmi, ksg = ([row[key] for row in rows] for key in ("skmi_mi", "sklearn_mi"))
    if len(rows) < 2 or np.ptp(skmi) == 0 or np.ptp(ksg) == 0:
        return None
    return float(spearmanr(skmi, ksg).statistic)


def report(title, y, estimator, rows, skmi_time, ksg_time, top=DEFAULT_TOP, repeat=1):
    """The table printed by the command: the first ``top`` of ``rows`` (`ranking`), and the
    times, medians of ``repeat`` calls."""
    unit = _unit(estimator.base)
    compare = "sklearn_mi" in rows[0]
    if estimator.discrete_target_:
        task = f"classification ({np.unique(y).size} classes)"
    else:
        task = f"regression ({_span(estimator.target_n_bins_)} target bins)"
    features = f"{len(rows)} feature{'s' * (len(rows) != 1)}"
    lines = [f"{title}: {len(y)} samples, {features}, {task}", ""]
    header = ["rank", "feature", f"skmi MI ({unit})", "p-value"]
    if compare:
        header += [f"sklearn MI ({unit})", "sklearn rank"]
    table = []
    for row in rows[:top]:
        cells = [str(row["rank"]), _name(row["feature"])]
        cells += [f"{row['skmi_mi']:.4f}", _pvalue(row["p_value"])]
        if compare:
            cells += [f"{row['sklearn_mi']:.4f}", str(row["sklearn_rank"])]
        table.append(cells)
    lines.append(format_table(header, table))
    if len(rows) > top:
        lines.append(f"... {len(rows) - top} more features (--top {len(rows)} shows all)")
    lines.append("")
    timing = f"skmi {_duration(skmi_time)}"
    if compare:
        timing += f", scikit-learn {_duration(ksg_time)} ({_speedup(ksg_time / skmi_time)})"
    lines.append(f"time: {timing}, {_calls(repeat, medians=compare)}")
    if compare:
        rho = _agreement(rows)
        rho = "n/a" if rho is None else f"{rho:.2f}"
        lines.append(f"Spearman rank agreement with scikit-learn: {rho}")
    return "\n".join(lines)


def report_csv(rows):
    """``rows`` (`ranking`) as CSV: a header row of their keys, then one row per feature."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def report_json(args, y, estimator, rows, skmi_time, ksg_time):
    """The run as a JSON object: what was ranked, the first ``--top`` of ``rows``
    (`ranking`), the times in seconds (medians of ``--repeat`` calls) and, beside
    scikit-learn, the Spearman agreement of the scores (null where undefined)."""
    result = {
        "dataset": args.csv or args.dataset,
        "target": args.target,
        "task": "classification" if estimator.discrete_target_ else "regression",
        "n_samples": len(y),
        "n_features": len(rows),
        "unit": _unit(estimator.base),
        "features": rows[: args.top],
        "timings": {"repeat": args.repeat, "skmi_seconds": skmi_time},
    }
    if "sklearn_mi" in rows[0]:
        result["timings"]["sklearn_seconds"] = ksg_time
        result["spearman"] = _agreement(rows)
    return json.dumps(result, indent=2)
