/**
 * Build of the operations dashboard (issue #7): root `web/`, output `web/dist/`, which `urbis serve`
 * serves at `/`. Relative asset paths so the dashboard also works behind a path prefix; no CDN and no
 * inline scripts (the CSP is `script-src 'self'`).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // MapLibre alone is ~1 MB minified; a warning at Vite's 500 kB default says nothing useful.
    chunkSizeWarningLimit: 2_000,
    // No inline <script> or data: module preload polyfill: CSP script-src 'self'.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
