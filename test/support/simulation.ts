// The simulated AWS account and Slack workspace of one test: a fresh pair before each test of the
// suite that calls this, stopped after it, handed to `use` (usually to assign the suite's variables).
import { type Simulation, simulate } from '../../simulator/catalog.ts';

export function useSimulation(use: (sim: Simulation) => void): void {
  let sim: Simulation | undefined;
  beforeEach(async () => {
    sim = await simulate();
    use(sim);
  });
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });
}
