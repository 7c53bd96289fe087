// How the engine orders text: by UTF-16 code units. The result is the same on every machine (no locale), and it
// costs nothing up front, where the first localeCompare of a process builds an ICU collator (~20 ms, which a first
// hover or completion would wait for).

/** Compares two strings by code units: negative, zero or positive, for Array.prototype.sort. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
