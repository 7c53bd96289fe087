// Connectivity test expectations, one case per form: each case is a small cluster, a ConnectivityTest, and the
// outcome (and failure message) expected for every expectation. Semantics of the verdicts come from the engine
// (NetworkPolicy v1: https://kubernetes.io/docs/concepts/services-networking/network-policies/).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runConnectivityTests, type ExpectationResult } from '../../../src/engine/assertions/check';
import { readConnectivityTests } from '../../../src/engine/assertions/spec';
import { Workspace } from '../../../src/engine/workspace';

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops, labels: {team: ops}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web, tier: front}}
    spec: {containers: [{name: web, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: api, tier: back}}
    spec: {containers: [{name: api, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db, tier: back}}
    spec: {containers: [{name: pg, ports: [{containerPort: 5432}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: agent, namespace: ops}
spec:
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: api}}}]
      ports: [{port: 5432}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: 8080}, {port: 9000, endPort: 9010}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
    - from: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}]
      ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: agent-egress, namespace: ops}
spec:
  podSelector: {matchLabels: {app: agent}}
  policyTypes: [Egress]
  egress:
    - to: [{namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: web}}}]
`;

function run(expectations: string, groups = '', extra: { tags?: string[]; spec?: string; cluster?: string } = {}): ExpectationResult[] {
  const workspace = new Workspace();
  workspace.setFile('file:///w/cluster.yaml', extra.cluster ?? CLUSTER);
  const text = `apiVersion: netpol.dev/v1alpha1
kind: ConnectivityTest
metadata: {name: t}
spec:
${extra.spec ?? ''}  groups:
    web: {workload: shop/Deployment/web}
    api: {namespace: shop, labels: {app: api}}
    db: {workload: shop/db}
    agent: {namespaceSelector: {matchLabels: {team: ops}}}
    world: {cidr: 0.0.0.0/0}
    corp: {cidr: 10.0.0.0/8}
${groups}  expectations:
${expectations}`;
  workspace.setFile('file:///w/t.netpol-test.yaml', text);
  const reports = runConnectivityTests(workspace, { tags: extra.tags });
  assert.equal(reports.length, 1);
  assert.deepEqual(reports[0].test.problems, []);
  return reports[0].results;
}

function outcome(expectation: string, groups = ''): { outcome: string; message: string } {
  const [r] = run(expectation, groups);
  return { outcome: r.outcome, message: r.message };
}

describe('verdict allow', () => {
  test('with ports: every listed port must be allowed', () => {
    assert.deepEqual(outcome('    - {from: api, to: db, ports: [5432], verdict: allow}'), { outcome: 'pass', message: '' });
    assert.deepEqual(outcome('    - {from: web, to: api, ports: [8080/TCP, 9000-9010/TCP], verdict: allow}'), { outcome: 'pass', message: '' });
    assert.deepEqual(outcome('    - {from: web, to: api, ports: [8080, 9011], verdict: allow}'), {
      outcome: 'fail',
      message:
        'expected shop/web -> shop/api to allow TCP 8080, TCP 9011, but TCP 9011 is denied: ingress of shop/api is isolated by shop/api-ingress and none of its rules allows TCP 9011 from shop/web',
    });
  });

  test('without ports: some connection must be allowed', () => {
    assert.equal(outcome('    - {from: api, to: db, verdict: allow}').outcome, 'pass');
    // The witness port is the destination's declared container port.
    assert.deepEqual(outcome('    - {from: web, to: db, verdict: allow}'), {
      outcome: 'fail',
      message:
        'expected shop/web -> shop/db to allow a connection, but every port is denied: ingress of shop/db is isolated by shop/db-ingress and none of its rules allows TCP 5432 from shop/web',
    });
  });

  test('UDP is a different port than TCP', () => {
    assert.equal(outcome('    - {from: api, to: db, ports: [5432/UDP], verdict: allow}').outcome, 'fail');
  });

  test('egress isolation of the source denies too (a connection needs both sides)', () => {
    assert.deepEqual(outcome('    - {from: agent, to: api, ports: [8080], verdict: allow}'), {
      outcome: 'fail',
      message:
        'expected ops/agent -> shop/api to allow TCP 8080, but TCP 8080 is denied: egress of ops/agent is isolated by ops/agent-egress and none of its rules allows TCP 8080 to shop/api; ingress of shop/api is isolated by shop/api-ingress and none of its rules allows TCP 8080 from ops/agent',
    });
  });
});

describe('verdict deny', () => {
  test('with ports: no listed port may be allowed', () => {
    assert.equal(outcome('    - {from: web, to: api, ports: [22, 5432], verdict: deny}').outcome, 'pass');
    assert.deepEqual(outcome('    - {from: web, to: api, ports: [9005], verdict: deny}'), {
      outcome: 'fail',
      message: 'expected shop/web -> shop/api to deny TCP 9005, but TCP 9005 is allowed: egress of shop/web is not isolated; shop/api-ingress ingress rule 1 allows it from shop/web',
    });
  });

  test('without ports: nothing may be allowed', () => {
    assert.equal(outcome('    - {from: web, to: db, verdict: deny}').outcome, 'pass');
    assert.deepEqual(outcome('    - {from: api, to: agent, verdict: deny}'), {
      outcome: 'fail',
      message: 'expected shop/api -> ops/agent to deny every port, but All Connections are allowed: egress of shop/api is not isolated; ingress of ops/agent is not isolated',
    });
  });
});

describe('verdict allow-only', () => {
  test('passes when exactly the listed ports are allowed', () => {
    assert.equal(outcome('    - {from: api, to: db, ports: [5432/TCP], verdict: allow-only}').outcome, 'pass');
    assert.equal(outcome('    - {from: web, to: api, ports: [8080, 9000-9010], verdict: allow-only}').outcome, 'pass');
  });

  test('fails on a listed port that is denied', () => {
    assert.match(outcome('    - {from: api, to: db, ports: [5432, 5433], verdict: allow-only}').message, /but TCP 5433 is denied/);
  });

  test('fails on any other port that is allowed', () => {
    assert.deepEqual(outcome('    - {from: web, to: api, ports: [8080], verdict: allow-only}'), {
      outcome: 'fail',
      message:
        'expected shop/web -> shop/api to allow only TCP 8080, but TCP 9000-9010 are allowed too: egress of shop/web is not isolated; shop/api-ingress ingress rule 1 allows it from shop/web',
    });
  });

  test('needs ports', () => {
    const [r] = run('    - {from: web, to: api, verdict: allow-only}');
    assert.equal(r.outcome, 'fail');
    assert.equal(r.message, 'allow-only needs ports: the ports that are allowed (every other port must be denied)');
  });
});

describe('endpoint forms', () => {
  test('workload as namespace/Kind/name and namespace/name, inline or in a group', () => {
    for (const from of ['web', 'shop/Deployment/web', 'shop/web', 'shop/deployment/web']) {
      assert.equal(outcome(`    - {from: ${from}, to: api, ports: [8080], verdict: allow}`).outcome, 'pass', from);
    }
  });

  test('namespace plus labels, namespaceSelector plus labels, podSelector with matchExpressions', () => {
    const groups = `    back: {namespace: shop, podSelector: {matchExpressions: [{key: tier, operator: In, values: [back]}]}}
    shopweb: {namespaceSelector: {matchLabels: {team: shop}}, labels: {app: web}}
`;
    const results = run(
      `    - {from: shopweb, to: api, ports: [8080], verdict: allow}
    - {from: agent, to: back, verdict: deny}
    - {from: back, to: shopweb, verdict: deny}
`,
      groups,
    );
    assert.deepEqual(results.map((r) => [r.outcome, r.pairs]), [['pass', 1], ['pass', 2], ['pass', 2]]);
  });

  test('a group may list several selectors (their union)', () => {
    const groups = '    both: [{workload: shop/web}, {workload: shop/api}]\n';
    const [r] = run('    - {from: both, to: db, verdict: deny}', groups);
    assert.equal(r.outcome, 'fail');
    assert.equal(r.pairs, 2);
    assert.equal(r.failingPairs, 1);
  });

  test('from/to as a list of groups', () => {
    const [r] = run('    - {from: [web, agent], to: db, verdict: deny}');
    assert.deepEqual([r.outcome, r.pairs], ['pass', 2]);
  });

  test('"*" is every workload, "except" removes groups', () => {
    const [all, except] = run(`    - {from: '*', to: db, verdict: deny}
    - {from: {group: '*', except: [api]}, to: db, verdict: deny}
`);
    assert.deepEqual([all.outcome, all.pairs, all.failingPairs], ['fail', 3, 1]);
    assert.deepEqual([except.outcome, except.pairs], ['pass', 2]);
  });

  test('a CIDR is checked block by block, cut at every ipBlock boundary of the policies', () => {
    const [world, corp, publicOnly, anyWorld] = run(`    - {from: world, to: web, ports: [8080], verdict: allow}
    - {from: corp, to: web, verdict: deny}
    - {from: {group: world, except: [corp]}, to: web, ports: [8080], verdict: allow-only}
    - {from: world, to: web, ports: [8080], verdict: allow, quantifier: any}
`);
    assert.equal(world.outcome, 'fail');
    assert.match(world.message, /^expected 10\.0\.0\.0\/8 -> shop\/web to allow TCP 8080, but TCP 8080 is denied: ingress of shop\/web is isolated by shop\/web-ingress/);
    assert.equal(corp.outcome, 'pass');
    assert.deepEqual([publicOnly.outcome, publicOnly.pairs], ['pass', 2]);
    assert.equal(anyWorld.outcome, 'pass');
  });

  test('egress toward a CIDR: the world is reachable when egress is not isolated', () => {
    assert.equal(outcome('    - {from: web, to: corp, verdict: allow}').outcome, 'pass');
    assert.match(outcome('    - {from: agent, to: world, verdict: allow}').message, /every port is denied: egress of ops\/agent is isolated by ops\/agent-egress/);
  });
});

describe('quantifiers', () => {
  test('all (the default) needs every pair; any needs one', () => {
    const [all, any] = run(`    - {from: [web, api], to: db, ports: [5432], verdict: allow}
    - {from: [web, api], to: db, ports: [5432], verdict: allow, quantifier: any}
`);
    assert.deepEqual([all.outcome, all.failingPairs, all.pairs], ['fail', 1, 2]);
    assert.equal(any.outcome, 'pass');
  });

  test('any fails when no pair holds, explaining every pair', () => {
    const [r] = run('    - {from: [web, agent], to: db, ports: [5432], verdict: allow, quantifier: any}');
    assert.equal(r.outcome, 'fail');
    assert.equal(r.failures.length, 2);
    assert.match(r.message, /^none of the 2 pairs satisfies the expectation; for example expected shop\/web -> shop\/db/);
  });
});

describe('non-vacuity: an expectation that checks nothing fails', () => {
  test('a group that matches no endpoint', () => {
    const [r] = run('    - {from: ghost, to: db, verdict: deny}', '    ghost: {namespace: shop, labels: {app: ghost}}\n');
    assert.equal(r.outcome, 'fail');
    assert.equal(r.message, 'group ghost matches no endpoint: no workload in namespace shop has labels app=ghost');
    assert.equal(r.vacuous.length, 1);
  });

  test('a workload that does not exist, and a namespace selector that matches no namespace', () => {
    assert.equal(outcome('    - {from: shop/Deployment/gone, to: db, verdict: deny}').message, 'shop/Deployment/gone matches no endpoint: no workload shop/Deployment/gone in scope default');
    assert.equal(
      outcome('    - {from: nobody, to: db, verdict: deny}', '    nobody: {namespaceSelector: {matchLabels: {team: none}}}\n').message,
      'group nobody matches no endpoint: no workload in namespaces matching team=none',
    );
  });

  test('"*" minus everything', () => {
    const [r] = run("    - {from: {group: '*', except: [web, api, db, agent]}, to: db, verdict: deny}");
    assert.deepEqual([r.outcome, r.message], ['fail', 'from * except web, api, db, agent matches no endpoint in scope default once the exceptions are removed']);
  });

  test('the same single workload on both sides leaves no pair', () => {
    const [r] = run('    - {from: db, to: db, verdict: deny}');
    assert.equal(r.outcome, 'fail');
    assert.match(r.message, /^no pair to check/);
  });

  test('an unknown group is a failure, not a skip', () => {
    const [r] = run('    - {from: wbe, to: db, verdict: deny}');
    assert.equal(r.outcome, 'fail');
    assert.equal(r.message, 'unknown group "wbe" (groups: web, api, db, agent, world, corp); or write a workload as namespace/Kind/name or a CIDR');
  });
});

describe('status and tags', () => {
  test('skip and todo are reported as such, never run', () => {
    const results = run(`    - {from: web, to: db, ports: [5432], verdict: allow, status: skip}
    - {from: web, to: db, ports: [5432], verdict: allow, status: todo}
    - {from: ghost, to: db, verdict: allow, status: skip}
`, '    ghost: {workload: shop/ghost}\n');
    assert.deepEqual(results.map((r) => r.outcome), ['skip', 'todo', 'skip']);
  });

  test('--tags runs only expectations with one of the tags', () => {
    const expectations = `    - {name: one, from: web, to: api, ports: [8080], verdict: allow, tags: [smoke]}
    - {name: two, from: web, to: db, verdict: deny, tags: [slow, db]}
    - {name: three, from: api, to: db, verdict: allow}
`;
    assert.deepEqual(run(expectations, '', { tags: ['smoke', 'db'] }).map((r) => r.expectation.name), ['one', 'two']);
    assert.deepEqual(run(expectations).map((r) => r.expectation.name), ['one', 'two', 'three']);
  });
});

describe('scopes', () => {
  test('spec.scope naming no scope fails every expectation', () => {
    const [r] = run('    - {from: web, to: db, verdict: deny}', '', { spec: '  scope: prod\n' });
    assert.deepEqual([r.outcome, r.message], ['fail', 'no scope named prod (scopes: default)']);
  });
});

// Named ports: \`http\` is 8080 on api and 9000 on legacy, and the back-ingress policy allows only TCP 8080, so a
// resolution that ignored the destination would judge legacy by api's port. dns names a UDP port and dns-tcp a TCP
// one, so a resolution that ignored the protocol would find \`dns/TCP\`.
const NAMED_CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{name: web}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    metadata: {labels: {app: api, tier: back}}
    spec: {containers: [{name: api, ports: [{containerPort: 8080, name: http}, {containerPort: 9090, name: metrics}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy, namespace: shop}
spec:
  template:
    metadata: {labels: {app: legacy, tier: back}}
    spec: {containers: [{name: legacy, ports: [{containerPort: 9000, name: http}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: dns, namespace: shop}
spec:
  template:
    metadata: {labels: {app: dns}}
    spec: {containers: [{name: dns, ports: [{containerPort: 53, name: dns, protocol: UDP}, {containerPort: 53, name: dns-tcp}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec: {template: {metadata: {labels: {app: worker}}, spec: {containers: [{name: worker}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: shop}
spec: {template: {metadata: {labels: {app: cache}}, spec: {containers: [{name: cache}]}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: back-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {tier: back}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: dns}}
  ingress:
    - ports: [{port: dns-tcp}]
`;

const NAMED_GROUPS = `    client: {workload: shop/web}
    back: {namespace: shop, labels: {tier: back}}
    dnsserver: {workload: shop/dns}
    apionly: {workload: shop/api}
`;

function named(expectations: string): ExpectationResult[] {
  return run(expectations, NAMED_GROUPS, { cluster: NAMED_CLUSTER });
}

describe('named ports resolve per destination, by name and protocol', () => {
  test('allow: the name is allowed on one destination and not on the other', () => {
    const [r] = named('    - {from: client, to: back, ports: [http], verdict: allow}');
    assert.deepEqual([r.outcome, r.pairs, r.failingPairs], ['fail', 2, 1]);
    assert.equal(
      r.message,
      'expected shop/web -> shop/legacy to allow TCP http (http = TCP 9000), but TCP 9000 is denied: ingress of shop/legacy is isolated by shop/back-ingress and none of its rules allows TCP 9000 from shop/web',
    );
    assert.equal(r.failures[0].destination.type === 'workload' && r.failures[0].destination.workload.name, 'legacy');
    assert.equal(r.failures[0].wrongPorts.toString(), 'TCP 9000');
  });

  test('deny: the name is allowed where it resolves to an allowed port', () => {
    const [r] = named('    - {from: client, to: back, ports: [http], verdict: deny}');
    assert.deepEqual([r.outcome, r.pairs, r.failingPairs], ['fail', 2, 1]);
    assert.equal(
      r.message,
      'expected shop/web -> shop/api to deny TCP http (http = TCP 8080), but TCP 8080 is allowed: egress of shop/web is not isolated; shop/back-ingress ingress rule 1 allows it from shop/web',
    );
  });

  test('allow-only: exactly the named port, wherever it points', () => {
    const [r] = named('    - {from: client, to: back, ports: [http], verdict: allow-only}');
    assert.deepEqual([r.outcome, r.failingPairs], ['fail', 1]);
    assert.match(r.message, /^expected shop\/web -> shop\/legacy to allow only TCP http \(http = TCP 9000\), but TCP 9000 is denied/);
    // The numeric port that http resolves to on api alone passes on both: only the name tells them apart.
    assert.equal(named('    - {from: client, to: back, ports: [8080], verdict: allow-only}')[0].outcome, 'pass');
    assert.equal(named('    - {from: client, to: apionly, ports: [http], verdict: allow-only}')[0].outcome, 'pass');
  });

  test('the protocol is part of the name: dns/UDP is not dns-tcp', () => {
    const [udp, object, tcpName, wrongProtocol] = named(`    - {from: client, to: dnsserver, ports: [dns/UDP], verdict: allow}
    - {from: client, to: dnsserver, ports: [{port: dns, protocol: UDP}], verdict: deny}
    - {from: client, to: dnsserver, ports: [dns-tcp], verdict: allow-only}
    - {from: client, to: dnsserver, ports: [dns/TCP], verdict: deny}
`);
    assert.match(udp.message, /^expected shop\/web -> shop\/dns to allow UDP dns \(dns = UDP 53\), but UDP 53 is denied/);
    assert.equal(object.outcome, 'pass');
    assert.equal(tcpName.outcome, 'pass');
    assert.deepEqual([wrongProtocol.outcome, wrongProtocol.pairs, wrongProtocol.message], ['fail', 0, 'shop/Deployment/dns declares no TCP port named dns']);
  });

  test('numbers and names together', () => {
    const [mixed, only] = named(`    - {from: client, to: apionly, ports: [9090, http], verdict: allow}
    - {from: client, to: apionly, ports: [8080/TCP, http], verdict: allow-only}
`);
    assert.equal(mixed.expectation.ports!.text, 'TCP 9090, TCP http');
    assert.match(mixed.message, /^expected shop\/web -> shop\/api to allow TCP 9090, TCP http \(http = TCP 8080\), but TCP 9090 is denied/);
    assert.equal(only.outcome, 'pass');
  });

  test('a destination without the name fails the expectation before any pair is checked, whatever the verdict', () => {
    for (const verdict of ['allow', 'deny', 'allow-only']) {
      const [r] = named(`    - {from: client, to: back, ports: [5432, metrics], verdict: ${verdict}}`);
      assert.deepEqual([r.outcome, r.pairs, r.message], ['fail', 0, 'shop/Deployment/legacy declares no TCP port named metrics'], verdict);
      assert.deepEqual([r.vacuous.length, r.vacuous[0].side, r.vacuous[0].text], [1, 'to', 'metrics']);
    }
    const [many] = named("    - {from: client, to: '*', ports: [http], verdict: deny}");
    assert.equal(many.message, 'shop/Deployment/web, shop/Deployment/dns, shop/Deployment/worker and 1 more declare no TCP port named http');
  });

  test('an address destination has no named ports', () => {
    const [inline, group] = named(`    - {from: client, to: 10.0.0.0/8, ports: [http], verdict: deny}
    - {from: client, to: [apionly, outside], ports: [http, dns/UDP], verdict: allow}
`.replace('outside', '192.168.0.0/16'));
    assert.deepEqual([inline.outcome, inline.pairs, inline.message], ['fail', 0, '10.0.0.0/8 is an address block: a named port (TCP http) needs a destination pod that declares it']);
    assert.deepEqual(group.vacuous.map((v) => v.message), [
      'shop/Deployment/api declares no UDP port named dns',
      '192.168.0.0/16 is an address block: a named port (TCP http, UDP dns) needs a destination pod that declares it',
    ]);
  });
});

describe('reading test files', () => {
  function problems(text: string): string[] {
    const workspace = new Workspace();
    workspace.setFile('file:///w/t.netpol-test.yaml', text);
    const [t] = readConnectivityTests(workspace.getFile('file:///w/t.netpol-test.yaml')!);
    return [...t.problems, ...t.expectations.flatMap((e) => e.problems)].map((p) => p.message);
  }

  test('problems are reported with their messages, never thrown', () => {
    assert.deepEqual(
      problems(`apiVersion: netpol.dev/v1alpha1
kind: ConnectivityTest
metadata: {name: t}
spec:
  groupz: {}
  groups:
    a: {namespace: shop, lables: {app: a}}
    b: {cidr: 10.0.0.0/33}
    c: 42
  expectations:
    - {from: a, to: b, verdict: maybe, ports: [8080/HTTP, 0, 70000], quantifier: most, status: later, tags: 7}
    - {to: b, verdict: allow, color: red}
`),
      EXPECTED_PROBLEMS,
    );
  });

  test('ports: names are container port names, validated as Kubernetes does', () => {
    const header = 'apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec:\n  expectations:\n';
    const portsOf = (ports: string) => problems(`${header}    - {from: shop/a, to: shop/b, verdict: allow, ports: ${ports}}\n`);
    assert.deepEqual(portsOf('[http, http/TCP, dns/UDP, dns/udp, {port: metrics-2, protocol: SCTP}, 5432, a1]'), []);
    const rule = "is not a valid port name: 1-15 lowercase letters, digits and '-', with at least one letter, no '-' at either end and no '--'";
    for (const name of ['HTTP', '-a', 'a-', 'a--b', 'abcdefghijklmnop', 'ht_tp']) {
      assert.deepEqual(portsOf(`[${name}]`), [`"${name}" ${rule}`], name);
    }
    assert.deepEqual(portsOf("[{port: '123'}]"), [`"123" ${rule}`]);
    assert.deepEqual(portsOf('[{port: http, endPort: 90}]'), ['endPort needs a numeric port: the named port http is one port on each pod']);
    assert.deepEqual(portsOf('[{port: http, protocol: udp}]'), ['protocol must be TCP, UDP or SCTP']);
    const workspace = new Workspace();
    workspace.setFile('file:///w/t.netpol-test.yaml', `${header}    - {from: shop/a, to: shop/b, verdict: allow, ports: [5432, http, dns/UDP, http/TCP]}\n`);
    const [e] = readConnectivityTests(workspace.getFile('file:///w/t.netpol-test.yaml')!)[0].expectations;
    assert.equal(e.ports!.text, 'TCP 5432, TCP http, UDP dns, TCP http');
    assert.deepEqual(e.ports!.named.map((n) => `${n.protocol} ${n.name}`), ['TCP http', 'UDP dns']);
    assert.equal(e.name, 'shop/a -> shop/b: allow on TCP 5432, TCP http, UDP dns, TCP http');
  });

  test('garbage never throws', () => {
    for (const spec of ['spec: 5', 'spec: {expectations: 5}', 'spec: {expectations: [5, null, [1]]}', 'spec: {groups: [1], expectations: []}', 'spec: {expectations: [{from: {except: 3}, to: [1, null]}]}']) {
      assert.doesNotThrow(() => problems(`apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: t}\n${spec}\n`));
    }
  });

  test('a ConnectivityTest is not a Kubernetes object for the model', () => {
    const workspace = new Workspace();
    workspace.setFile(
      'file:///w/t.netpol-test.yaml',
      'apiVersion: netpol.dev/v1alpha1\nkind: ConnectivityTest\nmetadata: {name: t}\nspec:\n  expectations: []\n',
    );
    const [scope] = workspace.scopes();
    assert.deepEqual([scope.model.workloads.length, scope.model.policies.length, scope.model.services.length], [0, 0, 0]);
  });
});

// Every problem of the file above, in reading order.
const EXPECTED_PROBLEMS: string[] = [
  'unknown field spec.groupz (expected scope, groups, expectations)',
  'unknown group field lables (expected workload, workloads, namespace, labels, podSelector, namespaceSelector, cidr)',
  '"10.0.0.0/33" is not a valid CIDR',
  'a group is a map with workload, namespace (+ labels), namespaceSelector (+ labels) or cidr, or a list of those',
  'verdict must be allow, deny or allow-only (got "maybe")',
  'quantifier must be all (every pair) or any (at least one pair)',
  'status must be todo or skip',
  'tags must be a list of strings',
  'a port is written 5432, 5432/TCP, 53/UDP, 8000-8080/TCP, a container port name (http, dns/UDP) or {port, endPort, protocol} (got "8080/HTTP")',
  'port 0 is out of range: ports are 1-65535, low to high',
  'port 70000 is out of range: ports are 1-65535, low to high',
  'unknown field color (expected name, from, to, ports, verdict, quantifier, tags, status)',
  'from is missing: a group name, a workload (namespace/Kind/name), a CIDR or "*"',
];
