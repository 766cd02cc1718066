// The parts of asterisk-ami-client 1.1.5 the telephony service uses (the package ships no types).
declare module 'asterisk-ami-client' {
  import { EventEmitter } from 'node:events';
  export type AmiMessage = Record<string, string | undefined>;
  export default class AmiClient extends EventEmitter {
    constructor(options?: {
      reconnect?: boolean; maxAttemptsCount?: number; attemptsDelay?: number; keepAlive?: boolean;
      keepAliveDelay?: number; emitEventsByTypes?: boolean; eventTypeToLowerCase?: boolean;
      emitResponsesById?: boolean; dontDeleteSpecActionId?: boolean; addTime?: boolean;
    });
    connect(user: string, secret: string, options: { host: string; port: number }): Promise<unknown>;
    disconnect(): this;
    action(message: AmiMessage, promisable?: false): this;
    readonly isConnected: boolean | null;
  }
}

// The event parser asterisk-ami-client's connection pipes the socket through (patched in ami-connection.ts).
declare module 'asterisk-ami-events-stream' {
  import { Transform } from 'node:stream';
  export default class AmiEventsStream extends Transform {}
}
