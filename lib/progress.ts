/**
 * Progress on a terminal, shared by every long-running command (the importer's
 * bytes-read bar, the training pipeline's stages and iterations): one status line
 * redrawn in place on stderr, throttled so a hot loop cannot flood the terminal,
 * clipped to the terminal's width. Off a terminal commands log instead; they decide
 * what to log, this only draws.
 */
export interface StatusLine {
  /** Redraws the line; unforced redraws closer than the throttle interval are skipped. */
  draw(text: string, force?: boolean): void;
  /** Draws the final text (if any) and moves to a new line. */
  end(text?: string): void;
}

export function terminalStatusLine(stream: NodeJS.WriteStream = process.stderr, redrawMs = 100): StatusLine {
  let lastShown = -Infinity;
  let shown = false;
  const write = (text: string) => {
    stream.write(`\r${text.slice(0, (stream.columns ?? 120) - 1)}\u001b[K`);
    shown = true;
    lastShown = performance.now();
  };
  return {
    draw(text, force = false) {
      if (!force && performance.now() - lastShown < redrawMs) return;
      write(text);
    },
    end(text) {
      if (text !== undefined) write(text);
      if (shown) stream.write("\n");
      shown = false;
    },
  };
}

/** A fixed-width bar for a share between 0 and 1. */
export function progressBar(share: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, share)) * width);
  return `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
}
