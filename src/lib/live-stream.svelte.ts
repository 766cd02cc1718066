// A server-sent event stream that comes back by itself. After `shutdown` (an instance draining)
// EventSource reconnects on its own after the server's retry hint; after a refused answer (a 502
// while every instance restarts, a 401) it gives up, so a new one is opened after a growing pause.
export type StreamState = 'connecting' | 'open' | 'reconnecting';

const BACKOFF_MS = [1000, 2000, 5000, 10_000, 30_000];

export class LiveStream {
  state = $state<StreamState>('connecting');

  #url: string;
  #handlers: Record<string, (data: unknown) => void>;
  #onReopen: () => void;
  #es: EventSource | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #everOpen = false;

  /** `handlers` by event name, given each event's parsed data; `onReopen` after every gap. */
  constructor(url: string, handlers: Record<string, (data: unknown) => void>, onReopen: () => void = () => {}) {
    this.#url = url;
    this.#handlers = handlers;
    this.#onReopen = onReopen;
  }

  /** Opens the stream; the returned function closes it for good (the page's teardown). */
  connect(): () => void {
    this.#open();
    return () => { clearTimeout(this.#timer); this.#es?.close(); this.#es = null; };
  }

  #open() {
    const es = (this.#es = new EventSource(this.#url));
    es.onopen = () => {
      const again = this.#everOpen;
      this.#everOpen = true;
      this.#failures = 0;
      this.state = 'open';
      if (again) this.#onReopen();
    };
    es.onerror = () => {
      if (es !== this.#es) return;
      this.state = this.#everOpen ? 'reconnecting' : 'connecting';
      if (es.readyState === EventSource.CLOSED) this.#reopenLater();
    };
    for (const [event, fn] of Object.entries(this.#handlers)) es.addEventListener(event, (m) => fn(JSON.parse((m as MessageEvent).data)));
    es.addEventListener('shutdown', () => { this.state = 'reconnecting'; });
  }

  #reopenLater() {
    this.#es?.close();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#open(), BACKOFF_MS[Math.min(this.#failures++, BACKOFF_MS.length - 1)]);
  }
}
