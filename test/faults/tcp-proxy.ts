// A loopback TCP proxy a fault test can pause: paused, it drops every open
// connection and refuses new ones (the service behind it looks down while it
// keeps its state); resumed, it listens again on the same port.
import net from 'node:net';
import { freePort } from '../../scripts/stack/free-port.ts';

export interface TcpProxy {
  port: number;
  /** Synchronous, so a test can cut the link at an exact point of the code under test. */
  pause(): void;
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function tcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  let server: net.Server | undefined;
  const listen = () => new Promise<void>((resolve, reject) => {
    const s = net.createServer((client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      server = s;
      resolve();
    });
  });
  const pause = () => {
    server?.close();
    server = undefined;
    for (const s of sockets) s.destroy();
  };
  await listen();
  return {
    port,
    pause,
    resume: () => (server ? Promise.resolve() : listen()),
    async close() {
      pause();
    },
  };
}
