// A Calico selector written unquoted with a leading `!` (`selector: !has(app)`): YAML reads `!has(app)` as a tag,
// so the selector becomes empty, which Calico reads as all(): the opposite of what was meant. Calico's docs warn
// about it (_selectors.mdx: "! is a special character at the start of a YAML string"). Found in the text, since the
// parsed value has lost the selector. Quick fix: quote the value.
import { isCalicoObject } from '../calico-policy';
import { inWorkspace } from './common';
import type { Rule } from './types';

const UNQUOTED_BANG = /^([ \t-]*(?:[A-Za-z]+:[ \t]*)*?(?:selector|notSelector|namespaceSelector|serviceAccountSelector):[ \t]*)(![^\r\n]*?)[ \t]*(?:[ \t]#[^\r\n]*)?$/gm;

export const calicoUnquotedBang: Rule = {
  id: 'calico-unquoted-bang',
  defaultSeverity: 'error',
  unit: 'scope',
  description: 'A Calico selector starts with an unquoted "!": YAML reads it as a tag and the selector becomes all().',
  run(context) {
    for (const object of context.model.objects) {
      if (!isCalicoObject(object) || !inWorkspace(context, object)) continue;
      const text = context.file(object.uri)?.text;
      if (!text) continue;
      const [from, to] = object.range;
      const source = text.slice(from, to);
      UNQUOTED_BANG.lastIndex = 0;
      for (let m = UNQUOTED_BANG.exec(source); m; m = UNQUOTED_BANG.exec(source)) {
        const value = m[2];
        const start = from + m.index + m[1].length;
        const end = start + value.length;
        const quoted = value.includes('"') ? `'${value.replace(/'/g, "''")}'` : `"${value}"`;
        context.report({
          message: `the selector ${value} starts with "!" unquoted: YAML reads it as a tag, so the selector is empty and Calico reads it as all(). Quote it: ${quoted}.`,
          location: { uri: object.uri, range: [start, end] },
          ...(context.wantFixes ? { fixes: [{ title: 'Quote the selector', edits: [{ uri: object.uri, range: [start, end], newText: quoted }], preferred: true }] } : {}),
        });
      }
    }
  },
};
