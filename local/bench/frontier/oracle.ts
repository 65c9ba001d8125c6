/**
 * The oracle schedule: the poll times that minimise the sum of delays over a training sample of finish
 * times (earlier runs: other seeds of the mix), for a given number of polls. The first poll is at 0 (Poll
 * follows Start at once, for any poller); each other poll is at some training task's finish time, and
 * the last at the latest one. Neither the minimum nor the maximum wait binds it.
 *
 * Dynamic programming over the sorted durations: split them into K - 1 consecutive groups, each polled
 * at its last finish; cost(i, j] = Σ (d_j - d_k). The cost is Monge, so each layer is solved by divide
 * and conquer over the split point: O(K n log n).
 */
export function oracleSchedule(training: readonly number[], polls: number): number[] {
  const d = [...training].filter((x) => x > 0).sort((a, b) => a - b);
  const n = d.length;
  const groups = Math.max(1, Math.min(n, polls - 1));
  if (n === 0) return [];
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + d[i];
  // Tasks i+1..j (1-based) polled at d[j-1].
  const cost = (i: number, j: number) => (j - i) * d[j - 1] - (prefix[j] - prefix[i]);
  let prev = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  prev[0] = 0;
  const choice: Int32Array[] = [];
  for (let g = 1; g <= groups; g++) {
    const cur = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
    const arg = new Int32Array(n + 1).fill(-1);
    const solve = (lo: number, hi: number, optLo: number, optHi: number) => {
      if (lo > hi) return;
      const mid = (lo + hi) >> 1;
      let best = Number.POSITIVE_INFINITY;
      let bestK = optLo;
      for (let k = optLo; k <= Math.min(mid - 1, optHi); k++) {
        const v = prev[k] + cost(k, mid);
        if (v < best) {
          best = v;
          bestK = k;
        }
      }
      cur[mid] = best;
      arg[mid] = bestK;
      solve(lo, mid - 1, optLo, bestK);
      solve(mid + 1, hi, bestK, optHi);
    };
    solve(g, n, g - 1, n - 1);
    choice.push(arg);
    prev = cur;
  }
  const times: number[] = [];
  let j = n;
  for (let g = groups; g >= 1; g--) {
    times.push(d[j - 1]);
    j = choice[g - 1][j];
  }
  return times.reverse();
}
