// The language server's workspace: the engine's Workspace with the editor settings laid over `.netpol.yaml`
// (settings win, field by field).
import type { WorkspaceConfig } from '../engine/config';
import { Workspace } from '../engine/workspace';
import type { NetpolSettings } from './settings';

export function mergeSettings(base: WorkspaceConfig, settings: NetpolSettings): WorkspaceConfig {
  return {
    ...base,
    defaultNamespace: settings.defaultNamespace ?? base.defaultNamespace,
    maxFileSize: settings.maxFileSize ?? base.maxFileSize,
    dns: { ...base.dns, ...settings.dns },
  };
}

export class ServerWorkspace extends Workspace {
  private merged: { base: WorkspaceConfig; result: WorkspaceConfig } | undefined;

  constructor(readonly settings: NetpolSettings) {
    super({});
  }

  protected override emptyCopy(): ServerWorkspace {
    const copy = new ServerWorkspace(this.settings);
    // The same merged configuration object, so the copy's scopes count as built for it (and update incrementally).
    copy.merged = this.merged;
    return copy;
  }

  override get config(): WorkspaceConfig {
    const base = super.config;
    if (this.merged?.base !== base) this.merged = { base, result: mergeSettings(base, this.settings) };
    return this.merged.result;
  }
}
