"""Greedy forward selection by multivariate MI criteria (Brown et al., JMLR 2012).

Every criterion is built from the same few information terms of a candidate X_k, the last
feature picked X_j and the target Y, and each term is a sum of entropies of margins of one
count table: with H(.) Miller-Madow corrected term by term (as ``_scoring`` does for
conditional MI), the chain rule I(X_k X_j; Y) = I(X_j; Y) + I(X_k; Y | X_j) holds exactly
for the corrected values too. So one step counts one new column of tables, (X_k, X_j, Y) for
every candidate k, and updates each candidate's running criterion: a greedy run to k
features costs k passes over the codes, not k^2 table builds.

Three-way tables thin out fast, so the codes are coarser than the univariate scores' bins:
``greedy_n_bins`` keeps c(N) samples in each cell of the full table, as the adaptive rule
does for two-way tables at independence.
"""

import math
from numbers import Integral
from typing import NamedTuple

import numpy as np
from sklearn import get_config

from skmi._backends import BACKEND
from skmi._scoring import (
    conditional_g_test_pvalues,
    corrected_entropy,
    g_test_pvalues,
    margins,
    mutual_info_from_counts,
)
from skmi._scoring._adaptive import samples_per_cell
from skmi._tables import learn_target_codes, sample_rows


class Step(NamedTuple):
    """The information terms of every candidate X_k with the last pick X_j (in nats)."""

    redundancy: np.ndarray  # I(X_k; X_j)
    plugin_redundancy: np.ndarray  # I(X_k; X_j), plug-in: never below its bias
    joint: np.ndarray  # I(X_k X_j; Y)
    conditional: np.ndarray  # I(X_k; Y | X_j)
    conditional_redundancy: np.ndarray  # I(X_k; X_j | Y)
    joint_entropy: np.ndarray  # H(X_k, X_j, Y)
    symmetric_uncertainty: np.ndarray  # 2 I(X_k; X_j) / (H(X_k) + H(X_j))


class Criterion(NamedTuple):
    """A greedy criterion: how a step's terms accumulate over the picks S, and the value
    the next pick maximises.

    ``term`` reads a ``Step``; ``combine`` folds it into the running total (from
    ``start``); ``value(total, relevance, n_picked, floor)`` is the criterion (``floor``:
    1/N nats); ``first`` the value with nothing picked yet, from I(X_k; Y) and H(X_k, Y).
    ``first_in_nats`` and ``in_nats``: whether those values are information (in nats, to
    scale to a log base) rather than ratios. ``relevance(mi, h_x, h_y)``: the relevance the
    criterion reads, from I(X_k; Y) and the entropies (None: I(X_k; Y) itself). A value of
    -inf drops a candidate; ``own_size``: the criterion's picks end where every candidate
    left is dropped, and they alone are selected. ``with_target``: whether ``term`` reads
    the terms with Y, from three-way tables; without, a step counts only the pair tables
    (X_k, X_j), which have n_y times fewer cells, and leaves those terms None.
    """

    term: object
    combine: object
    start: float
    value: object
    first: object
    first_in_nats: bool = True
    in_nats: bool = True
    relevance: object = None
    own_size: bool = False
    with_target: bool = True


def _relevance(relevance, joint_entropy):
    return relevance


def _symmetric_uncertainty(mi, h_a, h_b):
    """2 I / (H(A) + H(B)), in [0, 1] for plug-in values; 0 where both are constant."""
    scale = h_a + h_b
    return np.divide(2 * mi, scale, out=np.zeros(np.broadcast(mi, scale).shape), where=scale > 0)


def _fcbf(total, relevance, n_picked, floor):
    """A candidate's relevance SU(X_k, Y), or -inf (dropped) where it is not positive or a
    pick predominates it: SU(X_k, X_j) >= SU(X_k, Y) for some pick j."""
    return np.where((relevance > 0) & (total < relevance), relevance, -np.inf)


def _quotient(total, relevance, n_picked, floor):
    """I(X_k; Y) / mean plug-in redundancy, floored at ``floor`` (1/N nats): never a
    division by zero. The denominator is the plug-in estimate, as in Ding and Peng's
    quotient, not the corrected one: a column independent of the picks has a corrected
    redundancy of about 0, and dividing its relevance's noise by that ranked noise first
    (make_classification, 3,000 x 40, k = 5: HGB accuracy 0.81-0.89 against 0.92-0.95 on
    the plug-in quotient); its plug-in redundancy is its bias, (B - 1)^2 / 2N."""
    return relevance / np.maximum(total / n_picked, floor)


def _mifs(beta):
    """I(X_k; Y) - beta sum_j I(X_k; X_j): relevance minus weighted redundancy (Battiti
    1994); beta = 0 ranks by relevance alone, beta = 1 / |S| is mRMR."""
    return Criterion(
        term=lambda s: s.redundancy,
        combine=np.add,
        start=0.0,
        value=lambda total, rel, n, floor: rel - beta * total,
        first=_relevance,
        with_target=False,
    )


def criterion_of(method, beta=1.0):
    """The criterion of a greedy method: its entry of ``CRITERIA``, MIFS's at the weight
    ``beta`` given."""
    return _mifs(beta) if method == "mifs" else CRITERIA[method]


CRITERIA = {
    # I(X_k; Y) - mean_j I(X_k; X_j): relevance minus redundancy (Peng et al. 2005).
    "mrmr": Criterion(
        term=lambda s: s.redundancy,
        combine=np.add,
        start=0.0,
        value=lambda total, rel, n, floor: rel - total / n,
        first=_relevance,
        with_target=False,
    ),
    # I(X_k; Y) - beta sum_j I(X_k; X_j), at MISelector's beta (1 here; ``criterion_of``).
    "mifs": _mifs(1.0),
    # I(X_k; Y) / mean_j I(X_k; X_j), the quotient form (Ding and Peng 2005), over the
    # plug-in redundancy.
    "mrmr-quotient": Criterion(
        term=lambda s: s.plugin_redundancy,
        combine=np.add,
        start=0.0,
        value=_quotient,
        first=_relevance,
        in_nats=False,
        with_target=False,
    ),
    # mean_j I(X_k X_j; Y): what the pair says of Y, which sees synergy such as XOR
    # (Yang and Moody 1999).
    "jmi": Criterion(
        term=lambda s: s.joint,
        combine=np.add,
        start=0.0,
        value=lambda total, rel, n, floor: total / n,
        first=_relevance,
    ),
    # I(X_k; Y) - sum_j [I(X_k; X_j) - I(X_k; X_j | Y)]: redundancy less what the pair
    # shares about Y, the conditional infomax (Lin and Tang 2006).
    "cife": Criterion(
        term=lambda s: s.redundancy - s.conditional_redundancy,
        combine=np.add,
        start=0.0,
        value=lambda total, rel, n, floor: rel - total,
        first=_relevance,
    ),
    # I(X_k; Y) - sum_j max(0, I(X_k; X_j) - I(X_k; X_j | Y)): only redundancy that the
    # target does not explain is charged (Jakulin 2005).
    "icap": Criterion(
        term=lambda s: np.maximum(0.0, s.redundancy - s.conditional_redundancy),
        combine=np.add,
        start=0.0,
        value=lambda total, rel, n, floor: rel - total,
        first=_relevance,
    ),
    # min_j I(X_k X_j; Y): the pair with the pick that tells least about Y (Bennasar, Hicks
    # and Setchi 2015).
    "jmim": Criterion(
        term=lambda s: s.joint,
        combine=np.minimum,
        start=np.inf,
        value=lambda total, rel, n, floor: total,
        first=_relevance,
    ),
    # min_j I(X_k; Y | X_j): what X_k adds given the pick that explains it best (Fleuret 2004).
    "cmim": Criterion(
        term=lambda s: s.conditional,
        combine=np.minimum,
        start=np.inf,
        value=lambda total, rel, n, floor: total,
        first=_relevance,
    ),
    # Fast correlation-based filter (Yu and Liu 2003): by symmetric uncertainty SU with Y,
    # a candidate that a pick predominates (SU(X_k, X_j) >= SU(X_k, Y)) dropped, and the
    # picks end where none is left: it chooses its own size.
    "fcbf": Criterion(
        term=lambda s: s.symmetric_uncertainty,
        combine=np.maximum,
        start=-np.inf,
        value=_fcbf,
        first=lambda su, h_xy: _fcbf(-np.inf, su, 0, 0.0),
        first_in_nats=False,
        in_nats=False,
        relevance=_symmetric_uncertainty,
        own_size=True,
        with_target=False,
    ),
    # mean_j I(X_k X_j; Y) / H(X_k, X_j, Y): JMI scaled by the pair's whole entropy, the
    # symmetrical relevance of each pair (Meyer et al. 2008).
    "disr": Criterion(
        term=lambda s: s.joint / s.joint_entropy,
        combine=np.add,
        start=0.0,
        value=lambda total, rel, n, floor: total / n,
        first=lambda rel, h_xy: rel / h_xy,
        first_in_nats=False,
        in_nats=False,
    ),
}


def greedy_n_bins(n_samples, n_classes=None):
    """Bins per feature of the greedy codes: c(N) samples in each cell of the full
    (X_k, X_j, Y) table, k^2 n_classes cells for a discrete target (k^3 for a binned one,
    which gets k bins too); at least 2."""
    cells = n_samples / samples_per_cell(n_samples)
    k = math.sqrt(cells / n_classes) if n_classes else cells ** (1 / 3)
    return max(2, int(k))


def greedy_codes(
    source, y, *, discrete_target, discrete, strategy, n_bins, subsample, random_state, n_jobs
):
    """Codes (n_samples, n_features) of a source's rows (on the host) at the greedy
    resolution (``n_bins`` caps it), their number of values, and the target's codes and
    number of values.

    A discrete target keeps its classes; a continuous one is binned like a feature, at the
    same resolution, so that the (X_k, X_j, Y) tables keep c(N) samples per cell."""
    n_samples = source.shape[0]
    rows = sample_rows(n_samples, subsample, random_state)
    n_classes = np.unique(y).size if discrete_target else None
    k = greedy_n_bins(n_samples, n_classes)
    if isinstance(n_bins, Integral):
        k = min(k, n_bins)
    y_codes, _ = learn_target_codes(y, discrete_target, k, strategy, rows)
    binning = source.learn(k, strategy, discrete, rows, n_jobs)
    # One value more than the bins: a column may gain a bin for its missing values.
    dtype = np.uint16 if int(binning.n_bins.max()) < 2**16 else np.int64
    codes, binning = binning.coded(source.X, dtype, source.backend)
    return codes, int(binning.n_bins.max()), y_codes, int(y_codes.max()) + 1


def _entropy(tables, correction):
    """Entropy of each table of a stack (n_tables, ...), all its axes joint."""
    return corrected_entropy(tables.reshape(len(tables), -1), correction)


def _step(codes, n_x, z, y_codes, n_y, h_x, h_xy, h_y, h_z, h_zy, correction, backend, plugin,
          n_z=None, with_target=True):  # fmt: skip
    """The ``Step`` terms of every column of ``codes`` (entropies ``h_x``) with the codes
    ``z`` of the last pick (``n_z`` values, ``n_x`` when None; entropies H(Z) = ``h_z``,
    H(Z, Y) = ``h_zy``; the columns' H(X, Y) = ``h_xy``), from the tables
    (X_k, Z, Y) counted in blocks of columns that fit in scikit-learn's ``working_memory``.
    mRMR reads only the redundancy, which the pair tables would give, but the three-way
    tables cost little more at the greedy resolution (N / c(N) cells each); a criterion
    that reads none of the terms with Y (``with_target`` False) gets the pair tables alone,
    the same counts, and None for those terms. ``plugin``: the plug-in entropies H(X_k) and
    H(Z), for the plug-in redundancy."""
    n_z = n_x if n_z is None else n_z
    n_features = codes.shape[1]
    cells = n_x * n_z * (n_y if with_target else 1)
    block = max(1, int(get_config()["working_memory"] * 2**20) // (8 * cells))
    h_xz = np.empty(n_features)
    h_xzy = np.empty(n_features)
    plugin_xz = np.empty(n_features)
    for lo in range(0, n_features, block):
        part = slice(lo, lo + block)
        if with_target:
            tables = backend.count_codes_3(codes[:, part], z, y_codes, n_x, n_z, n_y)
            h_xzy[part] = _entropy(tables, correction)
            pairs = tables.sum(axis=3)
        else:
            pairs = backend.count_codes(codes[:, part], z, n_x, n_z)
        h_xz[part] = _entropy(pairs, correction)
        plugin_xz[part] = _entropy(pairs, None)
    plugin_x, plugin_z = plugin
    with_y = {
        "joint": h_xz + h_y - h_xzy,
        "conditional": h_xz + h_zy - h_xzy - h_z,
        "conditional_redundancy": h_xy + h_zy - h_xzy - h_y,
        "joint_entropy": h_xzy,
    }
    return Step(
        redundancy=h_x + h_z - h_xz,
        plugin_redundancy=plugin_x + plugin_z - plugin_xz,
        symmetric_uncertainty=_symmetric_uncertainty(h_x + h_z - h_xz, h_x, h_z),
        **(with_y if with_target else dict.fromkeys(with_y)),
    )


class _Candidates(NamedTuple):
    """Columns of codes that the greedy search weighs, and their entropies: the features,
    then (with pairs) each pair's joint codes as one candidate."""

    codes: list  # blocks of codes: the features', then the pairs' (when there are pairs)
    n_values: list  # the number of values of each block's codes
    first: np.ndarray  # each candidate's feature, or its pair's first one
    second: np.ndarray  # the same feature again, or its pair's second one
    h_x: np.ndarray  # H(X_k), corrected
    plugin_x: np.ndarray  # H(X_k), plug-in
    h_xy: np.ndarray  # H(X_k, Y), corrected
    h_y: float  # H(Y), corrected
    relevance: np.ndarray  # I(X_k; Y) = H(X_k) + H(Y) - H(X_k, Y), corrected


def joint_codes(codes, pairs, n_x):
    """The codes of each pair (a, b) of columns read as one variable, a n_x + b."""
    return codes[:, pairs[:, 0]].astype(np.int64) * n_x + codes[:, pairs[:, 1]]


def _candidates(codes, n_x, y_codes, n_y, pairs, correction, backend):
    """The features of ``codes`` and the ``pairs`` (n_pairs, 2) of them as candidates."""
    features = np.arange(codes.shape[1])
    blocks, n_values = [codes], [n_x]
    if len(pairs):
        blocks.append(joint_codes(codes, pairs, n_x))
        n_values.append(n_x * n_x)
    entropies = []
    for block, n in zip(blocks, n_values, strict=True):
        xy = backend.count_codes(block, y_codes, n, n_y)
        x_counts = xy.sum(axis=2)
        entropies.append(
            (_entropy(x_counts, correction), _entropy(x_counts, None), _entropy(xy, correction))
        )
    h_x, plugin_x, h_xy = map(np.concatenate, zip(*entropies, strict=True))
    h_y = _entropy(np.bincount(y_codes, minlength=n_y)[None], correction)[0]
    return _Candidates(
        blocks,
        n_values,
        np.concatenate([features, pairs[:, 0]]),
        np.concatenate([features, pairs[:, 1]]),
        h_x,
        plugin_x,
        h_xy,
        h_y,
        h_x + h_y - h_xy,
    )


def _steps(candidates, j, y_codes, n_y, correction, backend, with_target):
    """The ``Step`` terms of every candidate with feature ``j`` just picked."""
    z = np.ascontiguousarray(candidates.codes[0][:, j], dtype=np.int64)
    n_x = candidates.n_values[0]
    parts, lo = [], 0
    for block, n in zip(candidates.codes, candidates.n_values, strict=True):
        part = slice(lo, lo + block.shape[1])
        lo = part.stop
        parts.append(_step(
            block, n, z, y_codes, n_y, candidates.h_x[part], candidates.h_xy[part],
            candidates.h_y,
            candidates.h_x[j], candidates.h_xy[j], correction, backend,
            (candidates.plugin_x[part], candidates.plugin_x[j]), n_z=n_x,
            with_target=with_target,
        ))  # fmt: skip
    return Step(*(
        None if terms[0] is None else np.concatenate(terms) for terms in zip(*parts, strict=True)
    ))  # fmt: skip


def _column(candidates, u):
    """Candidate ``u``'s codes, as a one-column block, and their number of values."""
    n_features = candidates.codes[0].shape[1]
    block = 0 if u < n_features else 1
    return candidates.codes[block][:, [u - block * n_features]], candidates.n_values[block]


def gain_pvalue(column, n_u, conditions, y_codes, n_y, n_z, backend=BACKEND):
    """p-value of what a candidate's codes ``column`` (one column, ``n_u`` values) tell of y:
    the G-test of independence with y when ``conditions`` is empty, otherwise the largest
    of the conditional tests given each of the ``conditions`` (codes of ``n_z`` values):
    the candidate's gain is significant only if it is given every one of them."""
    if not conditions:
        xy = backend.count_codes(column, y_codes, n_u, n_y)
        return float(g_test_pvalues(mutual_info_from_counts(xy), *margins(xy))[0])
    tables = np.concatenate(
        [backend.count_codes_3(column, z, y_codes, n_u, n_z, n_y) for z in conditions]
    )
    return float(conditional_g_test_pvalues(tables).max())


def greedy_order(
    codes, n_x, y_codes, n_y, n_steps, criterion, correction, backend=BACKEND, pairs=None,
    level=None,
):  # fmt: skip
    """Greedy forward order of the columns of ``codes`` (n_samples, n_features) by
    ``criterion`` (an entry of ``CRITERIA``), ``n_steps`` picks; ``correction`` is
    "miller-madow" or None, applied to every entropy.

    ``pairs`` (n_pairs, 2): pairs of columns that also compete as one candidate each, their
    joint codes judged by the same criterion; a pair picked takes two places, both its
    columns, and is open only while two are left and neither column is picked.

    ``level``: the picks end where the best candidate's gain is not significant, its
    p-value (``gain_pvalue``) times the number of candidates it was chosen from above
    ``level`` (Bonferroni at each step). The gain is tested on its own for the first pick,
    and after it given the pick the criterion's value comes from where the criterion takes
    a minimum over the picks (CMIM, JMIM), given each pick for the others (the largest
    p-value: the pick that explains the candidate best).

    Returns the picked columns in order, the criterion's value at each pick (a pair's at
    both its places), and whether each value is in nats (otherwise a ratio). Each pick
    maximises the criterion over the open candidates; ties go to the first column, and a
    column before any pair; the picks end early where every candidate left is dropped (a
    value of -inf). Constant columns, which carry no information by any criterion, are the
    caller's to leave out.
    """
    n_samples, n_features = codes.shape
    n_steps = min(n_steps, n_features)
    if n_steps == 0:
        return np.empty(0, dtype=np.intp), np.empty(0), np.empty(0, dtype=bool)
    pairs = np.empty((0, 2), dtype=np.intp) if pairs is None else np.asarray(pairs, np.intp)
    candidates = _candidates(codes, n_x, y_codes, n_y, pairs, correction, backend)
    width = 1 + (candidates.first != candidates.second)
    relevance = candidates.relevance
    if criterion.relevance is not None:
        relevance = criterion.relevance(relevance, candidates.h_x, candidates.h_y)
    floor = 1.0 / n_samples
    total = np.full(width.size, criterion.start)
    value = criterion.first(relevance, candidates.h_xy)
    by_minimum = criterion.combine is np.minimum
    given = np.full(width.size, -1)  # by_minimum: the pick each running minimum comes from
    picked = np.zeros(n_features, dtype=bool)
    picks, values, in_nats = [], [], []
    while len(picks) < n_steps:
        open_ = ~picked[candidates.first] & ~picked[candidates.second]
        open_ &= width <= n_steps - len(picks)
        u = int(np.argmax(np.where(open_, value, -np.inf)))
        if not open_[u] or value[u] == -np.inf:  # every candidate left is dropped
            break
        if level is not None:
            conditions = [given[u]] if given[u] >= 0 else picks
            zs = [np.ascontiguousarray(codes[:, j], dtype=np.int64) for j in conditions]
            p = gain_pvalue(*_column(candidates, u), zs, y_codes, n_y, n_x, backend)
            if p * np.count_nonzero(open_) > level:
                break
        new = list(dict.fromkeys([candidates.first[u], candidates.second[u]]))
        in_nats += [criterion.in_nats if picks else criterion.first_in_nats] * len(new)
        picks += new
        values += [value[u]] * len(new)
        picked[new] = True
        if len(picks) < n_steps:
            for j in new:
                step = _steps(
                    candidates, j, y_codes, n_y, correction, backend, criterion.with_target
                )
                term = criterion.term(step)
                if by_minimum:
                    given = np.where(term < total, j, given)
                total = criterion.combine(total, term)
            value = criterion.value(total, relevance, len(picks), floor)
    return np.array(picks, dtype=np.intp), np.array(values), np.array(in_nats, dtype=bool)


def interacting_pairs(codes, n_x, y_codes, n_y, correction, level, backend=BACKEND):
    """Pairs of columns of ``codes`` that tell more of y together than apart: synergy
    I(X_a X_b; Y) - I(X_a; Y) - I(X_b; Y) > 0, with each one's gain given the other
    significant (``gain_pvalue``, Bonferroni over all D (D - 1) / 2 pairs at ``level``).

    Every pair's (X_a, X_b, Y) table is counted, one pass over the codes for each a, so the
    search costs N D^2 / 2 counts and D^2 / 2 tables of B^2 n_y cells. Only the D pairs
    of largest synergy are tested. Returns the significant pairs (n, 2), strongest first,
    their synergy (in nats, with ``correction``) and p-values.
    """
    n_features = codes.shape[1]
    none = np.empty((0, 2), dtype=np.intp), np.empty(0), np.empty(0)
    if n_features < 2:
        return none
    candidates = _candidates(codes, n_x, y_codes, n_y, none[0], correction, backend)
    relevance = candidates.relevance
    synergy = np.full((n_features, n_features), -np.inf)
    for a in range(n_features - 1):
        rest = slice(a + 1, None)
        z = np.ascontiguousarray(codes[:, a], dtype=np.int64)
        joint = _step(
            codes[:, rest], n_x, z, y_codes, n_y, candidates.h_x[rest], candidates.h_xy[rest],
            candidates.h_y, candidates.h_x[a], candidates.h_xy[a], correction, backend,
            (candidates.plugin_x[rest], candidates.plugin_x[a]),
        ).joint  # fmt: skip
        synergy[a, rest] = joint - relevance[a] - relevance[rest]
    strongest = np.argsort(-synergy, axis=None, kind="stable")[:n_features]
    pairs = np.column_stack(np.unravel_index(strongest, synergy.shape))
    pairs = pairs[synergy[pairs[:, 0], pairs[:, 1]] > 0]
    p = np.array([
        max(gain_pvalue(codes[:, [a]], n_x, [codes[:, b].astype(np.int64)], y_codes, n_y, n_x,
                        backend),
            gain_pvalue(codes[:, [b]], n_x, [codes[:, a].astype(np.int64)], y_codes, n_y, n_x,
                        backend))
        for a, b in pairs
    ])  # fmt: skip
    n_pairs = n_features * (n_features - 1) // 2
    significant = p * n_pairs <= level if len(p) else np.zeros(0, dtype=bool)
    pairs = pairs[significant]
    return pairs, synergy[pairs[:, 0], pairs[:, 1]], p[significant]
