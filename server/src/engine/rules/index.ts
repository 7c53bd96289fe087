// Every diagnostic rule. One rule per file in this folder; add new rules here.
import { allowsAll } from './allows-all';
import { ambiguousNumber } from './ambiguous-number';
import { emptyPeer } from './empty-peer';
import { exceptOutsideCidr } from './except-outside-cidr';
import { invalidCidr } from './invalid-cidr';
import { invalidLabelSelector } from './invalid-label-selector';
import { invalidObject } from './invalid-object';
import { invalidPort } from './invalid-port';
import { invalidPortRange } from './invalid-port-range';
import { missingDnsEgress } from './missing-dns-egress';
import { peerMatchesNothing } from './peer-matches-nothing';
import { rulesIgnoredByPolicyTypes } from './rules-ignored-by-policy-types';
import { selectorMatchesNothing } from './selector-matches-nothing';
import { splitPeer } from './split-peer';
import { duplicatePolicy } from './duplicate-policy';
import { missingNamespace } from './missing-namespace';
import { hostNetwork } from './host-network';
import { namespaceWithoutDefaultDeny } from './namespace-without-default-deny';
import { labelTypo } from './label-typo';
import { unquotedLabelValue } from './unquoted-label-value';
import { namedPortNotFound } from './named-port-not-found';
import { portNotExposed } from './port-not-exposed';
import { invalidClusterPolicy } from './invalid-cluster-policy';
import { clusterSelectorMatchesNothing } from './cluster-selector-matches-nothing';
import { equalPriorityOverlap } from './equal-priority-overlap';
import { passToNothing } from './pass-to-nothing';
import { clusterPeerNotAnalysed } from './cluster-peer-not-analysed';
import { networksMatchPods } from './networks-match-pods';
import { clusterRuleShadowed } from './cluster-rule-shadowed';
import { notAnalysed } from './not-analysed';
import { invalidCalicoPolicy } from './invalid-calico-policy';
import { calicoPortsWithoutProtocol } from './calico-ports-without-protocol';
import { calicoUnquotedBang } from './calico-unquoted-bang';
import { calicoNotAnalysed } from './calico-not-analysed';
import { calicoStagedPolicy } from './calico-staged-policy';
import { calicoSelectorMatchesNothing } from './calico-selector-matches-nothing';
import { calicoRuleShadowed } from './calico-rule-shadowed';
import { calicoPassInLastTier } from './calico-pass-in-last-tier';
import { calicoEqualOrder } from './calico-equal-order';
import { calicoFinalLog } from './calico-final-log';
import { calicoGlobalDenyWithoutDns } from './calico-global-deny-without-dns';
import { calicoUndeclaredTier } from './calico-undeclared-tier';
import { networkPolicyOverriddenByAdmin } from './network-policy-overridden-by-admin';
import { invalidCiliumPolicy } from './invalid-cilium-policy';
import { ciliumDefaultDenyTrap } from './cilium-default-deny-trap';
import { ciliumFqdnWithoutDns } from './cilium-fqdn-without-dns';
import { policyNotEnforced } from './policy-not-enforced';
import { ciliumSelectorMatchesNothing } from './cilium-selector-matches-nothing';
import { ciliumToServicesWithSelector } from './cilium-to-services-with-selector';
import { networkPolicyOverriddenByCiliumDeny } from './network-policy-overridden-by-cilium-deny';
import type { Rule } from './types';
import { workloadUnreachable } from './workload-unreachable';
import { oneSidedAllow } from './one-sided-allow';
import { workloadNotIsolated } from './workload-not-isolated';
import { hostPort } from './host-port';
import { duplicateWorkload } from './duplicate-workload';
import { deprecatedIsolationAnnotation } from './deprecated-isolation-annotation';
import { apiServerEgressBlocked } from './api-server-egress-blocked';
import { metricsScrapeBlocked } from './metrics-scrape-blocked';
import { unknownField } from './unknown-field';

export const ALL_RULES: Rule[] = [
  selectorMatchesNothing,
  peerMatchesNothing,
  missingDnsEgress,
  rulesIgnoredByPolicyTypes,
  splitPeer,
  allowsAll,
  emptyPeer,
  invalidCidr,
  exceptOutsideCidr,
  invalidPortRange,
  invalidLabelSelector,
  invalidPort,
  invalidObject,
  unknownField,
  duplicatePolicy,
  namespaceWithoutDefaultDeny,
  missingNamespace,
  hostNetwork,
  labelTypo,
  unquotedLabelValue,
  namedPortNotFound,
  portNotExposed,
  ambiguousNumber,
  workloadUnreachable,
  oneSidedAllow,
  workloadNotIsolated,
  hostPort,
  duplicateWorkload,
  deprecatedIsolationAnnotation,
  apiServerEgressBlocked,
  metricsScrapeBlocked,
  invalidClusterPolicy,
  invalidCiliumPolicy,
  ciliumDefaultDenyTrap,
  ciliumFqdnWithoutDns,
  policyNotEnforced,
  ciliumSelectorMatchesNothing,
  ciliumToServicesWithSelector,
  networkPolicyOverriddenByCiliumDeny,
  clusterSelectorMatchesNothing,
  equalPriorityOverlap,
  passToNothing,
  clusterPeerNotAnalysed,
  networksMatchPods,
  clusterRuleShadowed,
  notAnalysed,
  invalidCalicoPolicy,
  calicoPortsWithoutProtocol,
  calicoUnquotedBang,
  calicoNotAnalysed,
  calicoStagedPolicy,
  calicoSelectorMatchesNothing,
  calicoRuleShadowed,
  calicoPassInLastTier,
  calicoEqualOrder,
  calicoFinalLog,
  calicoGlobalDenyWithoutDns,
  calicoUndeclaredTier,
  networkPolicyOverriddenByAdmin,
];
