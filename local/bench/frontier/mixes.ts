/**
 * The seeded task mixes of the frontier: finish times (seconds from the run's first poll) only, since the
 * fast model needs nothing else. Today's mix is the one the real-loop figures poll (../mix.ts).
 */
import { seededRandom } from '../../random';
import { taskMix } from '../mix';

export interface Mix {
  name: string;
  description: string;
  tasks: number;
  durations(seed: number): number[];
}

const round = (s: number) => Math.round(s * 1000) / 1000;

export const MIXES: readonly Mix[] = [
  {
    name: 'interactive',
    description: '60 tasks, uniform 8-88 s',
    tasks: 60,
    durations: (seed) => {
      const random = seededRandom(seed);
      return Array.from({ length: 60 }, () => round(8 + 80 * random()));
    },
  },
  {
    name: 'today',
    description: "500 tasks, today's mix: 85% ~2.5 min (1-5 min), 15% tail 5-60 min",
    tasks: 500,
    durations: (seed) => taskMix(500, seed).map((t) => t.durationSeconds),
  },
  {
    name: 'bimodal',
    description: '500 tasks, half 20-40 s, half 20-30 min',
    tasks: 500,
    durations: (seed) => {
      const random = seededRandom(seed);
      return Array.from({ length: 500 }, () =>
        round(random() < 0.5 ? 20 + 20 * random() : 1200 + 600 * random()),
      );
    },
  },
  {
    name: 'heavy-tail',
    description: '500 tasks, log-uniform 30 s to 2 h',
    tasks: 500,
    durations: (seed) => {
      const random = seededRandom(seed);
      return Array.from({ length: 500 }, () => round(30 * Math.exp(random() * Math.log(7200 / 30))));
    },
  },
];

/**
 * Seeds of the earlier runs a mix is learnt from (the oracle's training sample, the policy's history):
 * never the bench seed; enough runs for about 2,000 finishes.
 */
export function trainingSeeds(mix: Mix, benchSeed: number): number[] {
  const runs = Math.max(4, Math.ceil(2000 / mix.tasks));
  return Array.from({ length: runs }, (_, i) => benchSeed * 7919 + 101 + i);
}
