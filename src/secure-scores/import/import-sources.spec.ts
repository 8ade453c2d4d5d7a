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

describe('streamLines (NDJSON)', () => {
  it('splits on LF and CRLF, skips blank lines, numbers lines as a text editor does', async () => {
    const { records, bytes } = await collect([Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n{"c":3}')]);
    expect(records).toEqual([
      { text: '{"a":1}', origin: 'in:1' },
      { text: '{"b":2}', origin: 'in:4' },
      { text: '{"c":3}', origin: 'in:5' },
    ]);
    expect(bytes).toBe(28);
  });

  it('joins a line and a multi-byte character split across chunks', async () => {
    const text = Buffer.from('{"name":"Zürich Versicherung"}\n{"x":"ü"}\n');
    const chunks = [...text].map((byte) => Buffer.from([byte])); // one byte per chunk
    const { records } = await collect(chunks);
    expect(records.map((r) => JSON.parse(r.text))).toEqual([
      { name: 'Zürich Versicherung' },
      { x: 'ü' },
    ]);
  });
});
