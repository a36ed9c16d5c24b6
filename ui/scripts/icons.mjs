// Regenerates the bundler icons in ../icons from ../icons/icon.svg with the Tauri CLI, then drops
// what a Linux/macOS/Windows desktop bundle does not use (mobile folders, Store logo, 64x64).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');
const icons = join(ui, '..', 'icons');
const r = spawnSync('npx', ['tauri', 'icon', join(icons, 'icon.svg'), '-o', icons], { cwd: ui, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
for (const extra of ['android', 'ios', 'StoreLogo.png', '64x64.png']) {
  rmSync(join(icons, extra), { recursive: true, force: true });
}
