/**
 * `GET /dashboard/config`: what the server tells the dashboard before anyone signs in — the default
 * tenant, the @context to send in Link headers, the OIDC issuer (if any) and a local basemap (if any).
 */

export interface DashboardConfig {
  defaultTenant: string;
  demo: boolean;
  /** The @context URL sent in every NGSI-LD request's Link header; '' or null: the core context only. */
  context: string | null;
  oidc: { issuer: string; clientId: string; tenantClaim?: string } | null;
  /** URL of a PMTiles basemap on Urbis's own origin, or null. */
  basemap: string | null;
}

const FALLBACK: DashboardConfig = {
  defaultTenant: '',
  demo: false,
  context: null,
  oidc: null,
  basemap: null,
};

/** Read the config; an older server without the route gets the fallback (core context, no basemap). */
export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<DashboardConfig> {
  const res = await fetchImpl('/dashboard/config', { headers: { accept: 'application/json' } });
  if (!res.ok) return FALLBACK;
  const raw = (await res.json()) as Partial<DashboardConfig>;
  return {
    defaultTenant: typeof raw.defaultTenant === 'string' ? raw.defaultTenant : '',
    demo: raw.demo === true,
    context: typeof raw.context === 'string' && raw.context !== '' ? raw.context : null,
    oidc:
      raw.oidc !== null && typeof raw.oidc === 'object' && typeof raw.oidc.issuer === 'string'
        ? {
            issuer: raw.oidc.issuer,
            clientId: String(raw.oidc.clientId ?? ''),
            ...(typeof raw.oidc.tenantClaim === 'string' ? { tenantClaim: raw.oidc.tenantClaim } : {}),
          }
        : null,
    basemap: typeof raw.basemap === 'string' && raw.basemap.startsWith('/') ? raw.basemap : null,
  };
}
