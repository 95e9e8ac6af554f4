import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderApiTable } from './api-catalog.js';

/** docs/api.md, from the compiled location of this file (dist/test/helpers). */
export const API_DOC = fileURLToPath(new URL('../../../docs/api.md', import.meta.url));

const START = '<!-- api-table:start -->';
const END = '<!-- api-table:end -->';

/** The table currently written in docs/api.md. */
export function writtenApiTable(text = readFileSync(API_DOC, 'utf8')): string {
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${API_DOC} has no ${START} ... ${END} section`);
  return text.slice(from + START.length, to).trim();
}

/** Rewrites the table section of docs/api.md from the code (`npm run docs:table`). */
export function updateApiDoc(): void {
  const text = readFileSync(API_DOC, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${API_DOC} has no ${START} ... ${END} section`);
  writeFileSync(API_DOC, `${text.slice(0, from + START.length)}\n${renderApiTable()}\n${text.slice(to)}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) updateApiDoc();
