import { describe, expect, it } from 'vitest';
import {
  type CreateContainerAction,
  effectiveContainerDefinition,
  type PullImageAction,
} from '../../src/agent/index.js';
import { def, reconcile, task, taskDef, tdMap, types } from './helpers.js';

/**
 * A service task whose record carries its deployment's pinned image (`repository@sha256:…`, written
 * by the control plane when it launched the task) runs that digest, not the task definition's tag.
 */
const digest = `sha256:${'ab'.repeat(32)}`;
const pinned = `registry.test:5000/web@${digest}`;

describe('reconcileInstance: a task pinned to its deployment digest', () => {
  const td = taskDef([def('web', { image: 'registry.test:5000/web:v' }), def('side', { image: 'side:1' })]);
  const withPin = task(td, 't1', {
    containers: [
      {
        name: 'web',
        image: pinned,
        imageDigest: digest,
        lastStatus: 'PENDING',
        healthStatus: 'UNKNOWN',
        networkBindings: [],
      },
      { name: 'side', image: 'side:1', lastStatus: 'PENDING', healthStatus: 'UNKNOWN', networkBindings: [] },
    ],
  });

  it('pulls and creates the pinned reference; other containers keep their image', () => {
    const pulls = reconcile({ tasks: [withPin], taskDefinitions: tdMap(td), images: [] });
    expect((pulls.actions as PullImageAction[]).map((p) => p.image)).toEqual([pinned, 'side:1']);
    const creates = reconcile({ tasks: [withPin], taskDefinitions: tdMap(td), images: [pinned, 'side:1'] });
    expect(types(creates)).toEqual(['CreateContainer', 'CreateContainer']);
    expect((creates.actions as CreateContainerAction[]).map((a) => a.spec.image)).toEqual([pinned, 'side:1']);
  });

  it('keeps the tag when the record holds no digest reference (RunTask, an unresolved deployment)', () => {
    const plain = task(td, 't2');
    expect(effectiveContainerDefinition(plain, td.containerDefinitions[0]!).image).toBe(
      'registry.test:5000/web:v',
    );
    const odd = task(td, 't3', {
      containers: [
        {
          name: 'web',
          image: 'other:2',
          lastStatus: 'PENDING',
          healthStatus: 'UNKNOWN',
          networkBindings: [],
        },
      ],
    });
    expect(effectiveContainerDefinition(odd, td.containerDefinitions[0]!).image).toBe(
      'registry.test:5000/web:v',
    );
    expect(effectiveContainerDefinition(withPin, td.containerDefinitions[0]!).image).toBe(pinned);
  });
});
