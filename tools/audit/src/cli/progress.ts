import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  update(done: number, total: number): void;
  note(line: string): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, note: () => undefined, stop: () => undefined };

/**
 * A progress bar on stderr when it is a terminal; otherwise a line every few seconds (logs
 * of scheduled jobs). stdout stays clean for the result.
 */
export const progress = (label: string, enabled: boolean): Progress => {
  if (!enabled) return silent;
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {speed}/s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
      Presets.shades_classic,
    );
    const started = Date.now();
    let running = false;
    return {
      update: (done, total) => {
        const speed = Math.round(done / Math.max((Date.now() - started) / 1000, 0.001));
        if (!running) {
          bar.start(total, done, { speed });
          running = true;
        }
        bar.setTotal(total);
        bar.update(done, { speed });
      },
      // Clear the bar's line first; it redraws on its next update.
      note: (line) => process.stderr.write(`${running ? '\r\x1b[K' : ''}${line}\n`),
      stop: () => running && bar.stop(),
    };
  }
  let last = 0;
  return {
    update: (done, total) => {
      const now = Date.now();
      if (now - last < 5_000 && done < total) return;
      last = now;
      process.stderr.write(`${label}: ${done}/${total}${total ? ` (${Math.floor((done * 100) / total)}%)` : ''}\n`);
    },
    note: (line) => process.stderr.write(`${line}\n`),
    stop: () => undefined,
  };
};
