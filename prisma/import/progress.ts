import { progressBar, terminalStatusLine } from "../../lib/progress.ts";

/** What the importer tells about the file it is reading. */
export interface Progress {
  start(file: string, totalBytes: number): void;
  update(bytesRead: number, rowsRead: number): void;
  finish(): void;
}

export const silentProgress: Progress = { start() {}, update() {}, finish() {} };

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
  const line = terminalStatusLine(stream);
  let state: Tracked | null = null;
  const text = (state: Tracked) => {
    const share = percent(state);
    return `${state.file} ${progressBar(share / 100)} ${share.toFixed(0).padStart(3)}% ${formatCount(state.rowsRead)} rows ${formatCount(rate(state))} rows/s`;
  };
  return {
    start(file, totalBytes) {
      state = { file, totalBytes, bytesRead: 0, rowsRead: 0, started: performance.now(), lastShown: 0 };
      line.draw(text(state), true);
    },
    update(bytesRead, rowsRead) {
      if (!state) return;
      state.bytesRead = bytesRead;
      state.rowsRead = rowsRead;
      line.draw(text(state));
    },
    finish() {
      if (!state) return;
      state.bytesRead = state.totalBytes;
      line.end(text(state));
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
