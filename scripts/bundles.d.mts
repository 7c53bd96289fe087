// Types of scripts/bundles.mjs, for the tests that import it.
import type { BuildOptions, Metafile } from 'esbuild';
export declare const BUNDLES: Record<string, BuildOptions>;
export declare const EXTENSION_MAX_BYTES: number;
export declare const WEBVIEW_ELK_MAX_BYTES: number;
export declare const CLIENT_BUNDLES: string[];
export declare const COPIED: Record<string, string>;
export declare function clientBundleProblems(outfile: string, output: Metafile['outputs'][string]): string[];
