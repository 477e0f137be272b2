// OWASP API7:2023 Server Side Request Forgery. The guard of webhook targets (services/notifications/channels/webhook.ts) is tested
// here on its own, with a fake resolver, so no test depends on the network.
import { describe, expect, it } from 'vitest';
import { problemOf } from '../../api/problem.js';
import { assertSafeWebhookUrl, isPublicAddress, UnsafeUrlError, type Lookup } from '../../services/url-guard.js';

/** A resolver answering from a table; an unknown name does not resolve. */
const resolver =
  (table: Record<string, string[]>): Lookup =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const dns = resolver({
  'hooks.example.id': ['203.0.114.10', '2a03:2880:f10c:83:face:b00c:0:25de'],
  'rebind.example.id': ['203.0.114.10', '10.0.0.5'],
  'metadata.example.id': ['169.254.169.254'],
  'v6-local.example.id': ['fd00:ec2::254'],
  'mapped.example.id': ['::ffff:127.0.0.1'],
  'empty.example.id': [],
});

async function reasonOf(url: string): Promise<string> {
  const error = await assertSafeWebhookUrl(url, dns).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, url).toBeInstanceOf(UnsafeUrlError);
  const problem = problemOf(error as UnsafeUrlError).toProblem();
  expect(problem.status).toBe(422);
  expect(problem.detail).toMatch(/ \/ /);
  return (error as UnsafeUrlError).reason;
}

describe('API7 SSRF: the webhook URL guard', () => {
  it('accepts an https URL whose host resolves only to public addresses, and answers those addresses', async () => {
    const target = await assertSafeWebhookUrl('https://hooks.example.id:8443/pendamping?x=1', dns);
    expect(target.url.href).toBe('https://hooks.example.id:8443/pendamping?x=1');
    expect(target.addresses).toEqual(['203.0.114.10', '2a03:2880:f10c:83:face:b00c:0:25de']);
    expect((await assertSafeWebhookUrl('https://8.8.8.8/hook', dns)).addresses).toEqual(['8.8.8.8']);
    expect((await assertSafeWebhookUrl('https://[2606:4700:4700::1111]/hook', dns)).addresses).toEqual([
      '2606:4700:4700::1111',
    ]);
  });

  it.each([
    ['http://hooks.example.id/', 'not_https'],
    ['ftp://hooks.example.id/', 'not_https'],
    ['file:///etc/passwd', 'not_https'],
    ['gopher://127.0.0.1:6379/_INFO', 'not_https'],
    ['javascript:alert(1)', 'not_https'],
    ['https://user:pass@hooks.example.id/', 'credentials'],
    ['https://user@hooks.example.id/', 'credentials'],
    ['not a url', 'malformed'],
    ['https://', 'malformed'],
    [`https://hooks.example.id/${'a'.repeat(2100)}`, 'too_long'],
  ])('refuses %s (%s)', async (url, reason) => {
    expect(await reasonOf(url)).toBe(reason);
  });

  it.each([
    'https://127.0.0.1/',
    'https://127.1/',
    'https://2130706433/',
    'https://0x7f000001/',
    'https://0177.0.0.1/',
    'https://0.0.0.0/',
    'https://10.1.2.3/',
    'https://172.16.0.1/',
    'https://172.31.255.255/',
    'https://192.168.1.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://100.100.100.200/',
    'https://198.18.0.1/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
    'https://[::1]/',
    'https://[::]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:7f00:1]/',
    'https://[::ffff:169.254.169.254]/',
    'https://[::127.0.0.1]/',
    'https://[64:ff9b::a9fe:a9fe]/',
    'https://[2002:c0a8:0101::1]/',
    'https://[fd00:ec2::254]/',
    'https://[fc00::1]/',
    'https://[fe80::1]/',
    'https://[ff02::1]/',
    'https://[2001:db8::1]/',
    'https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/',
  ])('refuses the non-public address in %s', async (url) => {
    expect(await reasonOf(url)).toBe('private_address');
  });

  it.each([
    'https://localhost/',
    'https://LOCALHOST./',
    'https://api.localhost/',
    'https://metadata.google.internal/',
    'https://metadata/',
    'https://printer.local/',
    'https://intranet/',
  ])('refuses the internal name in %s', async (url) => {
    expect(await reasonOf(url)).toBe('internal_name');
  });

  it('refuses a name that resolves to any non-public address, or to nothing', async () => {
    expect(await reasonOf('https://rebind.example.id/')).toBe('private_address');
    expect(await reasonOf('https://metadata.example.id/')).toBe('private_address');
    expect(await reasonOf('https://v6-local.example.id/')).toBe('private_address');
    expect(await reasonOf('https://mapped.example.id/')).toBe('private_address');
    expect(await reasonOf('https://empty.example.id/')).toBe('unresolvable');
    expect(await reasonOf('https://nowhere.example.id/')).toBe('unresolvable');
  });

  it('classifies addresses by the special-purpose registries, IPv4 inside IPv6 included', () => {
    const publicOnes = [
      '1.1.1.1',
      '203.0.114.1',
      '100.63.255.255',
      '100.128.0.0',
      '172.32.0.1',
      '2606:4700::1111',
      '::ffff:8.8.8.8',
      '2002:0808:0808::1',
      '64:ff9b::808:808',
    ];
    const privateOnes = [
      '100.64.0.1',
      '172.16.5.4',
      '192.0.2.1',
      '::ffff:10.0.0.1',
      '::ffff:a00:1',
      'fe80::1%eth0',
      '64:ff9b:1::1',
      '100::1',
      'not-an-ip',
      '1.2.3',
      '256.1.1.1',
      '1:2:3:4:5:6:7:8:9',
      ':::1',
    ];
    expect(publicOnes.filter((a) => !isPublicAddress(a))).toEqual([]);
    expect(privateOnes.filter((a) => isPublicAddress(a))).toEqual([]);
  });
});
