// Types of scripts/layers.mjs, for the tests that import it.
export declare const REPO: string;
export interface Layer {
  holds: string[];
  imports: string[];
  typeOnly?: string[];
  packages: string[];
}
export declare const LAYERS: Record<string, Layer>;
export declare function importsOf(fileName: string, text: string): { specifier: string; typeOnly: boolean; line: number }[];
export declare function checkLayers(options?: { repo?: string; files?: string[]; read?: (file: string) => string }): string[];
export declare function cycles(edges: Map<string, Set<string>>): string[][];
