/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { patchPreactAssign } from './preactFrozenPrototype';

const sample = 'var a=1;function h(n,l){for(var u in l)n[u]=l[u];return n}export{h};';

/** Runs `assign({}, {constructor: undefined, x: 1})` in a realm whose Object.prototype is frozen. */
function assignUnderFrozenPrototype(helperSource: string): unknown {
  return runInNewContext(`"use strict"; Object.freeze(Object.prototype); ${helperSource}; h({}, { constructor: undefined, x: 1 })`);
}

describe('patchPreactAssign', () => {
  it('reproduces the crash it fixes', () => {
    expect(() => assignUnderFrozenPrototype('function h(n,l){for(var u in l)n[u]=l[u];return n}')).toThrow(
      /read only property 'constructor'/,
    );
  });

  it('makes assign survive a frozen Object.prototype and still copy everything', () => {
    const patched = patchPreactAssign(sample)!;
    const helper = patched.slice(patched.indexOf('function h'), patched.indexOf('export'));
    const out = assignUnderFrozenPrototype(helper) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['constructor', 'x']);
    expect(out.constructor).toBeUndefined();
    expect(out.x).toBe(1);
  });

  it('finds the helper in the Preact that FullCalendar installs', () => {
    const require = createRequire(import.meta.url);
    const core = require.resolve('preact/package.json').replace(/package\.json$/, 'dist/preact.module.js');
    expect(patchPreactAssign(readFileSync(core, 'utf8'))).not.toBeNull();
  });

  it('leaves other code alone', () => {
    expect(patchPreactAssign('function f(a){return a}')).toBeNull();
  });
});
