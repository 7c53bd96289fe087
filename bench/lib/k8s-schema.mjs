// A local Kubernetes JSON schema for yaml-language-server, which downloads its schema and cannot here. Built from
// the swagger document shipped in the npm package kubernetes-client@9.0.0 (fetched with `npm pack`), shaped like
// the standalone-strict schemas yaml-language-server uses for Kubernetes: one definitions file, one `oneOf` over
// every definition, apiVersion/kind enums from x-kubernetes-group-version-kind, additionalProperties false.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const PACKAGE = 'kubernetes-client@9.0.0';
const SWAGGER_IN_TARBALL = 'package/lib/specs/swagger-1.13.json.gz';

/** Returns the path of all.json (with _definitions.json beside it) under cacheDir, building it once. */
export function ensureKubernetesSchema(cacheDir) {
  const outDir = path.join(cacheDir, 'k8s-schema');
  const allPath = path.join(outDir, 'all.json');
  if (fs.existsSync(allPath)) return allPath;
  fs.mkdirSync(outDir, { recursive: true });
  const tarball = path.join(cacheDir, 'kubernetes-client-9.0.0.tgz');
  if (!fs.existsSync(tarball)) execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: cacheDir, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('tar', ['-xzf', tarball, '-C', outDir, SWAGGER_IN_TARBALL]);
  const swagger = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(outDir, SWAGGER_IN_TARBALL))).toString('utf8'));
  const definitions = swagger.definitions;
  addNewerApiSurface(definitions);
  // Quantities and int-or-string are strings or numbers in manifests.
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  for (const definition of Object.values(definitions)) {
    for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
      enumerate(definition, 'apiVersion', gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version);
      enumerate(definition, 'kind', gvk.kind);
    }
  }
  forbidUnknownFields(definitions);
  fs.writeFileSync(path.join(outDir, '_definitions.json'), JSON.stringify({ definitions }));
  const all = { oneOf: Object.keys(definitions).map((name) => ({ $ref: `_definitions.json#/definitions/${name}` })) };
  fs.writeFileSync(allPath, JSON.stringify(all));
  return allPath;
}

function enumerate(definition, property, value) {
  const schema = definition.properties?.[property];
  if (!schema) return;
  schema.enum ??= [];
  if (!schema.enum.includes(value)) schema.enum.push(value);
}

function forbidUnknownFields(value) {
  if (Array.isArray(value)) return value.forEach(forbidUnknownFields);
  if (!value || typeof value !== 'object') return;
  if (value.properties && value.additionalProperties === undefined) value.additionalProperties = false;
  for (const child of Object.values(value)) forbidUnknownFields(child);
}

// The 1.13 swagger predates fields the generated workspaces use: NetworkPolicyPort.endPort, seccompProfile and
// batch/v1 CronJob. Without them the reference would flag valid manifests.
function addNewerApiSurface(definitions) {
  definitions['io.k8s.api.networking.v1.NetworkPolicyPort'].properties.endPort = { type: 'integer', format: 'int32', description: 'End of the port range (inclusive).' };
  definitions['io.k8s.api.core.v1.SeccompProfile'] = {
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string', enum: ['Localhost', 'RuntimeDefault', 'Unconfined'] }, localhostProfile: { type: 'string' } },
  };
  for (const name of ['io.k8s.api.core.v1.PodSecurityContext', 'io.k8s.api.core.v1.SecurityContext']) {
    definitions[name].properties.seccompProfile = { $ref: '#/definitions/io.k8s.api.core.v1.SeccompProfile' };
  }
  const toV1 = (definition) => JSON.parse(JSON.stringify(definition).replace(/io\.k8s\.api\.batch\.v1beta1\.(CronJob\w*|JobTemplateSpec)/g, 'io.k8s.api.batch.v1.$1'));
  for (const name of ['CronJob', 'CronJobList', 'CronJobSpec', 'CronJobStatus', 'JobTemplateSpec']) {
    const definition = toV1(definitions[`io.k8s.api.batch.v1beta1.${name}`]);
    if (definition['x-kubernetes-group-version-kind']) {
      definition['x-kubernetes-group-version-kind'] = definition['x-kubernetes-group-version-kind'].map((g) => ({ ...g, version: 'v1' }));
    }
    definitions[`io.k8s.api.batch.v1.${name}`] = definition;
  }
}
