/**
 * TextLineInputFormat (Flink's `org.apache.flink.connector.file.src.reader.TextLineInputFormat`): one
 * record per line, without the line break (`\n`, `\r\n` or a lone `\r`, as Java's readLine), decoded with a
 * charset (default UTF-8). The FileSource keeps the index of the next line as the split position.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';

const CHARSETS: Record<string, BufferEncoding> = {
  'UTF-8': 'utf8',
  UTF8: 'utf8',
  'ISO-8859-1': 'latin1',
  LATIN1: 'latin1',
  'US-ASCII': 'ascii',
  ASCII: 'ascii',
  'UTF-16LE': 'utf16le',
};

/** Node's encoding for a Java charset name (the ones Node can decode). */
export function nodeEncoding(charset: string): BufferEncoding {
  const e = CHARSETS[charset.toUpperCase()];
  if (!e)
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `unsupported charset ${charset} (supported: ${Object.keys(CHARSETS).join(', ')})`,
    );
  return e;
}

export class TextLineInputFormat {
  readonly format = 'text' as const;
  readonly encoding: BufferEncoding;
  constructor(readonly charsetName = 'UTF-8') {
    this.encoding = nodeEncoding(charsetName);
  }
}

/** The lines of a decoded text file (a final line break does not start an empty line). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
