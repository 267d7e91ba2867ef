# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the benchmarks (POSIX sh): the machine-readable result line that
# bench/run-all collects into one table and JSON.
#
#   bench_result BENCH FIGURE UNIT GOAL BASELINE BASE_VALUES OURS_VALUES PAIRING
#
# One line of 8 tab-separated fields appended to $BENCH_RESULTS (nothing when it
# is unset, so every benchmark also runs on its own):
#   BENCH, FIGURE   names (no tabs)
#   UNIT            of the values: s, ms, us, Ir, KiB, B, ...
#   GOAL            ratio<=X (the median ratio ours/baseline), value<=X (the
#                   median of ours, in UNIT), or - (none: reported only)
#   BASELINE        what the baseline is (cp+fsync, dtc, N=250, ...)
#   BASE_VALUES, OURS_VALUES
#                   space-separated samples, one per round
#   PAIRING         paired: sample i of both sides ran in the same round, so the
#                   ratios are per round; sorted: they did not (hyperfine runs one
#                   command after the other), so min/median/max of the ratio are
#                   ratios of the mins, medians and maxes
bench_result() {
	[ -n "${BENCH_RESULTS:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" \
		>> "$BENCH_RESULTS"
}

# BENCH_QUICK=1: a short run for trying things out (fewer rounds, smaller sizes).
bench_quick() {
	[ "${BENCH_QUICK:-0}" != 0 ]
}

# bench_stats BASE_VALUES OURS_VALUES PAIRING: prints "BASE-MEDIAN OURS-MEDIAN
# RATIO-MIN RATIO-MEDIAN RATIO-MAX" as bench/run-all computes them (the median
# of an even count is the mean of the two middle samples).
bench_stats() {
	printf '%s|%s|%s\n' "$1" "$2" "$3" | awk -F'|' '
		function med(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		function sort(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		}
		{
			n = split($1, b, " "); m = split($2, o, " ")
			if ($3 == "paired" && n == m) {
				for (i = 1; i <= n; i++) r[i] = b[i] ? o[i] / b[i] : 0
				k = n; sort(b, n); sort(o, m); sort(r, k)
			} else {
				sort(b, n); sort(o, m)
				r[1] = o[1] / b[1]; r[2] = med(o, m) / med(b, n); r[3] = o[m] / b[n]
				k = 3
			}
			printf "%.10g %.10g %.3f %.3f %.3f\n", med(b, n), med(o, m), r[1], med(r, k), r[k]
		}'
}
