// `.netpol.yaml` settings of the rules that need facts the manifests do not hold: where the API server is
// (api-server-egress-blocked) and which pods are Prometheus (metrics-scrape-blocked). Bad values get a clear
// finding and leave the defaults in place.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultConfig, parseConfig } from '../../src/engine/config';

const parse = (text: string) => parseConfig('file:///w/.netpol.yaml', text);

describe('.netpol.yaml apiServer and prometheus', () => {
  test('defaults: API server on TCP 443 and 6443 at an unknown address, no Prometheus pods configured', () => {
    const config = defaultConfig();
    assert.deepEqual(config.apiServer, { cidrs: [], ports: [443, 6443] });
    assert.equal(config.prometheus, undefined);
  });

  test('valid settings are read', () => {
    const config = parse('apiServer:\n  cidrs: [10.0.0.1/32, "fd00::1/128"]\n  ports: [6443]\nprometheus:\n  namespace: monitoring\n  podLabels: {app.kubernetes.io/name: prometheus}\n');
    assert.deepEqual(config.findings, []);
    assert.deepEqual(config.apiServer, { cidrs: ['10.0.0.1/32', 'fd00::1/128'], ports: [6443] });
    assert.deepEqual(config.prometheus, { namespace: 'monitoring', podLabels: { 'app.kubernetes.io/name': 'prometheus' } });
  });

  test('bad values are findings naming the key and the value; the rest is kept', () => {
    const config = parse('apiServer:\n  cidrs: [10.0.0.1/33, 10.0.0.1/32]\n  ports: [443, 70000, "x"]\n  address: 1.2.3.4\n');
    const messages = config.findings.map((f) => f.message);
    assert.ok(messages.some((m) => m.includes('apiServer.cidrs: "10.0.0.1/33" is not a CIDR')), messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('apiServer.ports: 70000 is not a port number')), messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('apiServer.ports: "x" is not a port number')), messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('apiServer.address is not a setting')), messages.join('\n'));
    assert.ok(config.findings.every((f) => f.code === 'invalid-config' && f.severity === 'error'));
    assert.deepEqual(config.apiServer, { cidrs: ['10.0.0.1/32'], ports: [443] });
  });

  test('an empty port list or a non-map keeps the default ports', () => {
    for (const text of ['apiServer:\n  ports: []\n', 'apiServer: 443\n']) {
      const config = parse(text);
      assert.equal(config.findings.length, 1, text);
      assert.deepEqual(config.apiServer.ports, [443, 6443], text);
    }
  });

  test('prometheus needs a namespace and labels', () => {
    for (const text of ['prometheus: {namespace: monitoring}\n', 'prometheus: {podLabels: {app: prometheus}}\n', 'prometheus: {namespace: monitoring, podLabels: {}}\n', 'prometheus: yes\n']) {
      const config = parse(text);
      assert.equal(config.prometheus, undefined, text);
      assert.match(config.findings[0]?.message ?? '', /prometheus needs a namespace and non-empty podLabels/, text);
    }
  });
});
