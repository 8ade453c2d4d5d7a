import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
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

const IMPORTABLE_FILE = /\.(json|ndjson|jsonl)(\.gz)?$/i;
const NDJSON_FILE = /\.(ndjson|jsonl)(\.gz)?$/i;
const GZIP_FILE = /\.gz$/i;
export const IMPORTABLE_FILES = '.json, .ndjson or .jsonl (or the same gzipped, .gz)';
// A .json file is one document and is read whole; anything larger should come as NDJSON.
const MAX_JSON_FILE_BYTES = 256 * 1024 * 1024;

export interface ImportInput {
  records: AsyncIterable<SourceRecord>;
  /** Bytes of all input files (null for stdin), as stored: the progress bar's denominator. */
  totalBytes: number | null;
  /** Files of a folder that are not IMPORTABLE_FILES (hidden ones aside), for a warning. */
  skipped: string[];
  bytesRead(): number;
}

/**
 * A file, a folder (every IMPORTABLE_FILES file below it, in name order) or `-` (stdin, NDJSON
 * or one JSON document: stdinRecords). NDJSON is streamed line by line, gzipped or not, so
 * memory stays flat whatever the input size. A folder without one importable file is an error,
 * not an import of nothing: it is most likely the wrong folder.
 */
export function openImportInput(target: string): ImportInput {
  let bytesRead = 0;
  const onBytes = (n: number) => (bytesRead += n);
  if (target === '-') {
    return {
      records: stdinRecords(counted(process.stdin, onBytes)),
      totalBytes: null,
      skipped: [],
      bytesRead: () => bytesRead,
    };
  }
  const { files, skipped } = listFiles(target);
  if (files.length === 0) throw new Error(`${target} holds no ${IMPORTABLE_FILES} file`);
  const totalBytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  async function* records(): AsyncGenerator<SourceRecord> {
    for (const file of files) {
      try {
        if (NDJSON_FILE.test(file)) {
          yield* streamLines(fileChunks(file, onBytes), file);
        } else {
          yield { body: await readDocument(file, onBytes), origin: file };
        }
      } catch (error) {
        // Reading, not the records' content (those are rejected one by one): a gzip stream cut
        // short, an unreadable file. The import stops reading there, naming the file; what was
        // read before is stored, and a second run counts it as duplicates.
        throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
  return { records: records(), totalBytes, skipped, bytesRead: () => bytesRead };
}

function listFiles(target: string): { files: string[]; skipped: string[] } {
  const stat = fs.statSync(target);
  if (stat.isFile()) return { files: [target], skipped: [] };
  const files: string[] = [];
  const skipped: string[] = [];
  for (const entry of fs.readdirSync(target, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (IMPORTABLE_FILE.test(entry.name)) files.push(file);
    else if (!entry.name.startsWith('.')) skipped.push(file);
  }
  return { files: files.sort(), skipped: skipped.sort() };
}

/** A file's bytes as read (counted as stored, compressed or not), gunzipped when it is `.gz`. */
function fileChunks(file: string, onBytes: (n: number) => void): AsyncIterable<Buffer> {
  const stored = fs.createReadStream(file);
  if (!GZIP_FILE.test(file)) return counted(stored, onBytes);
  stored.on('data', (chunk) => onBytes(chunk.length));
  const gunzip = zlib.createGunzip();
  stored.on('error', (error) => gunzip.destroy(error));
  return stored.pipe(gunzip);
}

/** A whole-document file (`.json`, `.json.gz`), in a buffer of its own, at most 256 MiB. */
async function readDocument(file: string, onBytes: (n: number) => void): Promise<Uint8Array> {
  const tooLarge = `is over 256 MiB${GZIP_FILE.test(file) ? ' uncompressed' : ''}: split it, or write it as NDJSON`;
  const size = fs.statSync(file).size;
  if (size > MAX_JSON_FILE_BYTES) throw new Error(tooLarge);
  const stored = await fs.promises.readFile(file);
  onBytes(size);
  if (!GZIP_FILE.test(file)) return ownedBytes(stored);
  try {
    return ownedBytes(await gunzip(stored, { maxOutputLength: MAX_JSON_FILE_BYTES }));
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(tooLarge);
    throw error;
  }
}

async function* counted(
  input: AsyncIterable<Buffer>,
  onBytes: (n: number) => void,
): AsyncGenerator<Buffer> {
  for await (const chunk of input) {
    onBytes(chunk.length);
    yield chunk;
  }
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
  for await (const bytes of input) {
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
export async function* stdinRecords(input: AsyncIterable<Buffer>): AsyncGenerator<SourceRecord> {
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
    yield* streamLines(all(), 'stdin');
    return;
  }
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of all()) {
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

const gunzip = promisify(zlib.gunzip);
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
