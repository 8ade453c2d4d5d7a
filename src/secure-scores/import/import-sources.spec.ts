import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { streamLines } from './import-sources.js';

async function collect(chunks: Buffer[]) {
  let bytes = 0;
  const records = [];
  for await (const record of streamLines(Readable.from(chunks), 'in', (n) => (bytes += n)))
    records.push(record);
  return { records, bytes };
}

const text = (record: { body: Uint8Array }) => Buffer.from(record.body).toString('utf8');

describe('streamLines (NDJSON)', () => {
  it('splits on LF and CRLF, skips blank lines, numbers lines as a text editor does', async () => {
    const { records, bytes } = await collect([Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n{"c":3}')]);
    expect(records.map((r) => [text(r), r.origin])).toEqual([
      ['{"a":1}', 'in:1'],
      ['{"b":2}', 'in:4'],
      ['{"c":3}', 'in:5'],
    ]);
    expect(bytes).toBe(28);
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
