import { describe, expect, it } from 'vitest';
import { toIpcError } from './index';

describe('toIpcError', () => {
  it('keeps a Rust IpcError as it is', () => {
    expect(toIpcError({ kind: 'not_connected', message: 'Connect first.' })).toEqual({
      kind: 'not_connected',
      message: 'Connect first.',
    });
  });

  it('wraps the plain strings Tauri itself rejects with', () => {
    expect(toIpcError('command get_status not found')).toEqual({ kind: 'internal', message: 'command get_status not found' });
  });

  it('wraps errors and unknown values', () => {
    expect(toIpcError(new Error('boom'))).toEqual({ kind: 'internal', message: 'boom' });
    expect(toIpcError(42).kind).toBe('internal');
  });
});
