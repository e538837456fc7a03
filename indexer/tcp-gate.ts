// Test support: a TCP forwarder on loopback that can be shut (every connection cut, new ones
// refused) and opened again on the same port — a service going away and coming back.
import { once } from 'node:events';
import net from 'node:net';

export interface TcpGate {
  port: number;
  /** Cuts every open connection and refuses new ones. */
  shut(): Promise<void>;
  /** Accepts connections again on the same port. */
  open(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpGate(target: { host: string; port: number }): Promise<TcpGate> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  let port = 0;
  const listen = async () => {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  };
  const stop = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await listen();
  return {
    get port() {
      return port;
    },
    shut: stop,
    open: listen,
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
