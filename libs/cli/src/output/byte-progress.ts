import type { OutputStream } from '../cli.io';

const WIDTH = 24;

/** 1536 → "1.5 KiB", 5 GiB → "5.0 GiB": one decimal below 10, none above. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * A progress bar for a transfer of known size on a terminal (`uploading orders.csv [#####   ] 45% 12.3 MiB
 * / 27.4 MiB 8.1 MiB/s`), redrawn in place at most every 100 ms; off a terminal nothing until `done`,
 * which prints one line. `now` is injectable for tests.
 */
export class ByteProgress {
  private sent = 0;
  private lastDraw = 0;
  private readonly started: number;

  constructor(
    private readonly out: OutputStream,
    private readonly label: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  advance(bytes: number): void {
    this.sent += bytes;
    if (!this.out.isTTY) return;
    const t = this.now();
    if (t - this.lastDraw < 100 && this.sent < this.total) return;
    this.lastDraw = t;
    this.out.write(`\r${this.line()}\u001b[K`);
  }

  /** The bar as it stands (what a terminal shows). */
  line(): string {
    const ratio = this.total > 0 ? Math.min(1, this.sent / this.total) : 1;
    const filled = Math.round(ratio * WIDTH);
    const seconds = Math.max(0.001, (this.now() - this.started) / 1000);
    return `${this.label} [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${Math.floor(ratio * 100)}% ${formatBytes(this.sent)} / ${formatBytes(this.total)} ${formatBytes(Math.round(this.sent / seconds))}/s`;
  }

  done(summary: string): void {
    if (this.out.isTTY) this.out.write(`\r${this.line()}\u001b[K\n`);
    this.out.write(`${summary}\n`);
  }

  /** Clears a half-drawn bar (an error follows on its own line). */
  abort(): void {
    if (this.out.isTTY && this.lastDraw > 0) this.out.write('\n');
  }
}
