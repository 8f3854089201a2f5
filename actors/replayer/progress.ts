/**
 * A one-line progress bar with rate and ETA for the replayer, drawn only on a terminal so logs
 * and CI output stay clean.
 *
 * @module
 */

/** Renders the progress line for `done` of `total` events after `elapsedMs`. */
export function renderProgress(done: number, total: number, elapsedMs: number, width = 30): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(fraction * width);
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const etaSeconds = rate > 0 ? (total - done) / rate : Infinity;
  const eta = Number.isFinite(etaSeconds) ? formatDuration(etaSeconds) : "--:--";
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${(fraction * 100).toFixed(1)}% ` +
    `${done}/${total} events ${Math.round(rate)} ev/s ETA ${eta}`;
}

/** `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Draws progress on stderr when it is a terminal, at most every `intervalMs`. */
export class ProgressBar {
  readonly #total: number;
  readonly #startedAt = performance.now();
  readonly #enabled: boolean;
  #lastDrawn = -Infinity;

  /** Draws nothing unless stderr is a terminal. */
  constructor(total: number, readonly intervalMs = 200) {
    this.#total = total;
    this.#enabled = Deno.stderr.isTerminal();
  }

  /** Redraws if due. */
  update(done: number): void {
    const now = performance.now();
    if (!this.#enabled || now - this.#lastDrawn < this.intervalMs) return;
    this.#lastDrawn = now;
    this.#write(`\r${renderProgress(done, this.#total, now - this.#startedAt)}`);
  }

  /** Draws the final state and ends the line. */
  finish(done: number): void {
    if (!this.#enabled) return;
    this.#write(`\r${renderProgress(done, this.#total, performance.now() - this.#startedAt)}\n`);
  }

  #write(text: string): void {
    Deno.stderr.writeSync(new TextEncoder().encode(text));
  }
}
