import type { Dataset, Interactions } from "../data/dataset.ts";
import { datasetFromFile, datasetFromTrainTestFiles } from "../extract/csv.ts";
import { readItemFeaturesCsv } from "../extract/item-features-csv.ts";
import { splitByTime } from "../split/time-split.ts";
import { silentProgress, type Progress } from "./progress.ts";
import { DEFAULT_TRAINING, trainAndEvaluate, type TrainingOptions, type TrainingResult } from "./train-models.ts";

export interface FileSource {
  /** Either a train and a test file... */
  readonly train?: string;
  readonly test?: string;
  /** ...or one file split per user by time (row order when it has no timestamps). */
  readonly data?: string;
  /** Optional book metadata CSV, enabling the content model. */
  readonly items?: string;
}

/** Trains and evaluates on interaction files, without the database or the registry. */
export async function trainOnFiles(
  source: FileSource,
  training: TrainingOptions = DEFAULT_TRAINING,
  progress: Progress = silentProgress,
): Promise<{ dataset: Dataset; result: TrainingResult }> {
  const features = source.items ? await readItemFeaturesCsv(source.items) : undefined;
  let dataset: Dataset;
  let split: { train: Interactions; test: Interactions };
  progress.stage("reading files");
  if (source.train && source.test) {
    const loaded = await datasetFromTrainTestFiles(source.train, source.test, features);
    dataset = loaded.dataset;
    split = { train: loaded.train, test: loaded.test };
  } else if (source.data) {
    dataset = await datasetFromFile(source.data, features);
    split = splitByTime(dataset.interactions, dataset.userMap.ids.length);
  } else {
    throw new Error("give --train FILE --test FILE, or --data FILE");
  }
  return { dataset, result: await trainAndEvaluate(dataset, split, training, progress) };
}
