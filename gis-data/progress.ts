// A progress bar on stderr for long loads: stage, bar, counts, rate and ETA. On a terminal it
// redraws one line (at most 10 times a second); in a log (CI, `npm start`) it prints one line per stage.
const isTty = () => Boolean(process.stderr.isTTY);

function fmtInt(n: number) { return Math.round(n).toLocaleString('en-US'); }
export function fmtDuration(ms: number) {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export class Progress {
  private stage = '';
  private total = 0;
  private done = 0;
  private started = 0;
  private lastDraw = 0;
  private readonly t0 = Date.now();

  constructor(private readonly out: (line: string) => void = (l) => process.stderr.write(l), private readonly enabled = true) {}

  /** Starts a stage of `total` units (0 when unknown). */
  start(stage: string, total = 0) {
    this.stage = stage; this.total = total; this.done = 0; this.started = Date.now(); this.lastDraw = 0;
    this.draw(true);
  }

  tick(n = 1) {
    this.done += n;
    const now = Date.now();
    if (now - this.lastDraw >= 100) this.draw(false);
  }

  /** Ends the current stage with its final line. */
  finish(note = '') {
    if (!this.enabled) return;
    const ms = Date.now() - this.started;
    const rate = ms > 0 && this.done ? ` ${fmtInt(this.done / (ms / 1000))}/s` : '';
    const count = this.done ? ` ${fmtInt(this.done)}` : '';
    const line = `✓ ${this.stage.padEnd(26)}${count}${rate} in ${fmtDuration(ms)}${note ? ' · ' + note : ''}`;
    this.out(isTty() ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  elapsed() { return Date.now() - this.t0; }

  private draw(first: boolean) {
    if (!this.enabled) return;
    this.lastDraw = Date.now();
    if (!isTty()) return;
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    let bar = '', eta = '';
    if (this.total > 0) {
      const f = Math.min(1, this.done / this.total);
      const w = 24;
      bar = ' [' + '█'.repeat(Math.round(f * w)).padEnd(w, '░') + '] ' + `${Math.floor(f * 100)}%`.padStart(4);
      if (rate > 0 && f < 1) eta = ` ETA ${fmtDuration(((this.total - this.done) / rate) * 1000)}`;
    }
    const counts = this.total > 0 ? ` ${fmtInt(this.done)}/${fmtInt(this.total)}` : this.done ? ` ${fmtInt(this.done)}` : '';
    const r = rate > 0 && !first ? ` ${fmtInt(rate)}/s` : '';
    this.out(`\r\x1b[2K… ${this.stage.padEnd(26)}${bar}${counts}${r}${eta}`);
  }
}
