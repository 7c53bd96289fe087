// The package's version, set by the build (scripts/build.mjs); `dev` when the sources run directly (tests).
declare const NETPOL_VERSION: string | undefined;

export function version(): string {
  return typeof NETPOL_VERSION === 'string' ? NETPOL_VERSION : 'dev';
}
