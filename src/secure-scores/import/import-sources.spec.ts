import { describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { stdinRecords, streamLines } from './import-sources.js';

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

describe('stdinRecords (NDJSON, or one document over many lines)', () => {
  async function fromStdin(chunks: string[]) {
    let bytes = 0;
    const records = [];
    const input = Readable.from(chunks.map((chunk) => Buffer.from(chunk)));
    for await (const record of stdinRecords(input, (n) => (bytes += n))) records.push(record);
    return { records: records.map((r) => [text(r), r.origin]), bytes };
  }

  it('reads a pretty-printed document whole, whatever its chunks', async () => {
    const document = JSON.stringify({ value: [{ a: '{[' }, { b: 2 }] }, null, 2);
    const whole = await fromStdin([`\n${document}\n`]);
    expect(whole.records).toEqual([[`\n${document}\n`, 'stdin']]);
    expect(whole.bytes).toBe(document.length + 2);
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
