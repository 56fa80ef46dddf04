/**
 * Parses a PMML document (fast-xml-parser) into plain element objects and reads its data dictionary and the
 * model's mining schema: the active fields, in order, are the feature vector's columns; the target field and
 * its categories (for classification) give the output columns.
 *
 * Invariant: elements that may repeat are always arrays; attributes are plain string properties; an element
 * sluice does not evaluate is reported by name (`unsupported`), never ignored.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { SluiceError } from '../../../runtime/errors/catalogue.js';

export type El = Record<string, unknown> & { [k: string]: unknown };

const REPEATED = new Set([
  'DataField',
  'Value',
  'MiningField',
  'RegressionTable',
  'NumericPredictor',
  'CategoricalPredictor',
  'Node',
  'ScoreDistribution',
  'Segment',
  'SimplePredicate',
  'CompoundPredicate',
  'SimpleSetPredicate',
  'NeuralLayer',
  'Neuron',
  'Con',
  'NeuralInput',
  'NeuralOutput',
  'DerivedField',
  'LinearNorm',
  'OutputField',
]);

export const MODEL_ELEMENTS = [
  'RegressionModel',
  'TreeModel',
  'MiningModel',
  'NeuralNetwork',
  'GeneralRegressionModel',
  'NaiveBayesModel',
  'SupportVectorMachineModel',
  'ClusteringModel',
  'RuleSetModel',
  'Scorecard',
  'NearestNeighborModel',
  'AssociationModel',
  'SequenceModel',
  'TextModel',
  'TimeSeriesModel',
  'BaselineModel',
  'AnomalyDetectionModel',
  'GaussianProcessModel',
  'BayesianNetworkModel',
];

export function unsupported(what: string, where: string): never {
  throw new SluiceError('MODEL_LOAD_FAILED', `PMML: unsupported element <${what}> in ${where}`);
}

export function invalid(reason: string): never {
  throw new SluiceError('MODEL_LOAD_FAILED', `PMML: ${reason}`);
}

export const list = (el: El | undefined, name: string): El[] => (el?.[name] as El[] | undefined) ?? [];
export const child = (el: El | undefined, name: string): El | undefined => {
  const v = el?.[name];
  return (Array.isArray(v) ? v[0] : v) as El | undefined;
};
export const attr = (el: El | undefined, name: string): string | undefined => el?.[name] as string | undefined;
export function num(el: El | undefined, name: string, fallback?: number): number {
  const v = attr(el, name);
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    invalid(`attribute ${name} missing`);
  }
  const n = Number(v);
  if (!Number.isFinite(n)) invalid(`attribute ${name}="${v}" is not a number`);
  return n;
}

export interface PmmlDocument {
  model: El;
  modelKind: string;
  /** Active input fields, in mining-schema order: column i of the feature vector. */
  activeFields: string[];
  /** The target field and, for classification, its categories (the output columns). */
  target?: string;
  categories: string[];
  functionName: string;
  transformations: El[];
}

export function parsePmml(xml: string): PmmlDocument {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) invalid(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let root: El;
  try {
    const parser = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      parseAttributeValue: false,
      parseTagValue: false,
      isArray: (name) => REPEATED.has(name),
    });
    root = parser.parse(xml) as El;
  } catch (e) {
    invalid(`not well-formed XML: ${(e as Error).message}`);
  }
  const pmml = child(root, 'PMML');
  if (!pmml) invalid('no <PMML> root element');
  const kinds = MODEL_ELEMENTS.filter((k) => pmml[k] !== undefined);
  if (kinds.length !== 1)
    invalid(`expected exactly one model element, found ${kinds.length ? kinds.join(', ') : 'none'}`);
  const modelKind = kinds[0]!;
  const model = child(pmml, modelKind)!;
  const dict = new Map(list(child(pmml, 'DataDictionary'), 'DataField').map((f) => [attr(f, 'name')!, f]));
  const fields = list(child(model, 'MiningSchema'), 'MiningField');
  const activeFields = fields
    .filter((f) => (attr(f, 'usageType') ?? 'active') === 'active')
    .map((f) => attr(f, 'name')!);
  const target = fields.find((f) => ['target', 'predicted'].includes(attr(f, 'usageType') ?? ''));
  const targetName = attr(target, 'name');
  const categories = list(dict.get(targetName ?? ''), 'Value').map((v) => attr(v, 'value')!);
  const transformations = [
    ...list(child(pmml, 'TransformationDictionary'), 'DerivedField'),
    ...list(child(model, 'LocalTransformations'), 'DerivedField'),
  ];
  return {
    model,
    modelKind,
    activeFields,
    ...(targetName ? { target: targetName } : {}),
    categories,
    functionName: attr(model, 'functionName') ?? 'regression',
    transformations,
  };
}
