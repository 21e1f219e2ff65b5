// The Bitbucket double (the pipelines proxy and the API behind it) of one test: started before each
// test of the suite that calls this, stopped after it, handed to `use`.
import { FakeBitbucket } from '../../simulator/fake-bitbucket.ts';

export function useBitbucket(use: (bitbucket: FakeBitbucket) => void): void {
  let bitbucket: FakeBitbucket | undefined;
  beforeEach(async () => {
    bitbucket = new FakeBitbucket();
    await bitbucket.start();
    use(bitbucket);
  });
  afterEach(async () => {
    await bitbucket?.stop();
    bitbucket = undefined;
  });
}
