// "What is at this offset": the document, the Kubernetes object and the YAML path under the cursor, from the parsed
// file's YAML syntax tree. Used by hover, definition, references and (when the document parses) completion.
import { isMap, isScalar, isSeq, type Node as YamlNode, type Scalar } from 'yaml';
import type { K8sObject, ParsedDocument, ParsedFile } from '../parse';
import type { OffsetRange } from '../types';

export type YamlPath = (string | number)[];

export interface Cursor {
  file: ParsedFile;
  offset: number;
  document: ParsedDocument | undefined;
  /** The object whose range holds the offset (an item of a List included). */
  object: K8sObject | undefined;
  /** Keys and indices from the object's node (or the document root when there is no object) to the innermost node. */
  path: YamlPath;
  /** True when the offset is on a map key; the key is then the last element of `path`. */
  onKey: boolean;
  /** The scalar (key or value) under the cursor. */
  scalar: Scalar | undefined;
  /** The range of that scalar. */
  range: OffsetRange | undefined;
  /** The range of the innermost node holding the offset (a flow map like `{}` when there is no scalar). */
  nodeRange: OffsetRange | undefined;
}

function contains(range: readonly number[] | null | undefined, offset: number): boolean {
  // The end is inclusive so that a cursor right after a word still counts as on it.
  return !!range && offset >= range[0] && offset <= range[1];
}

function keyOf(node: unknown): string | number | undefined {
  if (!isScalar(node)) return undefined;
  const value = node.value;
  return typeof value === 'string' || typeof value === 'number' ? value : String(value);
}

export function locate(file: ParsedFile, offset: number): Cursor {
  const cursor: Cursor = { file, offset, document: undefined, object: undefined, path: [], onKey: false, scalar: undefined, range: undefined, nodeRange: undefined };
  const document = file.documents.find((d) => offset >= d.range[0] && offset <= d.range[1]);
  if (!document) return cursor;
  cursor.document = document;
  cursor.object = document.objects.find((o) => contains(o.range, offset));
  const root = (cursor.object?.node ?? document.yaml?.contents) as YamlNode | null | undefined;
  if (root) descend(root, offset, cursor);
  return cursor;
}

/** Walks down from `root` to the innermost node holding the offset (a loop: documents may nest deeply). */
function descend(root: YamlNode, offset: number, cursor: Cursor): void {
  let node: YamlNode | undefined = root;
  while (node) {
    if (node.range && contains(node.range, offset)) cursor.nodeRange = [node.range[0], node.range[1]];
    const current: YamlNode = node;
    node = undefined;
    if (isScalar(current)) {
      if (contains(current.range, offset)) {
        cursor.scalar = current;
        cursor.range = [current.range![0], current.range![1]];
      }
    } else if (isMap(current)) {
      for (const pair of current.items) {
        const key = pair.key as YamlNode | null;
        const name = keyOf(key);
        if (name === undefined) continue;
        if (isScalar(key) && contains(key.range, offset)) {
          cursor.path.push(name);
          cursor.onKey = true;
          cursor.scalar = key;
          cursor.range = [key.range![0], key.range![1]];
          return;
        }
        const value = pair.value as YamlNode | null;
        if (value && contains(value.range, offset)) {
          cursor.path.push(name);
          node = value;
          break;
        }
      }
    } else if (isSeq(current)) {
      for (let index = 0; index < current.items.length; index++) {
        const child = current.items[index] as YamlNode | null;
        if (child && contains(child.range, offset)) {
          cursor.path.push(index);
          node = child;
          break;
        }
      }
    }
  }
}

/** Whether `path` starts with `prefix`, where `'*'` in the prefix matches any key or index. */
export function pathStartsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  if (path.length < prefix.length) return false;
  return prefix.every((p, i) => p === '*' || p === path[i]);
}

/** 1-based line of an offset in a file. */
export function lineOf(file: ParsedFile, offset: number): number {
  return file.lineCounter.linePos(offset).line;
}
