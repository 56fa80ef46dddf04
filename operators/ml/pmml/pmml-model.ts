/**
 * PMML models as ServingModels (modelType `PMML`): the descriptor's bytes are the PMML document (UTF-8 XML).
 * The mining schema's active fields, in order, are the feature vector's columns (the input schema's width
 * must equal their count); the output is the predicted value (width 1) for regression and one probability per
 * target category (in the data dictionary's order) for classification. Scoring runs the compiled evaluator
 * row by row on the event loop (PMML models are small trees and tables; a batch of 1024 takes well under a
 * millisecond for the models exporters write).
 *
 * Invariants: everything is compiled at load, so an unsupported element fails the load (rejected on the
 * status stream, the previous model keeps serving), never a batch; a row the model gives no prediction for
 * (a tree with no true child and returnNullPrediction) scores NaN.
 */
import { SluiceError, isSluiceError } from '../../../runtime/errors/index.js';
import { type ModelDescriptor, verifySha256 } from '../descriptor.js';
import { type ModelFactory, type ServingModel, schemaWidth } from '../model.js';
import { EVALUATED_MODELS, type Evaluator, compileModel } from './evaluators.js';
import { parsePmml, unsupported } from './pmml-document.js';
import type { Fields } from './predicates.js';
import { compileDerivedFields } from './transformations.js';

export class PmmlModel implements ServingModel {
  readonly backend = 'pmml/js';
  private constructor(
    readonly descriptor: ModelDescriptor,
    readonly inputWidth: number,
    readonly outputWidth: number,
    private readonly fields: string[],
    private readonly categories: string[],
    private readonly evaluate: Evaluator,
  ) {}

  static load(descriptor: ModelDescriptor): PmmlModel {
    const id = `${descriptor.name}@${descriptor.version}`;
    try {
      const doc = parsePmml(new TextDecoder().decode(descriptor.data));
      if (!(EVALUATED_MODELS as readonly string[]).includes(doc.modelKind)) unsupported(doc.modelKind, 'PMML');
      const global = compileDerivedFields(doc.transformations.slice(), 'TransformationDictionary');
      const model = compileModel(doc.model, doc.modelKind, doc.functionName);
      const evaluate: Evaluator = (row) => {
        global(row);
        return model(row);
      };
      const classification = doc.functionName === 'classification';
      const categories = classification ? doc.categories : [];
      if (classification && !categories.length) {
        throw new SluiceError('MODEL_LOAD_FAILED', `PMML: the target field of ${id} lists no categories (<Value>)`);
      }
      const outputWidth = classification ? categories.length : 1;
      const inW = schemaWidth(descriptor.inputSchema[0]?.shape ?? [-1, 0]);
      const outW = schemaWidth(descriptor.outputSchema[0]?.shape ?? [-1, 0]);
      if (inW !== doc.activeFields.length) {
        throw new SluiceError(
          'MODEL_SCHEMA_MISMATCH',
          `model ${id}: the PMML mining schema has ${doc.activeFields.length} active fields (${doc.activeFields.join(', ')}), the input schema declares width ${inW}`,
        );
      }
      if (outW !== outputWidth) {
        throw new SluiceError(
          'MODEL_SCHEMA_MISMATCH',
          `model ${id}: the PMML ${doc.functionName} model gives ${outputWidth} output value(s), the output schema declares width ${outW}`,
        );
      }
      const m = new PmmlModel(descriptor, inW, outputWidth, doc.activeFields, categories, evaluate);
      m.scoreRows(new Float32Array(inW), 1); // warm-up: a runtime error in the document fails the load
      return m;
    } catch (e) {
      if (isSluiceError(e)) throw e;
      throw new SluiceError('MODEL_LOAD_FAILED', `model ${id}: ${(e as Error).message}`);
    }
  }

  private scoreRows(features: Float32Array, rows: number): Float32Array {
    const width = this.inputWidth;
    const out = new Float32Array(rows * this.outputWidth);
    for (let r = 0; r < rows; r++) {
      const row: Fields = {};
      for (let i = 0; i < width; i++) row[this.fields[i]!] = features[r * width + i]!;
      const p = this.evaluate(row);
      if (this.categories.length) {
        for (let c = 0; c < this.categories.length; c++)
          out[r * this.outputWidth + c] = p?.probabilities
            ? (p.probabilities.get(this.categories[c]!) ?? 0)
            : Number.NaN;
      } else {
        out[r] = p && typeof p.value === 'number' ? p.value : Number.NaN;
      }
    }
    return out;
  }

  async scoreBatch(features: Float32Array, rows: number, width: number): Promise<Float32Array> {
    if (width !== this.inputWidth) {
      throw new SluiceError('MODEL_SCHEMA_MISMATCH', `model expects width ${this.inputWidth}, batch has ${width}`);
    }
    return this.scoreRows(features, rows);
  }

  async dispose(): Promise<void> {}
}

export function pmmlModelFactory(): ModelFactory {
  return {
    modelType: 'PMML',
    async create(d: ModelDescriptor): Promise<ServingModel> {
      if (!d.data) throw new SluiceError('MODEL_LOAD_FAILED', `model ${d.name}@${d.version} has no data`);
      verifySha256(d, d.data);
      return PmmlModel.load(d);
    },
  };
}
