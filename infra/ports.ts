import { createServer } from 'node:net';

export class PortInUseError extends Error {}

/** Fails with a message a person can act on instead of a stack trace from deep inside a child server. */
export function assertPortFree(port: number, what: string, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new PortInUseError(
            `Port ${port} untuk ${what} sudah dipakai / Port ${port} for ${what} is already in use. ` +
              'Stop the other process or choose another port in the environment (see README, Configuration).',
          ),
        );
      } else reject(err);
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** A free port chosen by the OS, for test servers. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A free port below the kernel's ephemeral range (32768–60999 on Linux), for a test server stopped and started again
 * on the same port. While such a port is free, one from `freePort()` (inside that range) may be given to another test's
 * outgoing connection as its own local port, and the restart then finds it "already in use", as CI saw now and then.
 */
export async function steadyPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (
      await assertPortFree(port, 'test').then(
        () => true,
        () => false,
      )
    )
      return port;
  }
}
