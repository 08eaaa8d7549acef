"""
=====================================================================
MI between all pairs of hidden units, accumulated over batches
=====================================================================

Activations arrive a forward pass at a time: a batch of tokens by the units of a layer.
:class:`~skmi.PairwiseHistogramMI` counts every pair's joint table batch by batch
(``partial_fit``), so the MI matrix over all tokens never needs them in memory at once,
and reports beside it the p-values and the MI on the scale of a correlation
coefficient. The correlation matrix accumulates the same way, from running sums; set side
by side, the two show the pairs that correlation misses.
"""

# %%
# A small model's layer, a batch at a time
# ----------------------------------------
# A synthetic stand-in that ships with the code: a random two-layer network on Gaussian
# "token embeddings". Its hidden layer has 40 GELU units, plus units whose dependence on
# others is not linear: a squared unit, a multiplicative gate, and a pair that share a
# gain.
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import erf

from skmi import PairwiseHistogramMI

n_inputs, n_units, batch_size, n_batches = 32, 48, 4096, 8
rng = np.random.default_rng(0)
W = rng.normal(size=(n_inputs, 40)) / np.sqrt(n_inputs)


def gelu(z):
    return 0.5 * z * (1 + erf(z / np.sqrt(2)))


def forward(tokens, rng):
    """The hidden layer's activations of a batch of tokens (batch_size, n_units)."""
    z = tokens @ W
    h = np.empty((len(tokens), n_units))
    h[:, :40] = gelu(z)
    h[:, 40] = z[:, 0]  # unit 0's pre-activation, read linearly
    h[:, 41] = z[:, 0] ** 2  # and squared: uncorrelated with unit 40
    h[:, 42] = z[:, 2] * z[:, 3]  # a multiplicative gate of two pre-activations
    h[:, 43] = np.abs(z[:, 2])  # and the magnitude of one: correlation reads part of it
    gain = np.exp(0.7 * rng.normal(size=len(tokens)))
    h[:, 44] = gain * rng.normal(size=len(tokens))  # two units sharing a gain:
    h[:, 45] = gain * rng.normal(size=len(tokens))  # uncorrelated, dependent
    h[:, 46:] = rng.standard_t(df=3, size=(len(tokens), 2))  # heavy-tailed noise units
    return h


# %%
# Accumulate both matrices over the batches
# -----------------------------------------
# ``partial_fit`` learns the bins from the first batch and only counts the later ones;
# the correlation matrix needs the running sums of x and of x x^T.
pairs = PairwiseHistogramMI(n_bins=16)
total, outer, n_seen = np.zeros(n_units), np.zeros((n_units, n_units)), 0
for _ in range(n_batches):
    activations = forward(rng.normal(size=(batch_size, n_inputs)), rng)
    pairs.partial_fit(activations)
    total += activations.sum(axis=0)
    outer += activations.T @ activations
    n_seen += batch_size
mean = total / n_seen
covariance = outer / n_seen - np.outer(mean, mean)
scale = np.sqrt(np.diag(covariance))
corr = np.abs(covariance / np.outer(scale, scale))
print(f"tokens seen: {pairs.n_samples_seen_}")

# %%
# The two matrices on one scale
# -----------------------------
mi = pairs.correlation_.copy()
np.fill_diagonal(mi, np.nan)
np.fill_diagonal(corr, np.nan)
fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), sharey=True, layout="constrained")
for ax, matrix, title in [
    (axes[0], corr, "|Pearson correlation|"),
    (axes[1], mi, r"MI on the correlation scale, $\sqrt{1 - e^{-2I}}$"),
]:
    image = ax.imshow(matrix, vmin=0, vmax=1, cmap="viridis")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("unit")
    ax.set_ylabel("unit")
fig.colorbar(image, ax=axes, shrink=0.8, label="dependence on the |correlation| scale")

# %%
# Pairs that correlation misses
# -----------------------------
# The random layer's GELU units share their inputs, so most pairs are weakly dependent
# and both matrices show it. The pairs below are the strong ones that correlation misses:
# as dependent as a correlation of 0.2 or more on the MI side, significant by the G-test
# over all tokens (p < 1e-6, far below a Bonferroni threshold for the 1,128 pairs), yet
# with an absolute correlation under 0.1.
upper = np.triu(np.ones((n_units, n_units), dtype=bool), 1)
missed = upper & (mi > 0.2) & (pairs.pvalues_ < 1e-6) & (corr < 0.1)
for i, j in zip(*np.nonzero(missed), strict=True):
    print(f"units {i:2d} and {j:2d}: |r| = {corr[i, j]:.3f}, MI scale = {mi[i, j]:.2f}")

# %%
# Correlation reads part of the gate, and the MI side all of it:
print(f"gate, units 42 and 43: |r| = {corr[42, 43]:.2f}, MI scale = {mi[42, 43]:.2f}")
