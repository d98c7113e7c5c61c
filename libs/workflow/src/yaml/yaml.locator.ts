import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { SpecPath } from '../spec.reader';

export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * The 1-based line and column of the node an issue is about. A path that does not exist in the text
 * (a missing field) points at the deepest part that does: the key of the enclosing mapping, or the
 * list item. `atKey` points at the key itself rather than its value (an unknown field).
 */
export function locate(doc: Document, lineCounter: LineCounter, path: SpecPath, atKey = false): SourcePosition | undefined {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let complete = true;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) {
        complete = false;
        break;
      }
      key = isScalar(pair.key) ? pair.key : undefined;
      node = pair.value;
    } else if (isSeq(node) && Number.isInteger(Number(seg)) && node.items[Number(seg)] !== undefined) {
      key = undefined;
      node = node.items[Number(seg)];
    } else {
      complete = false;
      break;
    }
  }
  const target = (atKey || !complete) && key ? key : ((node as Node | null | undefined) ?? key);
  const offset = target?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
