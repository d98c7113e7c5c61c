import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * The benchmarks' CSV: ids, zip codes with leading zeros, text with quotes and delimiters, decimals,
 * dates, booleans (7 columns, ~52 bytes a row). Written in chunks, never held whole.
 */
export async function generateBenchCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (s: string): Promise<void> => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('id,zip,name,amount,day,active,note\n');
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const zip = String((i * 7919) % 100000).padStart(5, '0');
    const day = `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    const note = i % 10 === 0 ? `"said ""hi"", twice"` : `note ${i % 977}`;
    chunk += `${i},${zip},customer ${i % 50_000},${(i % 100_000) / 100},${day},${i % 3 === 0},${note}\n`;
    if (i % 10_000 === 0) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  out.end();
  await once(out, 'close');
}
