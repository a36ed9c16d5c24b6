// Tauri's `freezePrototype` freezes Object.prototype. Preact 10 (inside FullCalendar 6) copies
// vnodes with a plain `for…in` assign, and a vnode carries an own `constructor: undefined`; under a
// frozen Object.prototype that assignment throws ("the override mistake", preactjs/preact#5109),
// so FullCalendar would crash on its first re-render. This build step rewrites Preact's assign
// helper to define `constructor` instead of assigning it. The browser tests freeze the prototype
// as Tauri does, so they fail if this fix ever stops applying.

import type { Plugin } from 'vite';

const ASSIGN = /function ([\w$]+)\(([\w$]+),([\w$]+)\)\{for\(var ([\w$]+) in \3\)\2\[\4\]=\3\[\4\];return \2\}/;

/** Rewrites Preact's `assign(target, source)`; returns null when the helper is not found. */
export function patchPreactAssign(code: string): string | null {
  if (!ASSIGN.test(code)) return null;
  return code.replace(
    ASSIGN,
    (_all, fn: string, to: string, from: string, key: string) =>
      `function ${fn}(${to},${from}){for(var ${key} in ${from})` +
      `${key}==="constructor"?Object.defineProperty(${to},${key},{value:${from}[${key}],writable:!0,enumerable:!0,configurable:!0}):${to}[${key}]=${from}[${key}];` +
      `return ${to}}`,
  );
}

const PREACT_CORE = /[\\/]node_modules[\\/]preact[\\/]dist[\\/]preact\.(mjs|module\.js)$/;
const PREACT_ANY = /[\\/]node_modules[\\/]preact[\\/](compat[\\/]|hooks[\\/])?dist[\\/][\w.]+\.(mjs|module\.js)$/;

export function preactFrozenPrototype(): Plugin {
  return {
    name: 'slotline:preact-frozen-prototype',
    enforce: 'pre',
    transform(code, id) {
      const file = id.split('?')[0] ?? id;
      if (!PREACT_ANY.test(file)) return null;
      const patched = patchPreactAssign(code);
      if (patched === null && PREACT_CORE.test(file)) {
        this.error(`Preact's assign helper was not found in ${file}: re-check the frozen-prototype fix.`);
      }
      return patched === null ? null : { code: patched, map: null };
    },
  };
}
