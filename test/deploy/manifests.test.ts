// The reference Kubernetes deployment (deploy/kubernetes) read as Kubernetes would read it, offline:
// every YAML document parses and names itself; the Urbis replicas get the settings a cluster needs
// (a shared store from a Secret, the bus and the broker at their Services, no embedded broker, probes
// on /ready and /health) and those settings pass Urbis's own configuration check; every Service,
// Ingress, PodDisruptionBudget, autoscaler and reference to a Secret or ConfigMap points at something
// that exists; PostgreSQL has PostGIS, NATS runs JetStream on a volume, Mosquitto enforces ACLs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SETTINGS, buildConfig } from '../../src/cli/config.js';
import { MIN_ADMIN_KEY_LENGTH } from '../../src/governance/identity/api-keys.js';

const DIR = join(import.meta.dirname, '../../deploy/kubernetes');
const NAMESPACE = 'urbis';
/** TLS secrets made by the operator or cert-manager (README.md, step 1), not shipped with values. */
const EXTERNAL_SECRETS = new Set(['mosquitto-tls', 'urbis-tls']);

type Labels = Record<string, string>;
interface Meta {
  name?: string;
  namespace?: string;
  labels?: Labels;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
  exec?: { command: string[] };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Labels; limits?: Labels };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface Volume {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string };
  persistentVolumeClaim?: { claimName: string };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
}
interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: Meta;
  data?: Labels;
  stringData?: Labels;
  resources?: string[];
  spec?: {
    replicas?: number;
    serviceName?: string;
    clusterIP?: string;
    type?: string;
    selector?: { matchLabels?: Labels } & Labels;
    template?: { metadata?: Meta; spec: PodSpec };
    volumeClaimTemplates?: Array<{ metadata: Meta }>;
    ports?: Array<{ name?: string; port: number; targetPort?: string | number }>;
    scaleTargetRef?: { apiVersion: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: Array<{ resource?: { name: string } }>;
    rules?: Array<{
      http: { paths: Array<{ backend: { service: { name: string; port: { name?: string } } } }> };
    }>;
  };
}

function load(): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(DIR, file), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const value: unknown = doc.toJS();
      if (value !== null) out.push({ ...(value as Omit<Manifest, 'file'>), file });
    }
  }
  return out;
}

const manifests = load();
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
const named = (kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
};
const workloads = () => manifests.filter((m) => ['Deployment', 'StatefulSet'].includes(m.kind));
const podLabels = (w: Manifest): Labels => w.spec?.template?.metadata?.labels ?? {};
const matches = (selector: Labels, labels: Labels) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
const containerOf = (w: Manifest, name: string): Container => {
  const c = w.spec?.template?.spec.containers.find((x) => x.name === name);
  if (c === undefined) throw new Error(`${w.metadata.name} has no container ${name}`);
  return c;
};
const portNumber = (c: Container, port: string | number): number | undefined =>
  typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;

/** The value of a secret's key, as the manifests give it. */
function secretValue(name: string, key: string): string {
  const value = named('Secret', name).stringData?.[key];
  if (value === undefined) throw new Error(`secret ${name} has no key ${key}`);
  return value;
}
/** An env var's value, looked up in its Secret when it comes from one. */
function envValue(c: Container, name: string): string | undefined {
  const e = c.env?.find((x) => x.name === name);
  const ref = e?.valueFrom?.secretKeyRef;
  return ref ? secretValue(ref.name, ref.key) : e?.value;
}
/** The Service a URL's host names (name, name.namespace or the cluster FQDN), with the port asked for. */
function serviceAt(url: string): { service: Manifest; port: number } {
  const u = new URL(url);
  const [name, ns = NAMESPACE, ...rest] = u.hostname.split('.');
  expect(ns).toBe(NAMESPACE);
  expect(rest.length === 0 || rest.join('.') === 'svc.cluster.local').toBe(true);
  return { service: named('Service', name ?? ''), port: Number(u.port) };
}
/** The workload whose pods a Service selects. */
function selected(service: Manifest): Manifest {
  const found = workloads().filter((w) => matches(service.spec?.selector ?? {}, podLabels(w)));
  expect(found, `service ${service.metadata.name} selects one workload`).toHaveLength(1);
  return found[0] as Manifest;
}

describe('deploy/kubernetes: every document', () => {
  it('parses, and has apiVersion, kind and metadata.name', () => {
    expect(manifests.length).toBeGreaterThan(15);
    for (const m of manifests) {
      expect(typeof m.apiVersion, m.file).toBe('string');
      expect(typeof m.kind, m.file).toBe('string');
      expect(m.metadata?.name, `${m.file} ${m.kind}`).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });

  it('lives in the urbis namespace, which is declared', () => {
    expect(named('Namespace', NAMESPACE).apiVersion).toBe('v1');
    for (const m of manifests.filter((x) => !['Namespace', 'Kustomization'].includes(x.kind))) {
      expect(m.metadata.namespace, `${m.kind} ${m.metadata.name}`).toBe(NAMESPACE);
    }
  });

  it('is applied by the kustomization, except the placeholder secrets', () => {
    const files = new Set(manifests.map((m) => m.file));
    files.delete('kustomization.yaml');
    files.delete('secrets.yaml');
    expect(new Set(named('Kustomization', 'urbis').resources)).toEqual(files);
  });
});

describe('deploy/kubernetes: the Urbis replicas', () => {
  const urbis = named('StatefulSet', 'urbis');
  const c = containerOf(urbis, 'urbis');

  it('run as two or more replicas, with stable names for their MQTT sessions', () => {
    expect(urbis.spec?.replicas).toBeGreaterThanOrEqual(2);
    expect(named('Service', urbis.spec?.serviceName ?? '').spec?.clusterIP).toBe('None');
  });

  it('are ready when the store answers (/ready) and alive when the process does (/health), on 8080', () => {
    expect(c.readinessProbe?.httpGet?.path).toBe('/ready');
    expect(portNumber(c, c.readinessProbe?.httpGet?.port ?? '')).toBe(8080);
    expect(c.livenessProbe?.httpGet?.path).toBe('/health');
    expect(portNumber(c, c.livenessProbe?.httpGet?.port ?? '')).toBe(8080);
    // Migrations run before the server listens: the liveness probe must not kill a migrating replica.
    expect(c.startupProbe?.httpGet?.path).toBe('/health');
  });

  it('take the store URL and the admin key from a Secret', () => {
    for (const name of ['URBIS_STORE', 'URBIS_ADMIN_KEY']) {
      const ref = c.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
      expect(ref, name).toBeDefined();
      expect(() => secretValue(ref?.name ?? '', ref?.key ?? '')).not.toThrow();
    }
  });

  it('store in the PostgreSQL Service, as the role and database its init script makes', () => {
    const url = envValue(c, 'URBIS_STORE') ?? '';
    expect(url).toMatch(/^postgres:\/\//);
    const { service, port } = serviceAt(url);
    expect(service.spec?.ports?.map((p) => p.port)).toContain(port);
    const postgres = selected(service);
    const env = containerOf(postgres, 'postgres');
    expect(new URL(url).pathname).toBe(`/${envValue(env, 'POSTGRES_DB')}`);
    const script = named('ConfigMap', 'postgres-init').data?.['20-urbis-role.sh'] ?? '';
    expect(script).toContain(`CREATE ROLE ${new URL(url).username} LOGIN`);
  });

  it('share the bus at the NATS Service', () => {
    const { service, port } = serviceAt(envValue(c, 'URBIS_BUS') ?? '');
    expect(service.metadata.name).toBe('nats');
    expect(service.spec?.ports?.map((p) => p.port)).toContain(port);
  });

  it('consume the Mosquitto Service with an account its password file and ACL know; no embedded broker', () => {
    const url = envValue(c, 'URBIS_MQTT_BROKER') ?? '';
    const { service, port } = serviceAt(url);
    expect(selected(service).metadata.name).toBe('mosquitto');
    expect(port).toBe(1883);
    const user = new URL(url).username;
    expect(secretValue('mosquitto-passwords', 'passwd')).toMatch(new RegExp(`^${user}:`, 'm'));
    expect(named('ConfigMap', 'mosquitto-config').data?.acl).toMatch(new RegExp(`^user ${user}$`, 'm'));
    expect(envValue(c, 'URBIS_MQTT_PORT')).toBe('0');
  });

  it('listen on every interface', () => {
    expect(envValue(c, 'URBIS_HOST')).toBe('0.0.0.0');
  });

  it('are given only settings Urbis knows, with values its configuration accepts', () => {
    const known = new Set(Object.values(SETTINGS).map((s) => s.env));
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (!e.name.startsWith('URBIS_')) continue;
      expect(known, e.name).toContain(e.name);
      env[e.name] = envValue(c, e.name) ?? '';
    }
    const config = buildConfig({}, env);
    expect(config.store).toMatch(/^postgres:/);
    expect(config.bus).toMatch(/^nats:/);
    expect(config.mqttPort).toBe(0);
    expect(config.behindProxy).toBe(true);
  });

  it('cannot start with the placeholder admin key of secrets.yaml (too short on purpose)', () => {
    expect(secretValue('urbis', 'admin-key').length).toBeLessThan(MIN_ADMIN_KEY_LENGTH);
  });

  it('have resources, a disruption budget and a CPU autoscaler that never removes replicas', () => {
    expect(c.resources?.requests?.cpu).toBeDefined();
    expect(c.resources?.limits?.memory).toBeDefined();
    const pdb = ofKind('PodDisruptionBudget').filter((p) =>
      matches(p.spec?.selector?.matchLabels ?? {}, podLabels(urbis)),
    );
    expect(pdb).toHaveLength(1);
    const hpa = named('HorizontalPodAutoscaler', 'urbis');
    expect(hpa.spec?.scaleTargetRef).toMatchObject({ kind: 'StatefulSet', name: 'urbis' });
    expect(hpa.spec?.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec?.metrics?.map((m) => m.resource?.name)).toContain('cpu');
    const text = readFileSync(join(DIR, 'urbis.yaml'), 'utf8');
    expect(text).toMatch(/scaleDown:\s*\n\s*selectPolicy: Disabled/);
  });
});

describe('deploy/kubernetes: references', () => {
  it('every workload selects its own pods', () => {
    for (const w of workloads()) {
      expect(matches(w.spec?.selector?.matchLabels ?? {}, podLabels(w)), w.metadata.name).toBe(true);
    }
  });

  it("every Service selects one workload's pods, on ports its containers have", () => {
    for (const s of ofKind('Service')) {
      const w = selected(s);
      const containers = w.spec?.template?.spec.containers ?? [];
      for (const p of s.spec?.ports ?? []) {
        const target = p.targetPort ?? p.port;
        const found = containers.some((c) => portNumber(c, target) !== undefined);
        expect(found, `${s.metadata.name}:${p.port} → ${String(target)}`).toBe(true);
      }
    }
  });

  it('every StatefulSet has a headless governing Service', () => {
    for (const set of ofKind('StatefulSet')) {
      expect(named('Service', set.spec?.serviceName ?? '').spec?.clusterIP, set.metadata.name).toBe('None');
    }
  });

  it('the Ingress routes to the Urbis Service by a port it has', () => {
    const ingress = named('Ingress', 'urbis');
    for (const rule of ingress.spec?.rules ?? []) {
      for (const path of rule.http.paths) {
        const service = named('Service', path.backend.service.name);
        expect(selected(service).metadata.name).toBe('urbis');
        expect(service.spec?.ports?.map((p) => p.name)).toContain(path.backend.service.port.name);
      }
    }
  });

  it('every Secret and ConfigMap a pod uses exists, with the keys it reads', () => {
    for (const w of workloads()) {
      const pod = w.spec?.template?.spec;
      for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) expect(() => secretValue(ref.name, ref.key), `${w.metadata.name} ${e.name}`).not.toThrow();
        }
        for (const m of c.volumeMounts ?? []) {
          const claims = (w.spec?.volumeClaimTemplates ?? []).map((v) => v.metadata.name);
          const declared = pod?.volumes?.some((v) => v.name === m.name) || claims.includes(m.name);
          expect(declared, `${w.metadata.name} mounts ${m.name}`).toBe(true);
        }
      }
      for (const v of pod?.volumes ?? []) {
        if (v.configMap) expect(() => named('ConfigMap', v.configMap?.name ?? '')).not.toThrow();
        if (v.persistentVolumeClaim) {
          expect(() =>
            named('PersistentVolumeClaim', v.persistentVolumeClaim?.claimName ?? ''),
          ).not.toThrow();
        }
        if (v.secret && !EXTERNAL_SECRETS.has(v.secret.secretName)) {
          expect(() => named('Secret', v.secret?.secretName ?? '')).not.toThrow();
        }
      }
    }
  });
});

describe('deploy/kubernetes: the services Urbis needs', () => {
  it('PostgreSQL is an image with PostGIS, on a persistent volume', () => {
    const postgres = named('StatefulSet', 'postgres');
    expect(containerOf(postgres, 'postgres').image).toMatch(/^postgis\/postgis:15-3\.\d+$/);
    expect(postgres.spec?.volumeClaimTemplates?.map((v) => v.metadata.name)).toContain('data');
  });

  it('NATS runs JetStream (-js) as a cluster of three, its store on a persistent volume', () => {
    const nats = named('StatefulSet', 'nats');
    const c = containerOf(nats, 'nats');
    expect(c.args).toContain('-js');
    expect(nats.spec?.replicas).toBe(3);
    const conf = named('ConfigMap', 'nats-config').data?.['nats.conf'] ?? '';
    const storeDir = /store_dir:\s*(\S+)/.exec(conf)?.[1];
    const claims = nats.spec?.volumeClaimTemplates?.map((v) => v.metadata.name) ?? [];
    const mount = c.volumeMounts?.find((m) => m.mountPath === storeDir);
    expect(mount && claims.includes(mount.name), `store_dir ${storeDir} on a claimed volume`).toBe(true);
    for (const i of [0, 1, 2]) {
      expect(conf).toContain(`nats://nats-${i}.nats-headless.${NAMESPACE}.svc.cluster.local:6222`);
    }
  });

  it('Mosquitto keeps sessions on a volume, refuses anonymous clients, and limits each device to its topics', () => {
    const config = named('ConfigMap', 'mosquitto-config').data ?? {};
    expect(config['mosquitto.conf']).toMatch(/^persistence true$/m);
    expect(config['mosquitto.conf']).toMatch(/^persistence_location \/mosquitto\/data\/$/m);
    expect(config['mosquitto.conf']).toMatch(/^allow_anonymous false$/m);
    expect(config.acl).toMatch(/^pattern write devices\/%u\/telemetry$/m);
    const pod = named('Deployment', 'mosquitto').spec?.template?.spec;
    const data = containerOf(named('Deployment', 'mosquitto'), 'mosquitto').volumeMounts?.find(
      (m) => m.mountPath === '/mosquitto/data',
    );
    expect(pod?.volumes?.find((v) => v.name === data?.name)?.persistentVolumeClaim).toBeDefined();
  });

  it('devices reach Mosquitto through a LoadBalancer on 1883 and 8883', () => {
    const lb = ofKind('Service').filter((s) => s.spec?.type === 'LoadBalancer');
    expect(lb).toHaveLength(1);
    expect(selected(lb[0] as Manifest).metadata.name).toBe('mosquitto');
    expect(lb[0]?.spec?.ports?.map((p) => p.port).sort()).toEqual([1883, 8883]);
  });
});
