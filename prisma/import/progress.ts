/** What the importer tells about the file it is reading. */
export interface Progress {
  start(file: string, totalBytes: number): void;
  update(bytesRead: number, rowsRead: number): void;
  finish(): void;
}

export const silentProgress: Progress = { start() {}, update() {}, finish() {} };

const BAR_WIDTH = 30;
const TTY_REDRAW_MS = 100;

interface Tracked {
  file: string;
  totalBytes: number;
  bytesRead: number;
  rowsRead: number;
  started: number;
  lastShown: number;
}

const formatCount = (value: number) => value.toLocaleString("en-US");
const percent = (state: Tracked) => (state.totalBytes > 0 ? Math.min(100, (state.bytesRead / state.totalBytes) * 100) : 100);
const rate = (state: Tracked) => {
  const seconds = (performance.now() - state.started) / 1000;
  return seconds > 0 ? Math.round(state.rowsRead / seconds) : 0;
};

/** A bar redrawn in place on a terminal (stderr, so stdout stays the summary). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let state: Tracked | null = null;
  const draw = () => {
    if (!state) return;
    const share = percent(state);
    const filled = Math.round((share / 100) * BAR_WIDTH);
    const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
    const text = `${state.file} ${bar} ${share.toFixed(0).padStart(3)}% ${formatCount(state.rowsRead)} rows ${formatCount(rate(state))} rows/s`;
    stream.write(`\r${text.slice(0, (stream.columns ?? 120) - 1)}\u001b[K`);
  };
  return {
    start(file, totalBytes) {
      state = { file, totalBytes, bytesRead: 0, rowsRead: 0, started: performance.now(), lastShown: 0 };
      draw();
    },
    update(bytesRead, rowsRead) {
      if (!state) return;
      state.bytesRead = bytesRead;
      state.rowsRead = rowsRead;
      const now = performance.now();
      if (now - state.lastShown < TTY_REDRAW_MS) return;
      state.lastShown = now;
      draw();
    },
    finish() {
      if (!state) return;
      state.bytesRead = state.totalBytes;
      draw();
      stream.write("\n");
      state = null;
    },
  };
}

/** Off a terminal (CI, pipes), a plain line every `intervalMs`, as logs read best. */
export function periodicProgress(log: (message: string) => void, intervalMs = 5000): Progress {
  let state: Tracked | null = null;
  const line = (state: Tracked) => `${state.file}: ${percent(state).toFixed(0)}% read, ${formatCount(state.rowsRead)} rows, ${formatCount(rate(state))} rows/s`;
  return {
    start(file, totalBytes) {
      state = { file, totalBytes, bytesRead: 0, rowsRead: 0, started: performance.now(), lastShown: performance.now() };
      log(`${file}: reading ${formatCount(totalBytes)} bytes`);
    },
    update(bytesRead, rowsRead) {
      if (!state) return;
      state.bytesRead = bytesRead;
      state.rowsRead = rowsRead;
      const now = performance.now();
      if (now - state.lastShown < intervalMs) return;
      state.lastShown = now;
      log(line(state));
    },
    finish() {
      if (!state) return;
      state.bytesRead = state.totalBytes;
      log(`${line(state)} (done)`);
      state = null;
    },
  };
}
