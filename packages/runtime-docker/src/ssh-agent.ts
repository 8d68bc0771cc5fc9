import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { Client, ClientChannel, ConnectConfig } from 'ssh2';

// ssh2 (with its native parts) loads with the first ssh:// engine, not with Baton.
const requireCjs = createRequire(import.meta.url);

/**
 * An HTTP agent whose connections are `docker system dial-stdio` sessions over one SSH connection
 * (what the Docker CLI does for `ssh://` hosts). docker-modem's own SSH support opens a new SSH
 * connection per request and hands Node a channel without the socket methods a request timeout
 * needs; this one shares the connection, reconnects after it drops, and gives each channel those
 * methods. At most `maxSessions` requests run at once (sshd's MaxSessions is 10 by default).
 */
export function sshHttpAgent(config: ConnectConfig, maxSessions = 8): Agent {
  const agent = new Agent({ keepAlive: false, maxSockets: maxSessions });
  let client: Promise<Client> | undefined;

  const connect = (): Promise<Client> => {
    client ??= new Promise<Client>((resolve, reject) => {
      const { Client: SshClient } = requireCjs('ssh2') as typeof import('ssh2');
      const c = new SshClient();
      let ready = false;
      c.once('ready', () => {
        ready = true;
        resolve(c);
      });
      c.on('error', (error) => {
        client = undefined;
        if (!ready) reject(error);
      });
      c.on('close', () => {
        client = undefined;
      });
      c.connect(config);
    });
    return client;
  };

  (agent as unknown as { createConnection: unknown }).createConnection = (
    _options: unknown,
    callback: (error: Error | null, socket?: Duplex) => void,
  ) => {
    connect()
      .then(
        (c) =>
          new Promise<ClientChannel>((resolve, reject) =>
            c.exec('docker system dial-stdio', (error, channel) =>
              error ? reject(error) : resolve(channel),
            ),
          ),
      )
      .then(
        (channel) => callback(null, asSocket(channel)),
        (error: Error) => callback(error),
      );
    return undefined;
  };
  return agent;
}

/** The socket methods Node's HTTP client calls, on an SSH channel (an idle timeout, and no-ops). */
function asSocket(channel: ClientChannel): Duplex {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let idleMs = 0;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = idleMs > 0 ? setTimeout(() => channel.emit('timeout'), idleMs) : undefined;
  };
  channel.on('data', arm);
  channel.once('close', () => timer && clearTimeout(timer));
  Object.assign(channel, {
    setTimeout(ms: number, onTimeout?: () => void) {
      idleMs = ms;
      if (onTimeout) channel.once('timeout', onTimeout);
      arm();
      return channel;
    },
    setNoDelay: () => channel,
    setKeepAlive: () => channel,
    ref: () => channel,
    unref: () => channel,
  });
  return channel;
}
