import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { openImportInput, stdinRecords, streamLines } from './import-sources.js';

async function collect(chunks: Buffer[]) {
  const records = [];
  for await (const record of streamLines(Readable.from(chunks), 'in')) records.push(record);
  return { records };
}

const text = (record: { body: Uint8Array }) => Buffer.from(record.body).toString('utf8');

describe('streamLines (NDJSON)', () => {
  it('splits on LF and CRLF, skips blank lines, numbers lines as a text editor does', async () => {
    const { records } = await collect([Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n{"c":3}')]);
    expect(records.map((r) => [text(r), r.origin])).toEqual([
      ['{"a":1}', 'in:1'],
      ['{"b":2}', 'in:4'],
      ['{"c":3}', 'in:5'],
    ]);
  });

  it('joins a line and a multi-byte character split across chunks', async () => {
    const input = Buffer.from('{"name":"Zürich Versicherung"}\n{"x":"ü"}\n');
    const chunks = [...input].map((byte) => Buffer.from([byte])); // one byte per chunk
    const { records } = await collect(chunks);
    expect(records.map((r) => JSON.parse(text(r)))).toEqual([
      { name: 'Zürich Versicherung' },
      { x: 'ü' },
    ]);
  });

  it('gives each line a buffer of its own, which can be moved to another thread', async () => {
    const { records } = await collect([
      Buffer.from('{"a":1}\n{"b":'),
      Buffer.from('2}\r'), // a CRLF split across chunks
      Buffer.from('\n{"c":3}\r\n'),
    ]);
    expect(records.map(text)).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    for (const record of records) {
      expect(record.body.byteOffset).toBe(0);
      expect(record.body.byteLength).toBe(record.body.buffer.byteLength);
    }
  });

  it('keeps bytes that are not UTF-8 as they are, for the ingest thread to refuse', async () => {
    const { records } = await collect([Buffer.from([0x7b, 0xff, 0x7d, 0x0a])]);
    expect([...records[0].body]).toEqual([0x7b, 0xff, 0x7d]);
  });
});

describe('stdinRecords (NDJSON, or one document over many lines)', () => {
  async function fromStdin(chunks: string[]) {
    const records = [];
    const input = Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
    for await (const record of stdinRecords(input)) records.push(record);
    return { records: records.map((r) => [text(r), r.origin]) };
  }

  it('reads a pretty-printed document whole, whatever its chunks', async () => {
    const document = JSON.stringify({ value: [{ a: '{[' }, { b: 2 }] }, null, 2);
    const whole = await fromStdin([`\n${document}\n`]);
    expect(whole.records).toEqual([[`\n${document}\n`, 'stdin']]);
    const split = await fromStdin([...`\n${document}\n`].map((c) => c));
    expect(split.records).toEqual(whole.records);
  });

  it.each([
    [
      'NDJSON',
      '{"a":1}\n{"b":2}\n',
      [
        ['{"a":1}', 'stdin:1'],
        ['{"b":2}', 'stdin:2'],
      ],
    ],
    [
      'a first line that is not JSON',
      'not json\n{"b":2}',
      [
        ['not json', 'stdin:1'],
        ['{"b":2}', 'stdin:2'],
      ],
    ],
    ['one line without its LF', '{"a":1}', [['{"a":1}', 'stdin:1']]],
    [
      'a bracket inside a string',
      '{"a":"[{"}\n{"b":2}\n',
      [
        ['{"a":"[{"}', 'stdin:1'],
        ['{"b":2}', 'stdin:2'],
      ],
    ],
    ['nothing but blank lines', '\n  \n', []],
  ])('reads %s line by line', async (_, input, expected) => {
    expect((await fromStdin([input])).records).toEqual(expected);
  });
});

describe('openImportInput (files and folders)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssu-import-sources-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function read(target: string) {
    const input = openImportInput(target);
    const records = [];
    for await (const record of input.records) records.push([text(record), record.origin]);
    return { input, records };
  }

  it('reads .json, .ndjson and .jsonl, gzipped or not, in name order, and names what it skips', async () => {
    const folder = path.join(dir, 'mixed');
    fs.mkdirSync(path.join(folder, 'nested'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'a.json'), '{"a":1}');
    fs.writeFileSync(path.join(folder, 'b.json.gz'), gzipSync('{\n  "b": 2\n}'));
    fs.writeFileSync(path.join(folder, 'c.ndjson.GZ'), gzipSync('{"c":1}\n\n{"c":2}\n'));
    fs.writeFileSync(path.join(folder, 'nested', 'd.jsonl'), '{"d":1}\n');
    fs.writeFileSync(path.join(folder, 'e.jsonc'), '{"e":1} // a comment');
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not for the importer');
    fs.writeFileSync(path.join(folder, '.DS_Store'), 'hidden');
    const { input, records } = await read(folder);
    const at = (name: string) => path.join(folder, name);
    expect(records).toEqual([
      ['{"a":1}', at('a.json')],
      ['{\n  "b": 2\n}', at('b.json.gz')],
      ['{"c":1}', `${at('c.ndjson.GZ')}:1`],
      ['{"c":2}', `${at('c.ndjson.GZ')}:3`],
      ['{"d":1}', `${at('nested/d.jsonl')}:1`],
    ]);
    expect(input.skipped).toEqual([at('e.jsonc'), at('notes.txt')]);
    // Progress counts the bytes as stored, so it ends at the total however well they compress.
    expect(input.bytesRead()).toBe(input.totalBytes);
  });

  it('refuses a folder with nothing to import, rather than importing nothing', () => {
    const folder = path.join(dir, 'empty');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'example.jsonc'), '{}');
    expect(() => openImportInput(folder)).toThrow(
      `${folder} holds no .json, .ndjson or .jsonl (or the same gzipped, .gz) file`,
    );
  });

  it.each([
    ['c.ndjson.gz', (bytes: Buffer) => bytes.subarray(0, bytes.length - 12)],
    ['c.json.gz', (bytes: Buffer) => bytes.subarray(0, bytes.length - 12)],
    ['c.json.gz', () => Buffer.from('{"plain": "JSON, named .gz"}')],
  ])('stops at a %s that is not whole gzip, naming it', async (name, damage) => {
    const folder = fs.mkdtempSync(path.join(dir, 'damaged-'));
    fs.writeFileSync(path.join(folder, 'a.json'), '{"a":1}');
    const lines = Array.from({ length: 2000 }, (_, i) => `{"n":${i}}`).join('\n');
    fs.writeFileSync(path.join(folder, name), damage(gzipSync(lines)));
    const records: string[] = [];
    const input = openImportInput(folder);
    await expect(
      (async () => {
        for await (const record of input.records) records.push(record.origin);
      })(),
    ).rejects.toThrow(new RegExp(`^${path.join(folder, name).replace(/[.]/g, '\\.')}: \\S`));
    expect(records[0]).toBe(path.join(folder, 'a.json'));
  });
});
