// Integration and end-to-end tests need the real services. When one is unreachable the whole run fails
// here, loudly, instead of skipping: a green run must mean the tests really talked to PostgreSQL and Redis.
import net from 'node:net';

function probe(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out connecting to ${host}:${port}`));
    }, 3_000);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export default async function globalSetup(): Promise<void> {
  const pg = new URL(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
  const redis = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const failures: string[] = [];
  for (const [name, url] of [
    ['PostgreSQL', pg],
    ['Redis', redis],
  ] as const) {
    try {
      await probe(url.hostname, Number(url.port));
    } catch (error) {
      failures.push(`${name} at ${url.host}: ${(error as Error).message}`);
    }
  }
  if (failures.length > 0) {
    throw new Error(
      `Test services unreachable (see README, "Running the tests"):\n  ${failures.join('\n  ')}`,
    );
  }
}
