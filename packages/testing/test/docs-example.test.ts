// The example in docs/testing.md, verbatim, so the docs cannot rot.
import { expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

it('rolls out without dropping below 3 healthy tasks', async () => {
  const sim = new Simulation({ seed: 1, instances: [{ id: 'a', zone: 'az-1' }, { id: 'b', zone: 'az-2' }] });
  const web = (tag: string) => ({ family: 'web', containerDefinitions: [{ name: 'web', image: `web:${tag}`, memory: 256 }] });
  await sim.registerTaskDefinition(web('1'));
  await sim.createService({ serviceName: 'web', taskDefinition: 'web', desiredCount: 3,
    deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 150 } });
  await sim.runUntilSteady('web');

  let fewest = Infinity;
  sim.onStep((s) => { fewest = Math.min(fewest, s.healthyTasks('web').length); });
  await sim.registerTaskDefinition(web('2'));
  await sim.updateService('web', { taskDefinition: 'web:2' });
  expect(await sim.runUntilSteady('web')).toBe(true);
  expect(fewest).toBeGreaterThanOrEqual(3);
});
