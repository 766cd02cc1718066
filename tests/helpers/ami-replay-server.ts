// A fake Asterisk on a TCP port that plays a transcript of the real one (tests/fixtures/ami/) to the
// product's AMI client.
import net from 'node:net';
import { BlockParser, formatBlock, header, type Headers } from '../../server/telephony/ami-wire.ts';
import { labLists, readCapture } from './ami-capture.ts';

/**
 * A fake Asterisk on a TCP port that plays a capture to whoever logs in: the n-th login gets the
 * events of the capture's n-th connection at their original pace divided by `speed`, and the
 * connection ends where the capture's did. The product's own actions are answered: Login, Ping,
 * and its CoreShowChannels / QueueStatus with the items the lab got at that point (none if the lab
 * asked nothing); any other action succeeds. The lab's own traffic (its actions, their answers)
 * is not replayed.
 */
export async function replayServer(name: string, o: { speed?: number; secret?: string; /** Stop listening when the capture's last connection ends (the PBX is gone). */ thenGone?: boolean } = {}) {
  const { frames } = readCapture(name);
  const speed = o.speed ?? 1;
  const labIds = new Set(frames.flatMap((f) => (f.dir === 'out' && f.msg?.ActionID ? [f.msg.ActionID] : [])));
  const lists = labLists(frames);
  const conns = [...new Set(frames.filter((f) => f.dir !== 'meta' || f.conn).map((f) => f.conn))].sort((a, b) => a - b);
  let logins = 0;
  const sockets = new Set<net.Socket>();
  const done: (() => void)[] = [];
  const finished = new Promise<void>((r) => done.push(r));
  let ended = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write('Asterisk Call Manager/11.0.0\r\n');
    const parser = new BlockParser();
    let conn: number | null = null;
    const send = (h: Headers) => { if (!socket.destroyed) socket.write(formatBlock(h)); };
    /** The items the lab's list of this kind got on this connection. */
    const itemsOf = (action: string, c: number) => {
      const id = [...lists].find(([aid, a]) => a === action && frames.some((f) => f.conn === c && f.msg?.ActionID === aid))?.[0];
      if (!id) return [];
      return frames.filter((f) => f.conn === c && f.dir === 'in' && f.msg?.ActionID === id && f.msg?.Event && f.msg?.EventList !== 'Complete');
    };
    socket.on('data', (chunk) => {
      for (const req of parser.push(chunk)) {
        const action = (header(req, 'Action') ?? '').toLowerCase();
        const actionId = header(req, 'ActionID') ?? '';
        const ok = (extra: Headers = []) => send([['Response', 'Success'], ['ActionID', actionId], ...extra]);
        if (action === 'login') {
          if (o.secret && header(req, 'Secret') !== o.secret) {
            send([['Response', 'Error'], ['ActionID', actionId], ['Message', 'Authentication failed']]);
            setTimeout(() => socket.end(), 5);
            continue;
          }
          ok([['Message', 'Authentication accepted']]);
          conn = conns[logins++] ?? null;
          if (conn !== null) play(socket, conn);
        } else if (action === 'ping') ok([['Ping', 'Pong'], ['Timestamp', '0.000000']]);
        else if (action === 'coreshowchannels' || action === 'queuestatus') {
          const items = conn === null ? [] : itemsOf(action, conn);
          ok([['EventList', 'start'], ['Message', action === 'queuestatus' ? 'Queue status will follow' : 'Channels will follow']]);
          for (const it of items) send(reheader(it.frame!, actionId));
          send([['Event', action === 'queuestatus' ? 'QueueStatusComplete' : 'CoreShowChannelsComplete'], ['ActionID', actionId], ['EventList', 'Complete'], ['ListItems', String(items.length)]]);
        } else ok([['Message', 'Accepted by the replay']]);
      }
    });
  });

  /** The events of one capture connection, paced from its login answer; its end closes the socket. */
  function play(socket: net.Socket, conn: number) {
    const own = frames.filter((f) => f.conn === conn);
    const loginAt = own.find((f) => f.dir === 'in' && f.msg?.Response && /Authentication/.test(f.msg.Message ?? ''))?.t ?? own[0]?.t ?? 0;
    for (const f of own) {
      if (f.t < loginAt) continue;
      const delay = (f.t - loginAt) / speed;
      if (f.dir === 'meta') {
        if (/^tcp-(end|close)/.test(f.meta ?? '')) setTimeout(() => {
          if (socket.destroyed) return;
          socket.destroy();
          if (++ended < conns.length) return;
          if (o.thenGone) server.close();
          done.forEach((d) => d());
        }, delay);
        continue;
      }
      if (f.dir !== 'in' || !f.msg?.Event) continue;
      if (f.msg.ActionID && labIds.has(f.msg.ActionID)) continue;
      setTimeout(() => { if (!socket.destroyed) socket.write(f.frame!); }, delay);
    }
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    /** Resolves when every capture connection has been played to its end. */
    finished,
    get logins() { return logins; },
    async close() {
      for (const s of sockets) s.destroy();
      if (server.listening) await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A captured list item with the product's ActionID instead of the lab's. */
function reheader(frame: string, actionId: string): Headers {
  const [h] = new BlockParser().push(frame);
  return h.map(([k, v]) => [k, k.toLowerCase() === 'actionid' ? actionId : v] as [string, string]);
}
