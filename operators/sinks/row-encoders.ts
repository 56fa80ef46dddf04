/**
 * Row-format encoders of the FileSink (Flink's `Encoder` and `SimpleStringEncoder`): an encoder writes
 * one element's bytes, including any delimiter, to the part file's stream.
 *
 * SimpleStringEncoder writes the element's string form and a newline, in a charset (default UTF-8). The
 * string form is Flink's `toString()` where the element has one of its own (a class, a Tuple); arrays,
 * the tuples of TypeScript jobs, print as Flink prints tuples, `(a,b,c)`; plain objects, which have no
 * useful `toString`, are written as JSON.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';

const CHARSETS: Record<string, BufferEncoding> = {
  'UTF-8': 'utf8',
  'ISO-8859-1': 'latin1',
  'US-ASCII': 'ascii',
  'UTF-16LE': 'utf16le',
};

function nodeEncoding(charset: string): BufferEncoding {
  const e = CHARSETS[charset.toUpperCase()];
  if (!e)
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `unsupported charset ${charset} (supported: ${Object.keys(CHARSETS).join(', ')})`,
    );
  return e;
}

export interface EncoderStream {
  write(chunk: string | Uint8Array): void;
}

export interface Encoder<IN> {
  encode(element: IN, stream: EncoderStream): void;
}

export class SimpleStringEncoder<IN> implements Encoder<IN> {
  private readonly encoding: BufferEncoding;
  constructor(readonly charsetName = 'UTF-8') {
    this.encoding = nodeEncoding(charsetName);
  }
  encode(element: IN, stream: EncoderStream): void {
    stream.write(Buffer.from(`${flinkString(element)}\n`, this.encoding));
  }
}

/** The string Flink's `String.valueOf` would print for a TypeScript value (see the header). */
export function flinkString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `(${v.map(flinkString).join(',')})`;
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto === Object.prototype || proto === null) return JSON.stringify(v);
    return String(v);
  }
  return String(v);
}
