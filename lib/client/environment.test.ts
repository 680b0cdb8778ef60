import { describe, expect, it } from 'vitest';
import { UnsupportedEnvironmentError } from '../errors';
import { checkEnvironment } from './environment';

const page = { isSecureContext: true, location: { origin: 'https://app.example' }, navigator: { locks: {} }, crypto: { subtle: {} }, indexedDB: {} };

describe('checkEnvironment', () => {
  it('accepts a secure page with Web Locks, crypto.subtle and IndexedDB, and anything outside a browser', () => {
    expect(() => checkEnvironment(page)).not.toThrow();
    expect(() => checkEnvironment({})).not.toThrow();
  });

  it('refuses a page that is not a secure context, naming its origin and what to do', () => {
    const error = (() => {
      try {
        checkEnvironment({ ...page, isSecureContext: false, location: { origin: 'http://192.168.1.5:5173' }, crypto: {}, navigator: {} });
      } catch (e) {
        return e as UnsupportedEnvironmentError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(UnsupportedEnvironmentError);
    expect(error.code).toBe('UNSUPPORTED_ENVIRONMENT');
    expect(error.message).toMatch(/^Lockstep cannot run on this page: http:\/\/192\.168\.1\.5:5173 is not a secure context.*HTTPS.*http:\/\/localhost/);
    expect(error.value).toBe('http://192.168.1.5:5173');
  });

  it('names every missing API of a secure page', () => {
    expect(() => checkEnvironment({ ...page, navigator: {}, indexedDB: undefined })).toThrow(
      /^Lockstep cannot run in this browser: it lacks Web Locks \(navigator\.locks\), IndexedDB\. Use a current/,
    );
    expect(() => checkEnvironment({ ...page, crypto: {} })).toThrow(/lacks crypto\.subtle\./);
  });
});
