"""
======================================================
The bias of histogram MI for independent variables
======================================================

Two independent variables share no information, yet the plug-in MI of their binned
values is always positive: with :math:`B` bins each and :math:`N` samples it averages
about :math:`(B - 1)^2 / 2N` nats, 0.49 nats for 15 bins and 200 samples. This example
measures the plug-in estimate and the two corrections skmi offers on independent Gaussian
data, and draws the :math:`(B - 1)^2 / 2N` line beside them.
"""

# %%
# Many independent pairs at once
# -------------------------------
# Every column of ``X`` is independent of ``y``, so one call gives one estimate per column:
# 40 replicates of the same experiment for each sample size.
import matplotlib.pyplot as plt
import numpy as np

from skmi import histogram_mi_regression

n_bins = 15
n_replicates = 40
sample_sizes = np.array([200, 300, 500, 1000, 2000, 5000])
corrections = {"plug-in": None, "Miller-Madow": "miller-madow", "chance": "chance"}

rng = np.random.default_rng(0)
mean_mi = {name: [] for name in corrections}
std_mi = {name: [] for name in corrections}
for n in sample_sizes:
    X = rng.normal(size=(n, n_replicates))
    y = rng.normal(size=n)
    for name, correction in corrections.items():
        mi = histogram_mi_regression(X, y, n_bins=n_bins, correction=correction)
        mean_mi[name].append(mi.mean())
        std_mi[name].append(mi.std())

# %%
# The plug-in estimate follows the first-order bias
# -------------------------------------------------
# The plug-in estimate converges onto the :math:`(B - 1)^2 / 2N` line, and lies above it
# when there are about as many cells as samples, where higher-order terms still count.
# Miller-Madow subtracts the first-order term measured from the *occupied* cells: it is
# unbiased once every cell holds several samples, and under-corrects below that, because
# a sparse table leaves many cells empty. The exact chance correction subtracts the
# expected MI under independence given the margins, and is centred on zero at every
# sample size.
bias = (n_bins - 1) ** 2 / (2 * sample_sizes)

fig, ax = plt.subplots(figsize=(6.4, 4.2))
ax.plot(sample_sizes, bias, "k--", label=r"$(B-1)^2 / 2N$")
for (name, mean), marker in zip(mean_mi.items(), "osD", strict=True):
    ax.errorbar(sample_sizes, mean, yerr=std_mi[name], marker=marker, capsize=3, label=name)
ax.axhline(0, color="grey", linewidth=0.8)
ax.set_xscale("log")
ax.set_xticks(sample_sizes, labels=[str(n) for n in sample_sizes])
ax.minorticks_off()
ax.set_xlabel("number of samples N")
ax.set_ylabel("estimated MI (nats)")
ax.set_title(f"Independent Gaussians, {n_bins} quantile bins each")
ax.legend()
fig.tight_layout()

# %%
# At 200 samples the 15 x 15 table has fewer samples than cells:
print(f"N = 200: bias formula {bias[0]:.2f} nats")
for name in corrections:
    print(f"{name:>13}: {mean_mi[name][0]:+.3f} +/- {std_mi[name][0]:.3f} nats")
