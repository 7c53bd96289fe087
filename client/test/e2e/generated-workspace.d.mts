// Types of generated-workspace.mjs, for the suite.
export declare const GENERATED_FOLDER: string;
export declare const GENERATED_NAMESPACES: string[];
export declare const GENERATED_WORKLOADS: string[];
export declare function workloadsOf(namespace: string): string[];
export declare function generatedWorkspace(): Record<string, string>;
