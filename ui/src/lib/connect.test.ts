import { describe, expect, it } from 'vitest';
import type { IpcErrorKind } from '../ipc/bindings.gen';
import { authKindLabel, oauthNextStep, parsePort, unixToIso } from './connect';

describe('parsePort', () => {
  it('accepts unprivileged ports', () => {
    expect(parsePort('53682')).toEqual({ port: 53682, error: null });
    expect(parsePort(' 1024 ')).toEqual({ port: 1024, error: null });
    expect(parsePort('65535')).toEqual({ port: 65535, error: null });
  });

  it('says what is wrong with anything else', () => {
    expect(parsePort('').error).toBe('Enter a port number.');
    expect(parsePort('80').error).toMatch(/between 1024 and 65535/);
    expect(parsePort('65536').error).toMatch(/between 1024 and 65535/);
    expect(parsePort('53682.5').error).toMatch(/whole number/);
    expect(parsePort('-1').error).toMatch(/whole number/);
    expect(parsePort('abc').port).toBeNull();
  });
});

describe('connection words', () => {
  it('names the auth kinds', () => {
    expect(authKindLabel('oauth')).toMatch(/^OAuth/);
    expect(authKindLabel('pat')).toBe('Personal access token');
    expect(authKindLabel('pat', true)).toMatch(/offline sandbox/);
  });

  it('turns unix seconds into UTC RFC 3339', () => {
    expect(unixToIso(1773216000)).toBe('2026-03-11T08:00:00Z');
  });

  it('adds a next step only where Rust’s message may lack one', () => {
    for (const kind of ['canceled', 'timeout', 'denied', 'calendly', 'keyring', 'invalid_input'] satisfies IpcErrorKind[]) {
      expect(oauthNextStep({ kind, message: 'x' })).toBeNull();
    }
    expect(oauthNextStep({ kind: 'network', message: 'x' })).toMatch(/internet connection/);
    expect(oauthNextStep({ kind: 'internal', message: 'x' })).toMatch(/personal access token/);
  });
});
