// Every diagnostic rule. One rule per file in this folder; add new rules here.
import { missingDnsEgress } from './missing-dns-egress';
import { peerMatchesNothing } from './peer-matches-nothing';
import { selectorMatchesNothing } from './selector-matches-nothing';
import type { Rule } from './types';

export const ALL_RULES: Rule[] = [selectorMatchesNothing, peerMatchesNothing, missingDnsEgress];
