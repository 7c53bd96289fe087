// Every diagnostic rule. One rule per file in this folder; add new rules here.
import type { Rule } from './types';

export const ALL_RULES: Rule[] = [];
