import { describe, expect, it } from 'vitest';
import { ngrokDomainError, parseMinutes, publicUrlError } from './validate';

describe('publicUrlError', () => {
  it('accepts public https addresses', () => {
    expect(publicUrlError('https://hooks.whitfield-consulting.com')).toBeNull();
    expect(publicUrlError(' https://slotline.example.org/base/ ')).toBeNull();
  });
  it('refuses http, bare hosts and junk', () => {
    expect(publicUrlError('http://hooks.example.com')).toMatch(/must start with https:\/\//);
    expect(publicUrlError('hooks.example.com')).toMatch(/must start with https:\/\//);
    expect(publicUrlError('https://localhost')).toMatch(/public host name/);
    expect(publicUrlError('https://a.com/?x=1')).toMatch(/query/);
    expect(publicUrlError('')).toMatch(/Enter the public/);
  });
});

describe('ngrokDomainError', () => {
  it('takes an optional bare domain', () => {
    expect(ngrokDomainError('')).toBeNull();
    expect(ngrokDomainError('dana-whitfield.ngrok.app')).toBeNull();
    expect(ngrokDomainError('https://dana.ngrok.app')).toMatch(/without https/);
    expect(ngrokDomainError('not a domain')).toMatch(/like your-name\.ngrok\.app/);
  });
});

describe('parseMinutes', () => {
  it('takes 1 to 1440 whole minutes', () => {
    expect(parseMinutes('15')).toEqual({ minutes: 15, error: null });
    expect(parseMinutes(' 1440 ')).toEqual({ minutes: 1440, error: null });
    expect(parseMinutes('0').error).toMatch(/between 1 and 1440/);
    expect(parseMinutes('1441').error).toMatch(/between 1 and 1440/);
    expect(parseMinutes('2.5').error).toMatch(/whole number/);
    expect(parseMinutes('').error).toMatch(/Enter a number/);
  });
});
