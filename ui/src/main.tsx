import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initIpc } from './ipc';
import { App } from './App';
import { askEarly, firstScreenAsked } from './lib/boot';
import './styles/index.css';

/** How long the window waits for the first screen's answers before it renders without them. */
const FIRST_SCREEN_WAIT_MS = 1500;

// The start's steps as User Timing marks, which `make bench` reads from the window (the start-up
// section's table of where the first paint's time goes): `slotline:early` (public/early.js runs,
// about to ask the first screen's questions), `slotline:module` (the app's code has loaded and
// runs), `slotline:answers` (the first screen's answers are in hand) and `slotline:commit` (React
// has committed the first screen; see `reportFirstPaint`).
async function boot(): Promise<void> {
  performance.mark('slotline:module');
  await initIpc();
  askEarly();
  // One render, with the data: Rust answers within tens of ms; a slow answer shows the loading
  // state after the cap instead of a blank window.
  await Promise.race([firstScreenAsked(), new Promise((r) => setTimeout(r, FIRST_SCREEN_WAIT_MS))]);
  performance.mark('slotline:answers');
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html lacks #root');
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void boot();
