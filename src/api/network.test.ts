import { describe, expect, it } from 'vitest';
import { isAllowed, validateNetwork } from './network';

describe('network allow list', () => {
  const allow = validateNetwork({ allow: ['api.example.com', '127.0.0.1:4173', '*.example.org'] })!;

  it('matches host names on any port, host:port exactly, and *.domain subdomains', () => {
    expect(isAllowed(allow, new URL('https://api.example.com/v1'))).toBe(true);
    expect(isAllowed(allow, new URL('http://API.example.com:8080/'))).toBe(true);
    expect(isAllowed(allow, new URL('http://127.0.0.1:4173/wasm/manifest.json'))).toBe(true);
    expect(isAllowed(allow, new URL('http://127.0.0.1:4174/'))).toBe(false);
    expect(isAllowed(allow, new URL('https://a.b.example.org/'))).toBe(true);
    expect(isAllowed(allow, new URL('https://example.org/'))).toBe(false);
    expect(isAllowed(allow, new URL('https://example.com/'))).toBe(false);
    expect(isAllowed(allow, new URL('https://api.example.com.evil.net/'))).toBe(false);
    expect(isAllowed(allow, new URL('ftp://api.example.com/'))).toBe(false);
  });

  it('is off by default and refuses malformed options', () => {
    expect(validateNetwork(undefined)).toBeUndefined();
    expect(validateNetwork(false)).toBeUndefined();
    expect(() => validateNetwork(true)).toThrow(/network must be/);
    expect(() => validateNetwork({ allow: [1] })).toThrow(/network must be/);
  });
});
