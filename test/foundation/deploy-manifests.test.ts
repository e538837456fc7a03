import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';

// No container engine or cluster runs here: the manifests are linted, not applied.
const ROOT = path.resolve(import.meta.dirname, '../..');
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form YAML

async function k8sDocs(): Promise<Doc[]> {
  const dir = path.join(ROOT, 'deploy/k8s');
  const docs: Doc[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.yaml'))) {
    for (const d of parseAllDocuments(await readFile(path.join(dir, f), 'utf8'))) {
      assert.deepEqual(d.errors, [], `${f}: YAML errors`);
      docs.push(d.toJS() as Doc);
    }
  }
  return docs;
}

const podSpec = (d: Doc): Doc => (d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec);

describe('deploy/ manifests', () => {
  it('every Kubernetes object is well-formed and namespaced, workloads run as non-root with resources', async () => {
    const docs = await k8sDocs();
    assert.ok(docs.length >= 10);
    for (const d of docs) {
      assert.ok(d.apiVersion && d.kind && d.metadata?.name, JSON.stringify(d).slice(0, 80));
      if (d.kind !== 'Namespace') assert.equal(d.metadata.namespace, 'oneheart', `${d.kind}/${d.metadata.name}`);
      if (d.kind === 'Deployment' || d.kind === 'CronJob') {
        const spec = podSpec(d);
        assert.equal(spec.securityContext?.runAsNonRoot, true, d.metadata.name);
        for (const c of spec.containers) {
          assert.ok(c.image && c.command, `${d.metadata.name}/${c.name}`);
          if (d.kind === 'Deployment') assert.ok(c.resources?.requests && c.resources?.limits, `${d.metadata.name}/${c.name} resources`);
        }
      }
    }
  });

  it('the API is probed on /health and /ready; the indexer is a single replica', async () => {
    const docs = await k8sDocs();
    const api = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'api')!;
    const c = podSpec(api).containers[0];
    assert.equal(c.livenessProbe.httpGet.path, '/health');
    assert.equal(c.readinessProbe.httpGet.path, '/ready');
    assert.equal(docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'indexer')!.spec.replicas, 1);
    assert.deepEqual(docs.filter((d) => d.kind === 'HorizontalPodAutoscaler').map((d) => d.spec.scaleTargetRef.name).sort(), ['api', 'verifier']);
  });

  it('commits no secret values, and names only configuration the README documents', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    for (const d of await k8sDocs()) {
      if (d.kind === 'Secret') for (const [k, v] of Object.entries(d.stringData ?? {})) assert.equal(v, '', `secret ${k} has a value`);
      for (const k of Object.keys(d.kind === 'Secret' ? d.stringData : d.kind === 'ConfigMap' ? d.data : {})) {
        assert.match(readme, new RegExp(`\`${k}\``), `${k} is not in the README's configuration table`);
      }
    }
  });

  it('compose defines every process and parses', async () => {
    const compose = parseAllDocuments(await readFile(path.join(ROOT, 'deploy/compose.yaml'), 'utf8'))[0]!;
    assert.deepEqual(compose.errors, []);
    const services = Object.keys((compose.toJS() as Doc).services);
    for (const s of ['postgres', 'redis', 'minio', 'migrate', 'api', 'verifier', 'indexer']) assert.ok(services.includes(s), s);
  });
});
