// A TCP proxy between the app and PostgreSQL, to take the database away and
// bring it back as a restart would: cut() destroys every open connection and
// refuses new ones (closed as soon as they are accepted); restore() lets
// connections through again. The server on the other side never notices.
import { createServer, connect, type AddressInfo, type Server, type Socket } from "node:net";

export class TcpProxy {
  private readonly open = new Set<Socket>();
  /** The app's side of each connection (reset on cut, as a crashed server's host would). */
  private readonly clients = new Set<Socket>();
  private refusing = false;
  /** Connections accepted and passed through, for tests that want to see reconnects. */
  connections = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => proxy!.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy = new TcpProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  private accept(client: Socket, target: { host: string; port: number }): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    this.connections += 1;
    this.clients.add(client);
    client.on("close", () => this.clients.delete(client));
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.on("close", () => this.open.delete(socket));
      // Either side going away takes the other with it, as a dead server would.
      socket.on("error", () => undefined);
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /**
   * The database goes away: every connection dropped (the app's side reset,
   * so idle pooled connections see an error, not a polite end), new ones
   * refused.
   */
  cut(): void {
    this.refusing = true;
    for (const socket of this.clients) socket.resetAndDestroy();
    for (const socket of this.open) socket.destroy();
  }

  /** The database is back. */
  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The same URL, reaching its server through the proxy. */
export function urlThrough(url: string, proxy: TcpProxy): string {
  const u = new URL(url);
  u.hostname = "127.0.0.1";
  u.port = String(proxy.port);
  return u.toString();
}
