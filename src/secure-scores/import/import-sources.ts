import fs from 'node:fs';
import path from 'node:path';
import { ownedBytes } from '../../common/threads/thread-pool.js';

/**
 * One JSON document of the input, with where it came from for the summary. Bytes, not text: the
 * document moves to an ingest thread as it was read (no copy) and is decoded there, checked as
 * UTF-8 as the HTTP body is. Text made here would be decoded on the event loop and then copied
 * to the thread.
 */
export interface SourceRecord {
  /** In a buffer of its own, which can be transferred. */
  body: Uint8Array;
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
 * NDJSON or one JSON document: stdinRecords). NDJSON is streamed line by line, so memory stays
 * flat whatever the input size.
 */
export function openImportInput(target: string): ImportInput {
  let bytesRead = 0;
  if (target === '-') {
    return {
      records: stdinRecords(process.stdin, (n) => (bytesRead += n)),
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
        yield { body: ownedBytes(await fs.promises.readFile(file)), origin: file };
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
 * database), where the stream's own iterator reads the next chunk only when asked. Lines are
 * split on the LF byte, which no multi-byte UTF-8 character contains.
 */
export async function* streamLines(
  input: AsyncIterable<Buffer>,
  name: string,
  onBytes: (n: number) => void,
): AsyncGenerator<SourceRecord> {
  let number = 0;
  // The start of the current line, in the chunks read so far (a line may span many).
  let carry: Buffer[] = [];
  const line = (parts: Buffer[]): SourceRecord | null => {
    number++;
    // CRLF: the CR is the last byte of the last part that has any.
    const last = parts.findLast((part) => part.length > 0);
    const body = ownBuffer(parts, last?.[last.length - 1] === CR ? 1 : 0);
    return isBlank(body) ? null : { body, origin: `${name}:${number}` };
  };
  for await (const chunk of input) {
    const bytes = chunk;
    onBytes(bytes.length);
    let start = 0;
    for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, start)) {
      const piece = bytes.subarray(start, lf);
      const record = line(carry.length === 0 ? [piece] : [...carry, piece]);
      carry = [];
      start = lf + 1;
      if (record) yield record;
    }
    if (start < bytes.length) carry.push(bytes.subarray(start));
  }
  if (carry.length > 0) {
    const record = line(carry);
    if (record) yield record;
  }
}

/**
 * Standard input: NDJSON, or one JSON document written over many lines (a pretty-printed file
 * piped in). Its first line that is not blank tells which: one that opens a JSON object or array
 * without closing it starts a document, read whole (as a .json file is, up to the same size);
 * anything else, a whole value or not JSON at all, makes the input NDJSON, each line its own.
 */
export async function* stdinRecords(
  input: AsyncIterable<Buffer>,
  onBytes: (n: number) => void,
): AsyncGenerator<SourceRecord> {
  const iterator = input[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  // The first line that is not blank, read chunk by chunk (each chunk's bytes scanned once).
  let firstLine: Buffer | null = null;
  let line: Buffer[] = [];
  while (firstLine === null) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk: Buffer = next.value;
    head.push(chunk);
    let start = 0;
    for (let lf = chunk.indexOf(LF); lf >= 0 && firstLine === null; lf = chunk.indexOf(LF, start)) {
      const candidate = Buffer.concat([...line, chunk.subarray(start, lf)]);
      line = [];
      start = lf + 1;
      if (!isBlank(candidate)) firstLine = candidate;
    }
    if (firstLine === null && start < chunk.length) line.push(chunk.subarray(start));
  }
  async function* all(): AsyncGenerator<Buffer> {
    yield* head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  }
  if (firstLine === null || !opensUnclosedContainer(firstLine)) {
    yield* streamLines(all(), 'stdin', onBytes);
    return;
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of all()) {
    onBytes(chunk.length);
    size += chunk.length;
    if (size > MAX_JSON_FILE_BYTES) {
      throw new Error(
        'stdin holds one JSON document over 256 MiB: split it, or write it as NDJSON',
      );
    }
    parts.push(chunk);
  }
  yield { body: ownBuffer(parts), origin: 'stdin' };
}

/** Whether a line opens more JSON objects and arrays than it closes (strings skipped). */
function opensUnclosedContainer(line: Uint8Array): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const b = line[i];
    if (inString) {
      if (b === 0x5c)
        i++; // the escaped character
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) depth++;
    else if (b === 0x7d || b === 0x5d) depth--;
  }
  return depth > 0;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The parts' bytes but the last `drop`, in one new buffer of their own size (a transfer moves
 * the whole buffer).
 */
function ownBuffer(parts: Uint8Array[], drop = 0): Uint8Array {
  let length = -drop;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    const take = Math.min(part.length, length - offset);
    out.set(take === part.length ? part : part.subarray(0, take), offset);
    offset += take;
  }
  return out;
}

/** Only JSON white space (space, tab, CR). */
function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}
