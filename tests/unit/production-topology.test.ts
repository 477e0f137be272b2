// docker-compose.yml and the Dockerfile, read and compared with the code (no Docker engine here): the services the
// production topology needs, the variables each of our processes gets named as the configuration schema names them
// (a typo would be ignored at start and fall back to a default), the commands those of package.json, the API's port
// where it listens, is published and is health-checked.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../infra/config.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: string[] | Record<string, unknown>;
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const dockerfile = readFileSync('Dockerfile', 'utf8');
const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const configKeys = Object.keys(configSchema.shape);

/**
 * The environment a service's process sees when the operator sets only what compose requires: `${VAR:-default}` gives
 * its default, `${VAR:?message}` (required) a sample secret, `${VAR}` nothing.
 */
function environmentOf(service: Service): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [
      k,
      String(v).replace(
        /\$\{\w+(?:(:-)([^}]*)|(:\?)[^}]*)?\}/g,
        (_, dflt?: string, value?: string, required?: string) =>
          dflt ? (value ?? '') : required ? 'sample-secret' : '',
      ),
    ]),
  );
}

describe('the production topology', () => {
  const { services } = compose;
  const ours = Object.entries(services).filter(([, s]) => s.build !== undefined);

  it('has Postgres, Temporal, its UI, the API and the workers', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-ui', 'worker']);
    expect(ours.map(([name]) => name).sort()).toEqual(['api', 'worker']);
  });

  it('names only variables the configuration schema knows, with values it accepts', () => {
    for (const [name, service] of ours) {
      const env = environmentOf(service);
      expect(
        Object.keys(env).filter((k) => !configKeys.includes(k)),
        name,
      ).toEqual([]);
      expect(() => loadConfig(env), name).not.toThrow();
      // Both talk to the shared services, never to embedded ones.
      expect(env.DATABASE_URL, name).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
      expect(env.TEMPORAL_ADDRESS, name).toBe(`temporal:${services.temporal!.ports![0]!.split(':')[1]}`);
    }
  });

  it('runs the API and the worker apart, each with the command of its npm script', () => {
    const command = (script: string) => scripts[script]!.split(' ');
    expect(services.api!.command).toEqual(command('start'));
    expect(services.worker!.command).toEqual(command('worker'));
    expect(environmentOf(services.api!).RUN_WORKER).toBe('false');
    // The image's default command is the API's.
    expect(dockerfile).toContain(`CMD ${JSON.stringify(command('start')).replace(/,/g, ', ')}`);
  });

  it('publishes and health-checks the API on the port it listens on, on all interfaces', () => {
    const api = loadConfig(environmentOf(services.api!));
    expect(api.HOST).toBe('0.0.0.0');
    expect(services.api!.ports).toEqual([`${api.PORT}:${api.PORT}`]);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${api.PORT}$`, 'm'));
    expect(services.api!.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${api.PORT}/readyz`);
    expect(services.postgres!.healthcheck!.test.join(' ')).toContain('pg_isready');
  });

  it('health-checks each worker on the port of its health endpoint, inside its container', () => {
    const worker = loadConfig(environmentOf(services.worker!));
    expect(worker.WORKER_HEALTH_PORT).toBeDefined();
    expect(services.worker!.healthcheck!.test.join(' ')).toContain(
      `http://${worker.HOST}:${worker.WORKER_HEALTH_PORT}/readyz`,
    );
    // Two replicas cannot publish one host port.
    expect(services.worker!.ports).toBeUndefined();
  });

  it('builds an image that installs no dev dependencies and runs no install script', () => {
    expect(dockerfile).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
