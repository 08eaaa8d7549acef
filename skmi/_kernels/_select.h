/* Order statistics of a column without sorting it: the values at a few ranks of its sorted
 * order, and whether some value fills a point mass, found by equal-width buckets over the
 * column's range. Buckets are ordered as their values, so a rank falls in the bucket whose
 * counts bracket it; only the buckets that hold a wanted rank, or enough values to be a
 * point mass, are refined (bucketed again over their own range, or sorted where small). The
 * values found are the sorted column's, exactly: whatever the data, the result is that of a
 * sort, which the caller falls back on where a point mass is found. The Cython kernel
 * ``order_statistics`` (_binning.pyx) calls it.
 */
#ifndef SKMI_SELECT_H
#define SKMI_SELECT_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Segments at most this long are sorted by insertion. */
#define SKMI_SELECT_SMALL 64
/* Values a bucket holds on average, at most. */
#define SKMI_SELECT_PER_BUCKET 16
/* Buckets of one level at most: their counts stay in the second-level cache, and the
 * buckets holding a wanted rank are small enough to sort by insertion (200,000 normal
 * values at 359 ranks: 9 ns a value against 14 with 2048 buckets, numpy's sort 14-19). */
#define SKMI_SELECT_MAX_BUCKETS 16384
/* Levels of buckets before a segment is heap-sorted instead: each level splits the segment's
 * minimum from its maximum, so only values spread over many decades (2^-i) go this deep. */
#define SKMI_SELECT_DEPTH 12

static void skmi_insertion_sort(double *v, Py_ssize_t n) {
    for (Py_ssize_t i = 1; i < n; i++) {
        double x = v[i];
        Py_ssize_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static void skmi_sift_down(double *v, Py_ssize_t root, Py_ssize_t n) {
    double x = v[root];
    Py_ssize_t child;
    while ((child = 2 * root + 1) < n) {
        if (child + 1 < n && v[child + 1] > v[child]) child++;
        if (!(v[child] > x)) break;
        v[root] = v[child];
        root = child;
    }
    v[root] = x;
}

static void skmi_heap_sort(double *v, Py_ssize_t n) {
    for (Py_ssize_t i = n / 2; i-- > 0;) skmi_sift_down(v, i, n);
    for (Py_ssize_t end = n - 1; end > 0; end--) {
        double x = v[0];
        v[0] = v[end];
        v[end] = x;
        skmi_sift_down(v, 0, end);
    }
}

/* v[r] becomes the value of sorted rank r of v[:n], with the values below it before it and
 * the values above it after it (Hoare's selection, pivot the median of three); after
 * ``limit`` rounds it heap-sorts what is left. */
static void skmi_quick_select(double *v, Py_ssize_t n, Py_ssize_t r, int limit) {
    Py_ssize_t lo = 0, hi = n - 1;
    while (hi > lo) {
        if (limit-- <= 0) {
            skmi_heap_sort(v + lo, hi - lo + 1);
            return;
        }
        Py_ssize_t mid = lo + (hi - lo) / 2;
        double a = v[lo], b = v[mid], c = v[hi];
        double pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        Py_ssize_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                double x = v[i];
                v[i++] = v[j];
                v[j--] = x;
            }
        }
        if (r <= j)
            hi = j;
        else if (r >= i)
            lo = i;
        else
            return;
    }
}

/* Whether sorted v[:n] holds a run of at least ``least`` equal values. */
static int skmi_has_run(const double *v, Py_ssize_t n, int64_t least) {
    Py_ssize_t run = 1;
    if (n < least) return 0;
    for (Py_ssize_t i = 1; i < n; i++) {
        run = v[i] == v[i - 1] ? run + 1 : 1;
        if (run >= least) return 1;
    }
    return least <= 1 && n > 0;
}

/* An integer key of x ordered as x is, on which equal-width buckets are about equal ranges
 * of log |x| (used where the values spread over decades). -0.0 takes +0.0's key: equal
 * values share a bucket. */
static inline uint64_t skmi_key(double x) {
    uint64_t u;
    x += 0.0;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}

/* Bucket of x in [low, high] among n_buckets equal ranges, of its value or of its key:
 * floor(position scale), clipped to the last bucket. Monotone in x, so buckets are ordered
 * as their values, and the minimum and the maximum fall in the first and the last (scale is
 * n_buckets over the range, at least 2). */
static inline Py_ssize_t skmi_bucket(double x, double low, uint64_t low_key, double scale,
                                     Py_ssize_t n_buckets, int keyed) {
    double t = keyed ? (double)(skmi_key(x) - low_key) * scale : (x - low) * scale;
    return t < (double)(n_buckets - 1) ? (Py_ssize_t)t : n_buckets - 1;
}

/* The segment v[:n] (finite values, in any order) holds the values of sorted ranks
 * offset..offset + n - 1 of the column; ranks[:n_ranks] (ascending) are the wanted ranks
 * inside it, out[:n_ranks] receives their values. Returns -1 where a value occurs at least
 * ``least`` times (out is then incomplete), -2 where memory ran out, 0 otherwise. v is
 * permuted, never overwritten: it keeps its values.
 *
 * A level counts the segment's values in equal-width buckets of their values (``keyed``
 * false) or of their keys, then copies the values of the buckets to refine into a buffer
 * of their own, one after the other, and refines those: memory for the values refined
 * only. Where the largest bucket took most of the values, the level counts them again in
 * the other kind of bucket, which its children keep: values over decades crowd the first
 * bucket of their values, values near 0 few buckets of their keys. A segment with no room
 * for a point mass and a rank or two is selected from (Hoare), one of at most
 * SKMI_SELECT_SMALL values sorted. */
static int skmi_select(double *v, Py_ssize_t n, int64_t offset, const int64_t *ranks,
                       Py_ssize_t n_ranks, int64_t least, double *out, int depth, int keyed) {
    double low = v[0], high = v[0];
    if (n < least && n_ranks <= 2) {
        /* No point mass can hide here, and a rank or two are found by selection. */
        Py_ssize_t from = 0;
        for (Py_ssize_t r = 0; r < n_ranks; r++) {
            Py_ssize_t at = ranks[r] - offset;
            skmi_quick_select(v + from, n - from, at - from, 64);
            out[r] = v[at];
            from = at;
        }
        return 0;
    }
    if (n <= SKMI_SELECT_SMALL || depth >= SKMI_SELECT_DEPTH) {
        if (n <= SKMI_SELECT_SMALL)
            skmi_insertion_sort(v, n);
        else
            skmi_heap_sort(v, n);
        if (skmi_has_run(v, n, least)) return -1;
        for (Py_ssize_t r = 0; r < n_ranks; r++) out[r] = v[ranks[r] - offset];
        return 0;
    }
    for (Py_ssize_t i = 1; i < n; i++) {
        low = v[i] < low ? v[i] : low;
        high = v[i] > high ? v[i] : high;
    }
    if (low == high) {
        if (n >= least) return -1;
        for (Py_ssize_t r = 0; r < n_ranks; r++) out[r] = low;
        return 0;
    }
    /* Buckets small enough that few reach a point mass's size, which is then refined. */
    int64_t per_bucket = least / 4 < SKMI_SELECT_PER_BUCKET ? least / 4 : SKMI_SELECT_PER_BUCKET;
    Py_ssize_t n_buckets = n / (per_bucket > 1 ? per_bucket : 1);
    if (n_buckets > SKMI_SELECT_MAX_BUCKETS) n_buckets = SKMI_SELECT_MAX_BUCKETS;
    if (n_buckets < 2) n_buckets = 2;
    uint64_t low_key = skmi_key(low);
    double scale = keyed ? (double)n_buckets / (double)(skmi_key(high) - low_key)
                         : (double)n_buckets / (high - low);
    /* A range of values past the largest double, or below the smallest: keys instead. */
    if (!keyed && !(isfinite(scale) && isfinite(high - low)))
        return skmi_select(v, n, offset, ranks, n_ranks, least, out, depth, 1);
    /* start[b]: where bucket b begins in sorted order; step[b]: 1 where it is refined, else
     * 0; next[b]: where its next value goes in the buffer of refined values, or ``spare``
     * (written over) where it is not refined. */
    Py_ssize_t *start = malloc(2 * ((size_t)n_buckets + 1) * sizeof(Py_ssize_t));
    double **next = malloc(((size_t)n_buckets + 1) * sizeof(double *));
    double *refined = NULL, spare;
    if (start == NULL || next == NULL) {
        free(start);
        free(next);
        return -2;
    }
    Py_ssize_t *step = start + n_buckets + 1, largest = 0, n_refined = 0;
    for (int attempt = 0;; attempt++) {
        memset(start, 0, ((size_t)n_buckets + 1) * sizeof(Py_ssize_t));
        for (Py_ssize_t i = 0; i < n; i++)
            start[skmi_bucket(v[i], low, low_key, scale, n_buckets, keyed) + 1]++;
        for (Py_ssize_t b = 0; b < n_buckets; b++)
            largest = start[b + 1] > largest ? start[b + 1] : largest;
        /* Most values in one bucket: the other kind of bucket, once, before any copy. */
        if (attempt > 0 || largest <= n / 2) break;
        if (keyed && !(isfinite((double)n_buckets / (high - low)) && isfinite(high - low)))
            break;
        keyed = !keyed;
        scale = keyed ? (double)n_buckets / (double)(skmi_key(high) - low_key)
                      : (double)n_buckets / (high - low);
        largest = 0;
    }
    for (Py_ssize_t b = 0, r = 0; b < n_buckets; b++) {
        Py_ssize_t size = start[b + 1], first = r;
        start[b + 1] += start[b];
        while (r < n_ranks && ranks[r] < offset + start[b + 1]) r++;
        step[b] = size > 0 && (r > first || size >= least);
        n_refined += step[b] ? size : 0;
    }
    refined = malloc(((size_t)n_refined + 1) * sizeof(double));
    if (refined == NULL) {
        free(start);
        free(next);
        return -2;
    }
    for (Py_ssize_t b = 0, at = 0; b < n_buckets; b++) {
        next[b] = step[b] ? refined + at : &spare;
        at += step[b] ? start[b + 1] - start[b] : 0;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t b = skmi_bucket(v[i], low, low_key, scale, n_buckets, keyed);
        *next[b] = v[i];
        next[b] += step[b];
    }
    int status = 0;
    for (Py_ssize_t b = 0, r = 0, at = 0; b < n_buckets && status == 0; b++) {
        Py_ssize_t first = r, size = start[b + 1] - start[b];
        while (r < n_ranks && ranks[r] < offset + start[b + 1]) r++;
        if (step[b]) {
            status = skmi_select(refined + at, size, offset + start[b], ranks + first,
                                 r - first, least, out + first, depth + 1, keyed);
            at += size;
        }
    }
    free(refined);
    free(start);
    free(next);
    return status;
}

#endif
