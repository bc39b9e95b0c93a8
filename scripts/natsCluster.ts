/**
 * A real NATS cluster on loopback for the cascade's tests and demo: `nats-server` processes on free ports, with
 * routes between them. Loopback only; every process is stopped by `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect as tcpConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export const hasNatsServer = spawnSync('sh', ['-c', 'command -v nats-server']).status === 0;
export const INSTALL_NATS = 'apt-get install -y nats-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

export interface NatsServer {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  process: ChildProcess;
  log: string;
}

export interface NatsCluster {
  readonly servers: NatsServer[];
  /** Kills one server at once (SIGKILL), as a crash would. */
  kill(index: number): void;
  stop(): Promise<void>;
}

/** Starts `size` nats-server processes that route to each other, and waits until each accepts clients. */
export async function startCluster(size: number): Promise<NatsCluster> {
  const ports = await Promise.all(
    Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort() })),
  );
  const servers: NatsServer[] = ports.map(({ client, route }, index) => {
    const routes = ports
      .filter((_, other) => other !== index)
      .map((p) => `nats://127.0.0.1:${p.route}`)
      .join(',');
    const args = [
      '-a',
      '127.0.0.1',
      '-p',
      String(client),
      '-n',
      `n${index}`,
      '--cluster_name',
      'rx-audio-mixer-test',
      '--cluster',
      `nats://127.0.0.1:${route}`,
      '--routes',
      routes,
    ];
    const child = spawn('nats-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const server: NatsServer = {
      name: `n${index}`,
      port: client,
      url: `nats://127.0.0.1:${client}`,
      process: child,
      log: '',
    };
    child.stdout.on('data', (chunk: Buffer) => (server.log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (server.log += chunk.toString()));
    return server;
  });
  const cluster: NatsCluster = {
    servers,
    kill(index) {
      servers[index]?.process.kill('SIGKILL');
    },
    async stop() {
      await Promise.all(
        servers.map(async (server) => {
          const child = server.process;
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
          await exited;
          clearTimeout(hard);
        }),
      );
    },
  };
  for (const server of servers) {
    for (let waited = 0; !(await accepts(server.port)); waited += 50) {
      if (waited > 10_000) {
        await cluster.stop();
        throw new Error(`nats-server ${server.name} did not start:\n${server.log}`);
      }
      await sleep(50);
    }
  }
  // Routes: every server logs one per other server.
  for (
    let waited = 0;
    !servers.every((s) => (s.log.match(/Route connection created/g) ?? []).length >= size - 1);
    waited += 50
  ) {
    if (waited > 10_000) break; // the test's own checks say what is missing
    await sleep(50);
  }
  return cluster;
}
