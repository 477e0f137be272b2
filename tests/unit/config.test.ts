// The worker's cache size comes from the environment like every setting: a default that fits the workflow thread's heap cap,
// and a bad value stops the start naming the variable.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config.js';

describe('WORKER_MAX_CACHED_WORKFLOWS', () => {
  it('keeps 1,500 workflows unless told otherwise, and none when told 0', () => {
    expect(loadConfig({}).WORKER_MAX_CACHED_WORKFLOWS).toBe(1_500);
    // Empty, as `${WORKER_MAX_CACHED_WORKFLOWS:-}` in compose gives it: the default, not 0.
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: ' ' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(1_500);
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '3000' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(3000);
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(0);
  });

  it.each(['-1', '2.5', 'many'])('refuses %s, naming the variable', (value) => {
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: value })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });
});
