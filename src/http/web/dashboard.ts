/**
 * The operations dashboard (issue #7): the built single-page app of `web/` (`web/dist`, made by
 * `npm run build`) served at `/`, the little it needs to know about this server at
 * `/dashboard/config`, and an operator's local PMTiles basemap at `/basemap.pmtiles` (byte ranges,
 * as the pmtiles reader asks). Everything here is public: the page holds no data; what it shows is
 * read through the API with the visitor's own key (or anonymously, where a tenant's policy opens data).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import send from '@fastify/send';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** `web/dist` of the package: three levels above this file, from `src/http/web` and `dist/http/web` alike. */
export const DASHBOARD_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'web',
  'dist',
);

/** What the dashboard is told at start (GET /dashboard/config). */
export interface DashboardConfig {
  /** The tenant a visitor sees first (the demo city's, when it runs; '' = the default tenant). */
  defaultTenant: string;
  /** The demo city runs in this process. */
  demo: boolean;
  /**
   * The OpenID Connect issuer, the dashboard's client id and the claim naming the tenant ('' = the
   * default tenant), when sign-in through it is configured.
   */
  oidc: { issuer: string; clientId: string; tenantClaim?: string } | null;
  /** Where the operator's PMTiles basemap is served, if one is configured. */
  basemap: string | null;
}

export interface DashboardOptions {
  config: Omit<DashboardConfig, 'basemap'>;
  /** A local .pmtiles file to serve as the basemap (absent: the map draws the city's own geography only). */
  basemapFile?: string;
  /** The built app (default DASHBOARD_DIR); tests point it elsewhere. */
  dir?: string;
}

/** Mount the dashboard; without a built `web/dist` the API still runs and `/` says how to build it. */
export async function dashboard(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const dir = options.dir ?? DASHBOARD_DIR;
  const basemap = options.basemapFile;
  const config: DashboardConfig = { ...options.config, basemap: basemap ? '/basemap.pmtiles' : null };
  app.get(
    '/dashboard/config',
    { schema: { tags: ['Operations'], summary: 'What the dashboard needs to know about this server' } },
    async (_request, reply) => reply.header('Cache-Control', 'no-store').send(config),
  );
  if (basemap !== undefined) {
    const file = resolve(basemap);
    // One fixed file with byte ranges (the pmtiles reader fetches the header, directories and tiles
    // by range); @fastify/send does the Range, If-Range and 416 rules of RFC 9110.
    app.get('/basemap.pmtiles', { schema: { hide: true } }, async (request, reply) => {
      const sent = await send(request.raw, basename(file), {
        root: dirname(file),
        acceptRanges: true,
        index: false,
        dotfiles: 'allow',
      });
      reply.code(sent.statusCode).headers(sent.headers);
      if (sent.type === 'error') return reply.send(sent.metadata.error);
      return reply.type('application/vnd.pmtiles').send(sent.stream);
    });
  }
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build` (it builds web/ into web/dist).\n'),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // One route per built file, found now: no catch-all that would answer for API paths.
    wildcard: false,
    index: ['index.html'],
    decorateReply: false,
    // Hashed asset names never change; index.html must be re-read to pick up a new build.
    setHeaders: (res, path) => {
      res.header(
        'Cache-Control',
        path.includes(`${join('dist', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}

/** The size of the configured basemap, for the start-up log; undefined when it cannot be read. */
export function basemapSize(file: string): number | undefined {
  try {
    return statSync(file).size;
  } catch {
    return undefined;
  }
}
