import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';

/** One JSON document of the input, with where it came from for the summary. */
export interface SourceRecord {
  text: string;
  /** `file` or `file:line` (NDJSON). */
  origin: string;
}

const JSON_FILE = /\.json$/i;
const NDJSON_FILE = /\.(ndjson|jsonl)$/i;
// A .json file is one document and is read whole; anything larger should come as NDJSON.
const MAX_JSON_FILE_BYTES = 256 * 1024 * 1024;

export interface ImportInput {
  records: AsyncIterable<SourceRecord>;
  /** Bytes of all input files (null for stdin): the progress bar's denominator. */
  totalBytes: number | null;
  bytesRead(): number;
}

/**
 * A file, a folder (every .json, .ndjson and .jsonl below it, in name order) or `-` (stdin,
 * NDJSON or one JSON document). NDJSON is streamed line by line, so memory stays flat
 * whatever the input size.
 */
export function openImportInput(target: string): ImportInput {
  let bytesRead = 0;
  if (target === '-') {
    return {
      records: streamLines(process.stdin, 'stdin', (n) => (bytesRead += n)),
      totalBytes: null,
      bytesRead: () => bytesRead,
    };
  }
  const files = listFiles(target);
  const totalBytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  async function* records(): AsyncGenerator<SourceRecord> {
    for (const file of files) {
      if (NDJSON_FILE.test(file)) {
        yield* streamLines(fs.createReadStream(file), file, (n) => (bytesRead += n));
      } else {
        const size = fs.statSync(file).size;
        if (size > MAX_JSON_FILE_BYTES)
          throw new Error(`${file} is over 256 MiB: split it, or write it as NDJSON`);
        bytesRead += size;
        yield { text: await fs.promises.readFile(file, 'utf8'), origin: file };
      }
    }
  }
  return { records: records(), totalBytes, bytesRead: () => bytesRead };
}

function listFiles(target: string): string[] {
  const stat = fs.statSync(target);
  if (stat.isFile()) return [target];
  return fs
    .readdirSync(target, { recursive: true, withFileTypes: true })
    .filter(
      (entry) => entry.isFile() && (JSON_FILE.test(entry.name) || NDJSON_FILE.test(entry.name)),
    )
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/**
 * NDJSON lines, pulled from the stream as they are consumed: readline's async iterator keeps
 * reading and queues every line the consumer has not taken yet (hundreds of MB ahead of a slow
 * database), where the stream's own iterator reads the next chunk only when asked.
 */
export async function* streamLines(
  input: Readable,
  name: string,
  onBytes: (n: number) => void,
): AsyncGenerator<SourceRecord> {
  const decoder = new StringDecoder('utf8');
  let number = 0;
  let carry = '';
  function* lines(text: string, final: boolean): Generator<SourceRecord> {
    const parts = (carry + text).split('\n');
    carry = final ? '' : parts.pop()!;
    for (const part of parts) {
      number++;
      const line = part.endsWith('\r') ? part.slice(0, -1) : part;
      if (line.trim() !== '') yield { text: line, origin: `${name}:${number}` };
    }
  }
  for await (const chunk of input) {
    onBytes((chunk as Buffer).length);
    const text = decoder.write(chunk as Buffer);
    // Within a long line (a whole envelope on one line), only append: no split, no copy.
    if (text.includes('\n')) yield* lines(text, false);
    else carry += text;
  }
  yield* lines(decoder.end(), true);
}
