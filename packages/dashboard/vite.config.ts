// Builds the single-page app (app/) into dist-app (apart from the tsc build in dist), which the fastify plugin in src/ serves.
// Relative asset URLs, so the same files work wherever they are mounted.
import { defineConfig } from 'vite'

export default defineConfig({
  root: 'app',
  base: './',
  build: {
    outDir: '../dist-app',
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script> or data: URLs: the page runs under a CSP without 'unsafe-inline'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
})
