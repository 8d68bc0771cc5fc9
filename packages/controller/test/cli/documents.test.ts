import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDocuments } from '../../src/cli/documents.js';
import type { WireDeployment } from '../../src/cli/ecs-reads.js';
import { prometheusText } from '../../src/cli/operator-routes.js';
import { outcome, progressLine } from '../../src/cli/wait.js';

const folder = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cli-docs-'));
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'nested', 'ignored.json'), '{ not even json');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

describe('apply documents', () => {
  it('reads a folder of YAML (several documents per file) and JSON (a list, a describe envelope), by kind', async () => {
    const dir = folder({
      'a.yaml':
        'clusterName: stage\n---\nfamily: web\ncontainerDefinitions:\n  - { name: app, image: busybox, memory: 16 }\n',
      'b.json': JSON.stringify([{ serviceName: 'web', taskDefinition: 'web', desiredCount: 1 }]),
      'c.yml': 'services:\n  - serviceName: api\n    taskDefinition: web:2\n    desiredCount: 2\n',
      'notes.txt': 'not a document',
    });
    const { declared, errors } = await loadDocuments([dir]);
    expect(errors).toEqual([]);
    expect(
      declared.map((d) => `${d.kind} ${d.origin.file.slice(dir.length + 1)}#${d.origin.index ?? ''}`),
    ).toEqual(['cluster a.yaml#1', 'taskDefinition a.yaml#2', 'service b.json#', 'service c.yml#']);
  });

  it('names the file and the field of every problem: invalid JSON or YAML, an unknown shape, a task definition with errors', async () => {
    const dir = folder({
      'bad.json': '{ "family": "x", ',
      'bad.yaml': 'family: [unclosed\n',
      'unknown.yaml': 'kind: Deployment\nmetadata: { name: web }\n',
      'td.yaml':
        'family: web\ncontainerDefinitions:\n  - name: app\n    image: busybox\n    memory: -1\n    portMappings: [{ containerPort: 99999 }]\n',
      'ok.yaml': 'clusterName: fine\n',
    });
    const { declared, errors } = await loadDocuments([dir]);
    expect(declared.map((d) => d.kind)).toEqual(['cluster']);
    const text = errors.join('\n');
    expect(text).toMatch(new RegExp(`${dir}/bad\\.json: invalid JSON: `));
    expect(text).toMatch(new RegExp(`${dir}/bad\\.yaml: invalid YAML: `));
    expect(text).toContain(
      `${dir}/unknown.yaml: unknown document (fields: kind, metadata): expected a task definition (containerDefinitions), a service (serviceName), a cluster`,
    );
    expect(text).toMatch(
      new RegExp(`${dir}/td\\.yaml: task definition "web": containerDefinitions\\[0\\]\\.memory: `),
    );
    expect(text).toMatch(
      new RegExp(
        `${dir}/td\\.yaml: task definition "web": containerDefinitions\\[0\\]\\.portMappings\\[0\\]\\.containerPort: `,
      ),
    );
  });

  it('a missing path is an error naming it', async () => {
    await expect(loadDocuments(['/nonexistent/deploy'])).rejects.toThrow('/nonexistent/deploy: ENOENT');
  });
});

describe('apply --wait', () => {
  const service = (deployments: WireDeployment[]) => ({ serviceName: 'web', deployments });
  it('is steady once the deployment of the applied revision is the only one, complete, running all it wants', () => {
    const d = { id: 'd2', status: 'PRIMARY', taskDefinition: 'arn:x:task-definition/web:2', desiredCount: 2 };
    expect(
      outcome(service([{ ...d, rolloutState: 'IN_PROGRESS', runningCount: 1 }]), 'web:2', false),
    ).toEqual({ done: false, seen: true });
    expect(outcome(service([{ ...d, rolloutState: 'COMPLETED', runningCount: 2 }]), 'web:2', true)).toEqual({
      done: true,
    });
    // Before the controller creates it, the deployment is waited for; once seen, its disappearance fails.
    expect(outcome(service([{ ...d, taskDefinition: 'web:1' }]), 'web:2', false)).toEqual({
      done: false,
      seen: false,
    });
    expect(outcome(service([{ ...d, taskDefinition: 'web:1' }]), 'web:2', true)).toMatchObject({
      done: true,
      failed: 'the deployment of web:2 is gone',
    });
  });

  it('fails when the breaker fails the deployment and rolls back', () => {
    const failed = service([
      {
        id: 'd2',
        status: 'INACTIVE',
        taskDefinition: 'web:2',
        rolloutState: 'FAILED',
        rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
        createdAt: 2,
      },
      {
        id: 'd1',
        status: 'PRIMARY',
        taskDefinition: 'web:1',
        rolloutState: 'COMPLETED',
        createdAt: 1,
        runningCount: 2,
        desiredCount: 2,
      },
    ]);
    expect(outcome(failed, 'web:2', true)).toEqual({
      done: true,
      failed:
        'deployment d2 failed: ECS deployment circuit breaker: tasks failed to start; rolled back to web:1',
    });
    expect(progressLine('web', failed)).toBe('web: PRIMARY web:1 COMPLETED running 2/2');
  });
});

describe('/metrics', () => {
  it("types each of Baton's counters and ends with a newline", () => {
    expect(prometheusText('a_total{x="1"} 2\na_total{x="2"} 3\nb_total 1')).toBe(
      '# TYPE a_total counter\na_total{x="1"} 2\na_total{x="2"} 3\n# TYPE b_total counter\nb_total 1\n',
    );
    expect(prometheusText('')).toBe('');
  });
});
