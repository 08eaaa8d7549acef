/* The bin search of one column, in C: compiled twice where the processor allows, for the
 * x86-64-v3 level (AVX2) and for the baseline, and chosen at load time (target_clones), so
 * that a column's grid cells are computed four values at a time wherever the processor can
 * and the module still runs on any x86-64. The Cython kernels call it (_inline.pxd).
 */
#ifndef SKMI_SEARCH_H
#define SKMI_SEARCH_H

#include <math.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define SKMI_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define SKMI_CLONES
#endif

/* Grid cell of v: floor((v - origin) * scale) clipped to [0, n_cells]. Monotone in v, which
 * is all that the exactness of skmi_code rests on. Clamped before the conversion, which is
 * then always in range: branch-free, so that it vectorises (NaN fails x > 0 and goes to 0).
 * Where scale is 0, origin is 0 too, so that an overflowing v - origin never makes 0 * inf. */
static inline uint32_t skmi_cell(double v, double origin, double scale, uint64_t n_cells) {
    double x = (v - origin) * scale;
    x = x > 0.0 ? x : 0.0;
    x = x < (double)n_cells ? x : (double)n_cells;
    return (uint32_t)(int32_t)x;
}

/* Bin of v: #{inner edges <= v} = lut[cell] + #{edges of v's cell <= v}. lut[g] counts the
 * edges whose own cell is below g: by monotony those are < v, and edges of cells above g are
 * > v. The at most 2^steps - 1 edges of v's cell (row is padded with NaN past them) are
 * counted by binary steps down to a window of 15, then by comparing v with all of the window
 * at once: a binary search to the end mispredicts its branches, and was twice as slow on
 * heavy tails. A step of at least 1 keeps the window in range where no cell holds an edge. */
static inline uint32_t skmi_code(double v, double origin, double scale, uint64_t top,
                                 const uint32_t *lut, const double *row, int64_t steps) {
    uint64_t pos = lut[skmi_cell(v, origin, scale, top)];
    uint64_t step = ((uint64_t)1 << (uint64_t)steps) >> 1;
    uint64_t count = 0;
    if (step < 1) step = 1;
    while (step > 8) {
        if (row[pos + step - 1] <= v) pos += step;
        step >>= 1;
    }
    for (uint64_t q = 0; q < 2 * step - 1; q++) count += row[pos + q] <= v;
    return (uint32_t)(pos + count);
}

/* The codes of the non-finite values of column[:n], which the search left in range: a
 * missing value (NaN) gets ``missing``, its column's bin for them, where it has one (below
 * UINT32_MAX). Returns whether every one of them was binned so: none infinite, and none
 * missing where the column has no such bin. Run only where the search saw a non-finite
 * value, so that columns without any pay nothing. */
#define SKMI_CODE_MISSING(NAME, TYPE)                                                        \
    static int NAME(const TYPE *restrict column, Py_ssize_t n, uint32_t missing,            \
                    uint32_t *restrict out) {                                               \
        int binned = 1;                                                                     \
        for (Py_ssize_t i = 0; i < n; i++) {                                                \
            double v = column[i];                                                           \
            if (v != v && missing != UINT32_MAX) out[i] = missing;                          \
            else if (!(fabs(v) < INFINITY)) binned = 0;                                     \
        }                                                                                   \
        return binned;                                                                      \
    }

SKMI_CODE_MISSING(skmi_code_missing_f64, double)
SKMI_CODE_MISSING(skmi_code_missing_f32, float)

/* out[i] = bin of column[i] for i < n; a missing value (NaN) gets the code ``missing``, the
 * column's bin of its own for them, where it has one (``missing`` below UINT32_MAX). Returns
 * whether every value was binned: none infinite, and none missing where the column has no
 * such bin (those still get a bin in range, 0). With at most one edge per cell (steps <= 1),
 * the rule for smooth data, cells go in one loop, which vectorises, then one lookup and one
 * comparison each. */
#define SKMI_CODE_COLUMN(NAME, TYPE, MISSING)                                                \
    SKMI_CLONES static int NAME(const TYPE *restrict column, Py_ssize_t n, double origin,   \
                                double scale, uint64_t top, const uint32_t *restrict lut,   \
                                const double *restrict row, int64_t steps, uint32_t missing,\
                                uint32_t *restrict out) {                                   \
        int finite = 1;                                                                     \
        if (steps <= 1) {                                                                   \
            for (Py_ssize_t i = 0; i < n; i++) {                                            \
                double v = column[i];                                                       \
                finite &= fabs(v) < INFINITY;                                               \
                out[i] = skmi_cell(v, origin, scale, top);                                  \
            }                                                                               \
            for (Py_ssize_t i = 0; i < n; i++) {                                            \
                uint32_t pos = lut[out[i]];                                                 \
                out[i] = pos + (row[pos] <= (double)column[i]);                             \
            }                                                                               \
        } else {                                                                            \
            for (Py_ssize_t i = 0; i < n; i++) {                                            \
                double v = column[i];                                                       \
                finite &= fabs(v) < INFINITY;                                               \
                out[i] = skmi_code(v, origin, scale, top, lut, row, steps);                 \
            }                                                                               \
        }                                                                                   \
        return finite || MISSING(column, n, missing, out);                                  \
    }

SKMI_CODE_COLUMN(skmi_code_column_f64, double, skmi_code_missing_f64)
SKMI_CODE_COLUMN(skmi_code_column_f32, float, skmi_code_missing_f32)

/* table[cx[s] * n_y + cy[s]] += 1 for s < n: the joint table of two coded columns (restrict:
 * the table's stores cannot change the codes, which byte codes would otherwise allow). */
#define SKMI_PAIR_TABLE(NAME, TYPE)                                                          \
    static inline void NAME(const TYPE *restrict cx, const TYPE *restrict cy, Py_ssize_t n, \
                            Py_ssize_t n_y, int64_t *restrict table) {                      \
        for (Py_ssize_t s = 0; s < n; s++) table[(Py_ssize_t)cx[s] * n_y + cy[s]] += 1;      \
    }

SKMI_PAIR_TABLE(skmi_pair_table_u8, uint8_t)
SKMI_PAIR_TABLE(skmi_pair_table_u16, uint16_t)
SKMI_PAIR_TABLE(skmi_pair_table_i64, int64_t)

/* The summed-area table of table (n_rows x n_columns, C order) into sums, whose rows are
 * n_columns + 1 wide and whose first row and column are zeros: sums[u + 1][v + 1] counts the
 * cells [0, u] x [0, v]. Two passes a row: the row's running sums, whose chain of additions
 * is the one serial part, then the row above added, four values at a time where the
 * processor allows. As one loop of both, inlined in adaptive_tables, it took 80% of that
 * kernel's time on 500 x 200,000 at 64 x 64 fine bins, and the kernel now takes half as
 * long (perf samples). */
#define SKMI_SUMMED_AREA(NAME, TYPE)                                                         \
    SKMI_CLONES static void NAME(const TYPE *restrict table, Py_ssize_t n_rows,             \
                                 Py_ssize_t n_columns, int64_t *restrict sums) {            \
        Py_ssize_t width = n_columns + 1;                                                   \
        for (Py_ssize_t u = 0; u < n_rows; u++) {                                           \
            const TYPE *restrict row = table + u * n_columns;                               \
            const int64_t *restrict above = sums + u * width + 1;                           \
            int64_t *restrict below = sums + (u + 1) * width + 1;                           \
            int64_t running = 0;                                                            \
            for (Py_ssize_t v = 0; v < n_columns; v++) {                                    \
                running += row[v];                                                          \
                below[v] = running;                                                         \
            }                                                                               \
            for (Py_ssize_t v = 0; v < n_columns; v++) below[v] += above[v];                \
        }                                                                                   \
    }

SKMI_SUMMED_AREA(skmi_summed_area_u16, uint16_t)
SKMI_SUMMED_AREA(skmi_summed_area_i32, int32_t)
SKMI_SUMMED_AREA(skmi_summed_area_i64, int64_t)

#endif
