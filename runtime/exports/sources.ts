/**
 * `sluice/sources`: sources beyond the main entry's generator and file source — the model directory source
 * (one model descriptor per `*.model.json` file, ending at `_done`) and `publishModel`, which writes a
 * descriptor there atomically.
 */
export {
  DONE_FILE,
  MODEL_FILE_SUFFIX,
  ModelDirectorySource,
  publishModel,
} from '../../operators/sources/model-directory-source.js';
export type { ModelDirectorySplit } from '../../operators/sources/model-directory-source.js';
