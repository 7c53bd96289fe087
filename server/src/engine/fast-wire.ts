// The fast reader's result of one file as a JSON string, so that a worker thread can read files while the main
// thread builds the workspace. JSON, not structured cloning: `JSON.parse` rebuilds the values about 2.5 times faster
// than `v8.deserialize` (which is as slow as reading the YAML again), measured on the medium bench workspace.
import type { FastDocument, FastResult } from './fast-yaml';
import type { OffsetRange } from './types';

/** One document: its range, its root mapping's range, the value, and the ranges of a List's `items` (or 0). */
type WireDocument = [number, number, number, number, Record<string, unknown>, number[] | 0];

/**
 * The result as JSON, or undefined when JSON cannot carry one of its numbers exactly (see FastResult.jsonSafe).
 * Only the ranges parse.ts reads are kept: those of the items of a List's `items`.
 */
export function encodeFastResult(fast: FastResult): string | undefined {
  if (!fast.jsonSafe) return undefined;
  const wire: WireDocument[] = fast.documents.map((doc) => {
    const items = doc.value.items;
    let itemRanges: number[] | 0 = 0;
    if (Array.isArray(items)) {
      itemRanges = [];
      for (const item of items) {
        const range = item !== null && typeof item === 'object' ? doc.ranges.get(item) : undefined;
        itemRanges.push(range ? range[0] : -1, range ? range[1] : -1);
      }
    }
    return [doc.range[0], doc.range[1], doc.rootRange[0], doc.rootRange[1], doc.value, itemRanges];
  });
  return JSON.stringify(wire);
}

export function decodeFastResult(json: string): FastResult {
  const wire = JSON.parse(json) as WireDocument[];
  const documents = wire.map(([start, end, rootStart, rootEnd, value, itemRanges]): FastDocument => {
    const ranges = new Map<object, OffsetRange>();
    const items = value.items;
    if (itemRanges !== 0 && Array.isArray(items)) {
      items.forEach((item, i) => {
        if (item !== null && typeof item === 'object' && itemRanges[2 * i] >= 0) ranges.set(item, [itemRanges[2 * i], itemRanges[2 * i + 1]]);
      });
    }
    return { range: [start, end], value, rootRange: [rootStart, rootEnd], ranges };
  });
  return { documents, jsonSafe: true };
}
