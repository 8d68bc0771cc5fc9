import type { Baton } from 'baton-ecs';
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/index.js';

/**
 * UpdateService answers with the deployment it starts, as ECS does, so `aws ecs wait services-stable`
 * started right after it never sees the old steady state. The calls go to the simulation's Baton
 * directly (no settle, no step). The simulation's stack is live, so its service controller may pass
 * over the service as soon as the update lands: the first pass's input proves that the deployment was
 * already there — the API made it — and that the pass made none. (The no-pass-at-all proof, on a Baton
 * whose controllers have not started, is packages/controller/test/update-service-deployment.test.ts.)
 */

function servicePasses(baton: Baton): number {
  return baton
    .metrics()
    .split('\n')
    .filter((l) => l.startsWith('baton_reconcile_total{') && l.includes('controller="service"'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

async function steadyWeb(): Promise<Simulation> {
  const sim = new Simulation({
    seed: 29,
    instances: Array.from({ length: 2 }, (_, i) => ({ id: `i-${i}`, zone: `az-${i}`, memory: 4096 })),
  });
  for (const image of ['web:1', 'web:2'])
    await sim.registerTaskDefinition({
      family: 'web',
      containerDefinitions: [{ name: 'web', image, memory: 128 }],
    });
  await sim.createService({ serviceName: 'web', taskDefinition: 'web:1', desiredCount: 2 });
  if (!(await sim.runUntilSteady('web', 10 * 60_000))) throw new Error('web did not reach a steady state');
  return sim;
}

describe('UpdateService in a simulation: the new PRIMARY is in the response', () => {
  for (const change of [{ taskDefinition: 'web:2' }, { forceNewDeployment: true }] as const) {
    it(`${JSON.stringify(change)}: response and DescribeServices show the new PRIMARY IN_PROGRESS and the old ACTIVE; the first pass finds them made`, async () => {
      const sim = await steadyWeb();
      const old = sim.service('web').deployments[0]!;
      expect(old).toMatchObject({ status: 'PRIMARY', rolloutState: 'COMPLETED' });
      const passes = servicePasses(sim.baton);
      // Each pass of the service controller: the deployments it read, and those it planned.
      const passesSeen: { read: string[]; planned: string[] }[] = [];
      const ids = (ds: readonly { id: string; status: string }[]) => ds.map((d) => `${d.id} ${d.status}`);
      const watching = sim.baton.internals.serviceController!.plans.subscribe((n) => {
        passesSeen.push({ read: ids(n.service.deployments), planned: ids(n.plan.service.deployments) });
      });
      const updated = await sim.baton.updateService({ cluster: 'default', service: 'web', ...change });
      const { services } = await sim.baton.describeServices({ cluster: 'default', services: ['web'] });
      for (const s of [updated, services[0]!]) {
        expect(s.deployments.map((d) => [d.id === old.id, d.status, d.rolloutState])).toEqual([
          [false, 'PRIMARY', 'IN_PROGRESS'],
          [true, 'ACTIVE', 'COMPLETED'],
        ]);
      }
      const primary = updated.deployments[0]!.id;
      // The scheduler rolls the tasks over to that deployment; it makes no other.
      expect(await sim.runUntilSteady('web')).toBe(true);
      expect(servicePasses(sim.baton)).toBeGreaterThan(passes);
      watching.unsubscribe();
      // The first pass after the update read the deployment the API had made, and made none itself.
      expect(passesSeen[0]?.read).toEqual([`${primary} PRIMARY`, `${old.id} ACTIVE`]);
      expect(passesSeen[0]?.planned[0]).toBe(`${primary} PRIMARY`);
      expect(new Set(passesSeen.flatMap((p) => p.planned.map((d) => d.split(' ')[0])))).toEqual(
        new Set([primary, old.id]),
      );
      expect(
        sim
          .service('web')
          .deployments.filter((d) => d.status !== 'INACTIVE')
          .map((d) => d.id),
      ).toEqual([primary]);
      expect(sim.liveTasks('web').every((t) => t.startedBy === primary)).toBe(true);
      await sim.stop();
    });
  }

  it('desiredCount alone: the response keeps the deployment, and scaling happens', async () => {
    const sim = await steadyWeb();
    const ids = sim.service('web').deployments.map((d) => d.id);
    const updated = await sim.baton.updateService({ cluster: 'default', service: 'web', desiredCount: 3 });
    expect(updated.deployments.map((d) => d.id)).toEqual(ids);
    expect(await sim.runUntil((s) => s.liveTasks('web').length === 3, 60_000)).toBe(true);
    expect(sim.service('web').deployments.map((d) => d.id)).toEqual(ids);
    await sim.stop();
  });
});
