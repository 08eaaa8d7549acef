"""
======================================================
A zero-inflated column: quantile bins and point masses
======================================================

Hidden units of ReLU networks, counts and TF-IDF weights are exactly zero on a large share
of the rows. Quantile edges are order statistics, so on such a column most of them land on
zero; deduplicated, they leave the zeros sharing a bin with the smallest nonzero values, and
whatever the zeros say about the target is diluted. skmi gives a value that holds at least
half a bin's share of the rows a bin of its own (a point mass) and splits the other rows by
their quantiles into the bins left. This example bins one such column both ways and
measures what each binning lets the MI see.
"""

# %%
# A column zero on 70% of the rows, whose zeros come mostly from class 0
# ----------------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mutual_info_score

from skmi import EntropyBinner

rng = np.random.default_rng(0)
n, n_bins = 5000, 8
y = rng.integers(0, 2, size=n)
zero = rng.random(n) < np.where(y == 0, 0.85, 0.55)
x = np.where(zero, 0.0, rng.lognormal(size=n))

# %%
# Plain quantile edges, deduplicated, against skmi's bins
# -------------------------------------------------------
# The plain edges are the 1/8, ..., 7/8 quantiles with the repeated ones, and those at the
# minimum, dropped; a value falls in the bin of the edges at or below it, as in skmi.
plain = np.unique(np.quantile(x, np.arange(1, n_bins) / n_bins))
plain = plain[plain > x.min()]
plain_codes = np.searchsorted(plain, x, side="right")
binner = EntropyBinner(n_bins, correction=None).fit(x.reshape(-1, 1))
codes = binner.transform(x.reshape(-1, 1))[:, 0].astype(int)

binnings = {"plain quantile edges": plain_codes, "skmi": codes}
for name, c in binnings.items():
    counts = np.bincount(c)
    print(f"{name}: {counts.size} bins of {counts.tolist()} rows")
    print(f"  plug-in MI with the class: {mutual_info_score(c, y):.4f} nats")
print(f"zero or not alone: {mutual_info_score(zero, y):.4f} nats")

# %%
# The zeros' bin holds the zeros alone
# ------------------------------------
# With plain edges the first bin holds every zero and the smallest nonzero values; skmi's
# first bin is the zeros, and the nonzero rows fill the other seven bins by their
# quantiles. Its MI is at least that of "zero or not", as a binning that separates the
# zeros must be; the plain binning's may fall below it.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
for ax, (name, c) in zip(axes, binnings.items(), strict=True):
    for label, colour in [(0, "tab:blue"), (1, "tab:orange")]:
        counts = np.bincount(c[y == label], minlength=c.max() + 1)
        offset = -0.2 if label == 0 else 0.2
        ax.bar(np.arange(counts.size) + offset, counts, width=0.4, color=colour)
    ax.set_title(f"{name}: {c.max() + 1} bins")
    ax.set_xlabel("bin")
axes[0].set_ylabel("rows")
axes[0].legend(["class 0", "class 1"])
fig.tight_layout()
plt.show()
