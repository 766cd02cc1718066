// A statistics page's report: fetched for the page's query string, an older request aborted by a
// newer one, the address kept in step with what is shown (a shared link opens the same view).
import { page } from '$app/state';
import { replaceState } from '$app/navigation';
import { api, errorText } from '$lib/api';

export class Report<T> {
  data = $state<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  #current: AbortController | undefined;

  /** `endpoint` without its query; `onData` sees each answer before it is shown. */
  constructor(private readonly endpoint: string, private readonly onData?: (data: T) => void) {}

  async load(query: string) {
    this.#current?.abort();
    const ctl = (this.#current = new AbortController());
    this.loading = true;
    try {
      const data = await api<T>(`${this.endpoint}?${query}`, { signal: ctl.signal });
      if (ctl !== this.#current) return;
      this.onData?.(data);
      this.data = data;
      this.error = null;
      replaceState(`${page.url.pathname}?${query}`, page.state);
    } catch (e) {
      if ((e as Error).name === 'AbortError' || ctl !== this.#current) return;
      this.error = errorText(e);
      this.data = null;
    } finally {
      if (ctl === this.#current) this.loading = false;
    }
  }
}
