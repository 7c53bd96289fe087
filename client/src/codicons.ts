// The glyphs of @vscode/codicons (dist/codicon.ttf, copied into dist/ by the build) that the reachability view's
// toolbar shows. Code points of codicons 0.0.45; client/test/e2e-node/codicons.test.ts checks them against the
// package's codicon.css, so an upgrade that moves a glyph fails there.
export const CODICONS = {
  'screen-full': 0xeb4c,
  'zoom-in': 0xeb81,
  'zoom-out': 0xeb82,
  'arrow-down': 0xea9a,
  'arrow-right': 0xea9c,
  'collapse-all': 0xeac5,
  'expand-all': 0xeb95,
  'group-by-ref-type': 0xeb97,
  export: 0xebac,
} as const;

export type Codicon = keyof typeof CODICONS;

/** An icon as markup for the view's static HTML (no workspace text): the glyph in the codicon font, hidden from screen readers. */
export function codicon(name: Codicon): string {
  return `<span class="codicon" aria-hidden="true">&#x${CODICONS[name].toString(16)};</span>`;
}
