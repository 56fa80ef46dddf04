/**
 * Text analysis for the moderation model: clean → tokenize → word n-grams (the seed's CleanTextTransformer
 * and tokenizer, without spaCy's lemmatiser). Responsibility: turn a comment body into the list of terms
 * the TF-IDF vectorizer counts.
 *
 * Invariants: cleaning lowercases, replaces every URL (`http://…`, `https://…`, `www.…`) by the token
 * `urltoken`, and replaces every run of non-letters (anything outside a–z after lowercasing, so digits,
 * punctuation and non-ASCII letters) by one space; tokens are the non-empty whitespace-separated words;
 * n-grams follow scikit-learn's `_word_ngrams` order: all n = min grams left to right, then n = min + 1, …,
 * joined with one space. Pure functions, no state.
 */

export type NgramRange = readonly [min: number, max: number];

export const URL_TOKEN = 'urltoken';

const URL_RE = /(?:https?:\/\/|www\.)\S*/g;
const NON_LETTERS_RE = /[^a-z]+/g;

/** Lowercase, URLs → `urltoken`, non-letters → single spaces, trimmed. */
export function cleanText(text: string): string {
  return text.toLowerCase().replace(URL_RE, ` ${URL_TOKEN} `).replace(NON_LETTERS_RE, ' ').trim();
}

/** Words of an already cleaned text. */
export function tokenize(clean: string): string[] {
  return clean.length === 0 ? [] : clean.split(' ');
}

/** Word n-grams for n in [min, max], scikit-learn's order (all unigrams, then bigrams, …). */
export function wordNgrams(tokens: readonly string[], range: NgramRange): string[] {
  const [min, max] = range;
  if (!(Number.isInteger(min) && Number.isInteger(max) && min >= 1 && max >= min)) {
    throw new RangeError(`ngram range must be integers 1 <= min <= max, got [${min}, ${max}]`);
  }
  if (min === 1 && max === 1) return tokens.slice();
  const out: string[] = [];
  for (let n = min; n <= Math.min(max, tokens.length); n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      let term = tokens[i]!;
      for (let k = 1; k < n; k++) term += ' ' + tokens[i + k]!;
      out.push(term);
    }
  }
  return out;
}

/** The whole analyzer: clean, tokenize, n-grams. */
export function analyze(text: string, range: NgramRange = [1, 3]): string[] {
  return wordNgrams(tokenize(cleanText(text)), range);
}
