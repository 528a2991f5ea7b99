// Datasets for batch runs, streamed row by row (never loaded whole): JSONL (one JSON object per
// line) and CSV/TSV (a header row names the columns; csv-parse does the quoting rules).
import * as readline from 'node:readline';
import { Readable } from 'node:stream';
import { csvParse } from '../lazy';

export type DatasetFormat = 'jsonl' | 'csv' | 'tsv';

/** One dataset row, numbered from 1 (blank lines are not rows). A row that cannot be read carries why. */
export type DatasetRow = { row: number; values: Record<string, unknown> } | { row: number; error: string };

/** What a dataset can be read from: a Node stream, a web stream, or any async iterable of chunks. */
export type DatasetSource = NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<string | Uint8Array>;

/** The format a file name implies (`.jsonl`, `.ndjson`, `.csv`, `.tsv`), or undefined. */
export function datasetFormatOf(fileName: string): DatasetFormat | undefined {
  const m = /\.([a-z]+)$/i.exec(fileName);
  switch (m?.[1].toLowerCase()) {
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'csv':
      return 'csv';
    case 'tsv':
      return 'tsv';
    default:
      return undefined;
  }
}

function toReadable(source: DatasetSource): Readable {
  if (source instanceof Readable) return source;
  if (typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    return Readable.fromWeb(source as import('node:stream/web').ReadableStream<Uint8Array>);
  }
  return Readable.from(source as AsyncIterable<string | Uint8Array>);
}

/** Reads a dataset row by row. Memory use does not depend on the dataset's size. */
export function readDataset(source: DatasetSource, format: DatasetFormat): AsyncIterable<DatasetRow> {
  return format === 'jsonl' ? readJsonl(toReadable(source)) : readCsv(toReadable(source), format === 'tsv' ? '\t' : ',');
}

async function* readJsonl(input: Readable): AsyncIterable<DatasetRow> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let row = 0;
  let first = true;
  for await (let line of lines) {
    if (first) {
      line = line.replace(/^\uFEFF/, '');
      first = false;
    }
    if (line.trim() === '') continue;
    row++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      yield { row, error: `not valid JSON (${(e as Error).message})` };
      continue;
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      yield { row, error: `not a JSON object` };
      continue;
    }
    yield { row, values: value as Record<string, unknown> };
  }
}

async function* readCsv(input: Readable, delimiter: string): AsyncIterable<DatasetRow> {
  let row = 0;
  // Rows are numbered while parsing, so that a skipped (malformed) row keeps its place.
  const skipped: { row: number; error: string }[] = [];
  const parser = csvParse().parse({
    columns: true,
    bom: true,
    delimiter,
    skip_empty_lines: true,
    trim: false,
    skip_records_with_error: true,
    on_skip: (err: Error | undefined) => {
      row++;
      skipped.push({ row, error: err?.message ?? 'could not be parsed' });
    },
    on_record: (record: Record<string, string>) => ({ row: ++row, values: record }),
  });
  input.on('error', (e) => parser.destroy(e));
  input.pipe(parser);
  for await (const rec of parser as AsyncIterable<{ row: number; values: Record<string, string> }>) {
    while (skipped.length && skipped[0].row < rec.row) yield skipped.shift()!;
    yield rec;
  }
  while (skipped.length) yield skipped.shift()!;
}
