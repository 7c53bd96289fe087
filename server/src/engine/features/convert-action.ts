// The editor's "add the equivalent CiliumNetworkPolicy" action on a NetworkPolicy (cilium-convert.ts): the converted
// policy goes in as a new document right after the NetworkPolicy's, which stays as it is (with its comments) until
// the author removes it. A conversion that is not exact says why in comments above the new document.
import { networkPolicyToCilium } from '../cilium-convert';
import type { QuickFix } from '../rules/types';
import type { Workspace } from '../workspace';
import { locate } from './cursor';
import { featureIndex } from './index';

export function ciliumConversionAction(workspace: Workspace, uri: string, offset: number): QuickFix | undefined {
  const file = workspace.getFile(uri);
  if (!file) return undefined;
  const cursor = locate(file, offset);
  if (!cursor.object) return undefined;
  const policy = featureIndex(workspace).scopeFor(uri)?.policyFor(cursor.object);
  if (!policy || policy.object.uri !== uri) return undefined;
  const conversion = networkPolicyToCilium(policy);
  if (!conversion) return undefined;
  const text = file.text;
  // After the line where the NetworkPolicy's document ends.
  const newline = text.indexOf('\n', Math.max(policy.object.range[0], policy.object.range[1] - 1));
  const at = newline < 0 ? text.length : newline + 1;
  const notes = conversion.reasons.map((r) => `# not exact: ${r}\n`).join('');
  const newText = `${newline < 0 ? '\n' : ''}---\n${notes}${conversion.text}`;
  return {
    title: conversion.exact ? `Add the equivalent CiliumNetworkPolicy ${policy.name}` : `Add a CiliumNetworkPolicy ${policy.name} (not exact: ${conversion.reasons.length} selector key${conversion.reasons.length === 1 ? '' : 's'} Cilium reads differently)`,
    edits: [{ uri, range: [at, at], newText }],
  };
}
