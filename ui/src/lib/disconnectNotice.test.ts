import { describe, expect, it } from 'vitest';
import { asSentence, leaveDisconnectWarnings, takeDisconnectWarnings } from './disconnectNotice';

describe('disconnect warnings', () => {
  it('are read once', () => {
    leaveDisconnectWarnings(['the sign-in could not be revoked']);
    expect(takeDisconnectWarnings()).toEqual(['the sign-in could not be revoked']);
    expect(takeDisconnectWarnings()).toEqual([]);
  });

  it('replace earlier ones', () => {
    leaveDisconnectWarnings(['a']);
    leaveDisconnectWarnings(['b', 'c']);
    expect(takeDisconnectWarnings()).toEqual(['b', 'c']);
  });

  it('read as sentences', () => {
    expect(asSentence('the subscription stays at Calendly')).toBe('The subscription stays at Calendly.');
    expect(asSentence('Already a sentence.')).toBe('Already a sentence.');
    expect(asSentence('  ')).toBe('');
  });
});
