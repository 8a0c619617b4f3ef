/**
 * Starts a real `urbis serve` for the browser tests (built dist/ required), on free loopback ports,
 * with a platform administrator key and a throwaway data directory; stops it and removes the
 * directory afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_KEY, freePort, serverEnv, waitReady } from '../../support/serve-process.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export interface RunningUrbis {
  origin: string;
  port: number;
  mqttPort: number;
  adminKey: string;
  output(): string;
  stop(): Promise<void>;
}

/** Start it; `extraArgs` are more `serve` flags (e.g. `--basemap <file>`). */
export async function startUrbis(extraArgs: string[] = []): Promise<RunningUrbis> {
  const dataDir = mkdtempSync(join(tmpdir(), 'urbis-browser-'));
  const port = await freePort();
  const mqttPort = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      'bin/urbis.js',
      'serve',
      '--port',
      String(port),
      '--mqtt-port',
      String(mqttPort),
      '--coap-port',
      '0',
      '--data-dir',
      dataDir,
      ...extraArgs,
    ],
    {
      cwd: ROOT,
      env: serverEnv({
        URBIS_MQTT_PORT: String(mqttPort),
        URBIS_LOG_LEVEL: 'warn',
        // The demo city is off: the test seeds its own small city (URBIS_DEMO is ignored where absent).
        URBIS_DEMO: 'false',
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitReady(port);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`urbis did not start: ${(e as Error).message}\n${out}`);
  }
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    mqttPort,
    adminKey: ADMIN_KEY,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
