import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initIpc } from './ipc';
import { App } from './App';
import { askEarly } from './lib/boot';
import './styles.css';

async function boot(): Promise<void> {
  await initIpc();
  askEarly();
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html lacks #root');
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void boot();
