// SARIF 2.1.0, the part every netpol report writes (`netpol check`, `netpol test`, `netpol diff`): one log with one
// run of the netpol driver, its rules and results, columns counted in UTF-16 code units as the engine's offsets are.
// The shapes are written out here, so that the bundles need no @types/sarif.

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface SarifLocation {
  id?: number;
  physicalLocation: {
    artifactLocation: SarifArtifactLocation;
    region: SarifRegion;
  };
  message?: { text: string };
}

export interface SarifRule {
  id: string;
  name?: string;
  shortDescription?: { text: string };
  fullDescription?: { text: string };
  help?: { text: string };
  defaultConfiguration?: { level: SarifLevel };
}

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

/** A quick fix: replacements of regions of files. */
export interface SarifFix {
  description: { text: string };
  artifactChanges: { artifactLocation: SarifArtifactLocation; replacements: { deletedRegion: SarifRegion; insertedContent: { text: string } }[] }[];
}

export interface SarifResult {
  ruleId: string;
  /** Position of the rule in the driver's `rules`. */
  ruleIndex?: number;
  level: SarifLevel;
  message: { text: string };
  locations?: SarifLocation[];
  relatedLocations?: SarifLocation[];
  fixes?: SarifFix[];
}

export interface SarifLog<R extends SarifResult> {
  $schema: string;
  version: '2.1.0';
  runs: [
    {
      tool: { driver: { name: 'netpol'; version: string; rules: SarifRule[] } };
      originalUriBaseIds?: Record<string, { uri: string }>;
      columnKind: 'utf16CodeUnits';
      results: R[];
    },
  ];
}

/** The log of one netpol run: `originalUriBaseIds` names the bases of relative artifact locations, if any. */
export function sarifLog<R extends SarifResult>(run: { version: string; rules: SarifRule[]; results: R[]; originalUriBaseIds?: Record<string, { uri: string }> }): SarifLog<R> {
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'netpol', version: run.version, rules: run.rules } },
        ...(run.originalUriBaseIds ? { originalUriBaseIds: run.originalUriBaseIds } : {}),
        columnKind: 'utf16CodeUnits',
        results: run.results,
      },
    ],
  };
}
