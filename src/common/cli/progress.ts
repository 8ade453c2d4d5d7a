/**
 * A one-line progress bar on a terminal (done/total, rate, ETA), silent when stderr is not a
 * TTY so that logs and CI output stay clean.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY);
  }

  /** `done` items so far; `fraction` of the whole when known (e.g. bytes read of the input). */
  update(done: number, fraction: number | null, extra = ''): void {
    if (!this.enabled || Date.now() - this.lastDraw < 100) return;
    this.lastDraw = Date.now();
    this.stream.write(`\r${this.render(done, fraction, extra)}\x1b[K`);
  }

  finish(done: number, extra = ''): void {
    if (this.enabled) this.stream.write(`\r${this.render(done, 1, extra)}\x1b[K\n`);
  }

  private render(done: number, fraction: number | null, extra: string): string {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const width = 24;
    const filled = fraction === null ? 0 : Math.round(Math.min(1, fraction) * width);
    const bar =
      fraction === null
        ? ''
        : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% `;
    const eta =
      fraction && fraction > 0 && fraction < 1
        ? ` ETA ${formatSeconds((seconds / fraction) * (1 - fraction))}`
        : '';
    return `${this.label} ${bar}${done.toLocaleString('en-US')} (${Math.round(rate).toLocaleString('en-US')}/s)${eta} ${extra}`;
  }
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${s}s`;
}
