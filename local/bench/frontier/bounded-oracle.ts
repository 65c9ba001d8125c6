/**
 * The bounded oracle: the oracle's question (least total delay over the training sample for a number of
 * polls) asked of schedules any deployed poller could follow: every wait whole seconds within
 * [min, max], the first poll at 0. It shows what the wait bounds alone cost, apart from what the
 * policy does not know. Dynamic programming on a 1 s grid: O(polls × span × (max - min)).
 */
export function boundedOracleSchedule(
  training: readonly number[],
  polls: number,
  minWaitSeconds: number,
  maxWaitSeconds: number,
): number[] | undefined {
  const end = Math.ceil(Math.max(0, ...training));
  // count[t], sum[t]: tasks first seen by a poll at t (finishing in (t - 1, t]), and their finish times.
  const count = new Float64Array(end + 2);
  const sum = new Float64Array(end + 2);
  for (const d of training) {
    const t = Math.max(0, Math.ceil(d));
    count[t + 1] += 1;
    sum[t + 1] += d;
  }
  for (let t = 1; t <= end + 1; t++) {
    count[t] += count[t - 1];
    sum[t] += sum[t - 1];
  }
  // Delay of the tasks finishing in (a, b] seen by a poll at b.
  const cost = (a: number, b: number) => b * (count[b + 1] - count[a + 1]) - (sum[b + 1] - sum[a + 1]);
  let value = new Float64Array(end + 1).fill(Number.POSITIVE_INFINITY);
  value[0] = 0;
  const from: Int32Array[] = [];
  let best = { layer: -1, value: Number.POSITIVE_INFINITY };
  for (let layer = 1; layer < polls; layer++) {
    const next = new Float64Array(end + 1).fill(Number.POSITIVE_INFINITY);
    const arg = new Int32Array(end + 1).fill(-1);
    for (let b = minWaitSeconds; b <= end; b++) {
      for (let a = Math.max(0, b - maxWaitSeconds); a <= b - minWaitSeconds; a++) {
        if (value[a] === Number.POSITIVE_INFINITY) continue;
        const v = value[a] + cost(a, b);
        if (v < next[b]) {
          next[b] = v;
          arg[b] = a;
        }
      }
    }
    from.push(arg);
    value = next;
    // Fewer polls may do: the last one must see every task.
    if (value[end] < best.value) best = { layer, value: value[end] };
  }
  if (best.layer < 0) return undefined;
  const times: number[] = [];
  let t = end;
  for (let layer = best.layer; layer >= 1; layer--) {
    times.push(t);
    t = from[layer - 1][t];
  }
  return times.reverse();
}
