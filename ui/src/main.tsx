import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initIpc } from './ipc';
import { App } from './App';
import { askEarly, firstScreenAsked } from './lib/boot';
import './styles/index.css';

/** How long the window waits for the first screen's answers before it renders without them. */
const FIRST_SCREEN_WAIT_MS = 1500;

async function boot(): Promise<void> {
  await initIpc();
  askEarly();
  // One render, with the data: Rust answers within tens of ms; a slow answer shows the loading
  // state after the cap instead of a blank window.
  await Promise.race([firstScreenAsked(), new Promise((r) => setTimeout(r, FIRST_SCREEN_WAIT_MS))]);
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html lacks #root');
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void boot();
