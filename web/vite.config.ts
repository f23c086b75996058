// The dashboard's build (`npm run build:web`, run by `npm install`): web/ → web/dist, served by
// Inlet under /dashboard (src/families/dashboard/assets.ts). No inline scripts or styles, so the
// page runs under a Content-Security-Policy of 'self' only.
import { defineConfig } from 'vite'

export default defineConfig({
  base: '/dashboard/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
})
