/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { preactFrozenPrototype } from './vite/preactFrozenPrototype.ts';

// The Tauri window loads `dist/` through its custom protocol, so every asset URL must be relative
// and bundled: the CSP allows `script-src 'self'` and no remote fonts or CDNs.
export default defineConfig({
  base: './',
  plugins: [preactFrozenPrototype(), react()],
  optimizeDeps: {
    // Serve Preact unbundled in dev so the frozen-prototype fix above applies there too.
    exclude: ['preact'],
  },
  clearScreen: false,
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // FullCalendar + luxon make one large vendor chunk; that is fine for a local desktop app.
    chunkSizeWarningLimit: 1200,
  },
  test: {
    include: ['src/**/*.test.ts', 'vite/**/*.test.ts'],
    environment: 'node',
  },
});
