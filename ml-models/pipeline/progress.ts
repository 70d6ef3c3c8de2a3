/** How the pipeline reports where it is; the CLI renders it as a bar on a TTY or as log lines. */
export interface Progress {
  stage(name: string, detail?: Record<string, unknown>): void;
  step(name: string, done: number, total: number): void;
}

export const silentProgress: Progress = { stage: () => {}, step: () => {} };
