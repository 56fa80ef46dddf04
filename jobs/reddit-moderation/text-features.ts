/**
 * TF-IDF vectorizer with scikit-learn's semantics for `TfidfVectorizer(ngram_range=(1, 3), max_features=1000,
 * sublinear_tf=True)` (smooth_idf and norm='l2' are sklearn's defaults). Responsibility: fit a vocabulary and
 * idf weights on training texts, then turn a text into a dense float32 feature row for the model.
 *
 * Fit (sklearn's `_limit_features`): count every term over the corpus; keep terms with minDf ≤ df; rank them
 * by total count over the corpus (sklearn: "top max_features ordered by term frequency across the corpus";
 * `capBy: 'documentFrequency'` ranks by df instead), ties broken by term ascending (sklearn leaves ties to an
 * unstable argsort); keep the top maxFeatures; columns are the kept terms in ascending term order (as sklearn).
 * Weights: tf' = 1 + ln(tf) for tf > 0, idf = ln((1 + n) / (1 + df)) + 1 with n = fitted documents, row
 * scaled to unit L2 norm (an all-zero row stays zero).
 *
 * Transform counts only vocabulary n-grams, extending a word window only while it is a prefix of some
 * vocabulary term (same counts as counting every n-gram, far fewer strings built).
 *
 * Invariants: transform is a pure function of (fitted state, text); sums run in ascending column order
 * (deterministic); computed in float64 and rounded to float32 once at the end; `toJSON`/`fromJSON` round-trip
 * exactly (idf as JSON numbers); `vocabHash()` is the sha256 of the canonical JSON.
 */
import { createHash } from 'node:crypto';
import { analyze, cleanText, tokenize, type NgramRange } from './text-analyzer.js';

export interface TfidfOptions {
  /** Word n-gram sizes (default [1, 3], the seed's; sklearn's default is (1, 1)). */
  ngramRange?: NgramRange;
  /** Vocabulary cap (default 1000, the seed's); null = no cap. */
  maxFeatures?: number | null;
  /** Minimum document frequency (absolute count, default 1 as sklearn). */
  minDf?: number;
  /** Ranking for the cap: total count over the corpus (sklearn, default) or document frequency. */
  capBy?: 'termFrequency' | 'documentFrequency';
  /** 1 + ln(tf) (default true, the seed's setting; sklearn's own default is false). */
  sublinearTf?: boolean;
  /** ln((1 + n) / (1 + df)) + 1 (default true, as sklearn); false: ln(n / df) + 1. */
  smoothIdf?: boolean;
  /** Row normalisation (default 'l2', as sklearn). */
  norm?: 'l2' | null;
}

export interface TfidfJson {
  kind: 'sluice-tfidf';
  version: 1;
  ngramRange: [number, number];
  sublinearTf: boolean;
  smoothIdf: boolean;
  norm: 'l2' | null;
  nDocs: number;
  /** Column order. */
  terms: string[];
  idf: number[];
}

/** A sparse row: ascending column indices with their float64 values. */
export interface SparseRow {
  indices: Int32Array;
  values: Float64Array;
}

const byTerm = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class TfidfVectorizer {
  readonly terms: readonly string[];
  readonly idf: Float64Array;
  private readonly column: Map<string, number>;
  /** Every word-prefix of every term (the terms included): n-gram windows outside it cannot match. */
  private readonly prefixes = new Set<string>();
  /** Per-column counts during one transform; all zero between calls (transforms are synchronous). */
  private readonly scratchCounts: Uint32Array;

  private constructor(
    terms: string[],
    idf: Float64Array,
    readonly ngramRange: NgramRange,
    readonly sublinearTf: boolean,
    readonly smoothIdf: boolean,
    readonly norm: 'l2' | null,
    readonly nDocs: number,
  ) {
    if (terms.length !== idf.length) throw new Error(`tfidf: ${terms.length} terms but ${idf.length} idf weights`);
    this.terms = Object.freeze(terms.slice());
    this.idf = idf;
    this.column = new Map(terms.map((t, i) => [t, i]));
    if (this.column.size !== terms.length) throw new Error('tfidf: duplicate terms in the vocabulary');
    for (const t of terms) {
      const words = t.split(' ');
      for (let k = 1; k <= words.length; k++) this.prefixes.add(words.slice(0, k).join(' '));
    }
    this.scratchCounts = new Uint32Array(terms.length);
  }

  get vocabSize(): number {
    return this.terms.length;
  }

  /** Fits vocabulary and idf on raw texts. */
  static fit(texts: readonly string[], opts: TfidfOptions = {}): TfidfVectorizer {
    const range = opts.ngramRange ?? [1, 3];
    return TfidfVectorizer.fitAnalyzed(
      texts.map((t) => analyze(t, range)),
      opts,
    );
  }

  /** Fits on already analyzed documents (each a list of terms, repeats counted). */
  static fitAnalyzed(docs: readonly (readonly string[])[], opts: TfidfOptions = {}): TfidfVectorizer {
    const range = opts.ngramRange ?? [1, 3];
    const maxFeatures = opts.maxFeatures === undefined ? 1000 : opts.maxFeatures;
    const minDf = opts.minDf ?? 1;
    const capBy = opts.capBy ?? 'termFrequency';
    if (docs.length === 0) throw new Error('tfidf: cannot fit on zero documents');
    if (maxFeatures !== null && !(Number.isInteger(maxFeatures) && maxFeatures > 0))
      throw new RangeError(`tfidf: maxFeatures must be a positive integer, got ${maxFeatures}`);
    const df = new Map<string, number>();
    const tf = new Map<string, number>();
    for (const doc of docs) {
      const seen = new Set<string>();
      for (const term of doc) {
        tf.set(term, (tf.get(term) ?? 0) + 1);
        if (!seen.has(term)) {
          seen.add(term);
          df.set(term, (df.get(term) ?? 0) + 1);
        }
      }
    }
    let candidates = [...df.keys()].filter((t) => df.get(t)! >= minDf);
    if (candidates.length === 0) throw new Error(`tfidf: no term has document frequency >= ${minDf}`);
    if (maxFeatures !== null && candidates.length > maxFeatures) {
      const score = capBy === 'termFrequency' ? tf : df;
      candidates.sort((a, b) => score.get(b)! - score.get(a)! || byTerm(a, b));
      candidates = candidates.slice(0, maxFeatures);
    }
    candidates.sort(byTerm);
    const n = docs.length;
    const smooth = opts.smoothIdf ?? true;
    const idf = new Float64Array(candidates.length);
    candidates.forEach((t, i) => {
      const d = df.get(t)!;
      idf[i] = smooth ? Math.log((1 + n) / (1 + d)) + 1 : Math.log(n / d) + 1;
    });
    return new TfidfVectorizer(
      candidates,
      idf,
      range,
      opts.sublinearTf ?? true,
      smooth,
      opts.norm === undefined ? 'l2' : opts.norm,
      n,
    );
  }

  /** Column of a term, or undefined when it is not in the vocabulary. */
  columnOf(term: string): number | undefined {
    return this.column.get(term);
  }

  /** The row as sparse (column, value) pairs in ascending column order; float64 values. */
  transformSparse(text: string): SparseRow {
    const touched = this.countTerms(tokenize(cleanText(text)));
    const indices = Int32Array.from(touched).sort();
    const values = new Float64Array(indices.length);
    const counts = this.scratchCounts;
    let sumSq = 0;
    for (let k = 0; k < indices.length; k++) {
      const c = indices[k]!;
      const count = counts[c]!;
      counts[c] = 0;
      const w = (this.sublinearTf ? 1 + Math.log(count) : count) * this.idf[c]!;
      values[k] = w;
      sumSq += w * w;
    }
    if (this.norm === 'l2' && sumSq > 0) {
      const inv = 1 / Math.sqrt(sumSq);
      for (let k = 0; k < values.length; k++) values[k] = values[k]! * inv;
    }
    return { indices, values };
  }

  /**
   * Counts vocabulary n-grams of `tokens` into `scratchCounts` and returns the touched columns. Same counts
   * as counting `wordNgrams(tokens, range)`, but an n-gram is only built while its word prefix is a prefix
   * of some vocabulary term, so most windows stop after one lookup.
   */
  private countTerms(tokens: readonly string[]): number[] {
    const [min, max] = this.ngramRange;
    const counts = this.scratchCounts;
    const touched: number[] = [];
    for (let i = 0; i < tokens.length; i++) {
      let term = tokens[i]!;
      for (let n = 1; n <= max && i + n <= tokens.length; n++) {
        if (n > 1) term += ' ' + tokens[i + n - 1]!;
        if (!this.prefixes.has(term)) break;
        if (n < min) continue;
        const c = this.column.get(term);
        if (c !== undefined) {
          if (counts[c] === 0) touched.push(c);
          counts[c] = counts[c]! + 1;
        }
      }
    }
    return touched;
  }

  /** Writes the dense row into `out[offset, offset + vocabSize)` (zeroing it first), e.g. a batch builder's buffer. */
  transformInto(text: string, out: Float32Array, offset = 0): void {
    if (offset < 0 || offset + this.vocabSize > out.length) {
      throw new RangeError(`tfidf: row [${offset}, ${offset + this.vocabSize}) does not fit a buffer of ${out.length}`);
    }
    out.fill(0, offset, offset + this.vocabSize);
    const { indices, values } = this.transformSparse(text);
    for (let k = 0; k < indices.length; k++) out[offset + indices[k]!] = values[k]!;
  }

  /** The dense float32 row [vocabSize]. */
  transform(text: string): Float32Array {
    const out = new Float32Array(this.vocabSize);
    this.transformInto(text, out, 0);
    return out;
  }

  toJSON(): TfidfJson {
    return {
      kind: 'sluice-tfidf',
      version: 1,
      ngramRange: [this.ngramRange[0], this.ngramRange[1]],
      sublinearTf: this.sublinearTf,
      smoothIdf: this.smoothIdf,
      norm: this.norm,
      nDocs: this.nDocs,
      terms: this.terms.slice(),
      idf: Array.from(this.idf),
    };
  }

  static fromJSON(json: TfidfJson | string): TfidfVectorizer {
    const j = (typeof json === 'string' ? JSON.parse(json) : json) as TfidfJson;
    if (j?.kind !== 'sluice-tfidf' || j.version !== 1) throw new Error('tfidf: not a sluice-tfidf v1 document');
    if (
      !Array.isArray(j.terms) ||
      !Array.isArray(j.idf) ||
      !j.idf.every((x) => typeof x === 'number' && Number.isFinite(x))
    ) {
      throw new Error('tfidf: terms and idf must be arrays (idf finite numbers)');
    }
    return new TfidfVectorizer(
      j.terms.slice(),
      Float64Array.from(j.idf),
      [j.ngramRange[0], j.ngramRange[1]],
      j.sublinearTf,
      j.smoothIdf,
      j.norm,
      j.nDocs,
    );
  }

  /** sha256 (hex) of the canonical JSON: identifies the feature schema a model was trained on. */
  vocabHash(): string {
    return createHash('sha256').update(JSON.stringify(this.toJSON())).digest('hex');
  }
}
