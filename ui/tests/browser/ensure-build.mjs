// Builds ui/dist when it is missing or older than any source file, so `npm run test:browser`
// always tests the current code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const built = join(ui, 'dist', 'index.html');

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const inputs = ['src', 'vite', 'index.html', 'vite.config.ts', 'tsconfig.json', 'package.json', 'package-lock.json']
  .map((p) => join(ui, p))
  .filter(existsSync);
const stale = !existsSync(built) || Math.max(...inputs.map(newest)) > statSync(built).mtimeMs;

if (stale) {
  console.log('ui/dist is missing or stale: running `npm run build`');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ui, stdio: 'inherit' });
  process.exit(r.status ?? 1);
} else {
  console.log('ui/dist is up to date');
}
