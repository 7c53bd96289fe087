// workspace/didChangeConfiguration: reloads the settings; rebuilds the workspace, re-indexes or re-analyses as the
// change requires.
import type { ServerParts } from '../parts';

export function registerConfigurationChange({ connection, state, logger, indexer, diagnostics }: ServerParts): void {
  const reloadSettings = async (): Promise<void> => {
    const before = state.settings;
    const beforeExclude = state.filesExclude;
    await state.loadSettings();
    const after = state.settings;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (!same(before.defaultNamespace, after.defaultNamespace) || !same(before.dns, after.dns) || !same(before.maxFileSize, after.maxFileSize)) {
      state.rebuildWorkspace();
    }
    const indexChanged = !same(before.exclude, after.exclude) || !same(beforeExclude, state.filesExclude) || !same(before.maxFileSize, after.maxFileSize);
    if (indexChanged) {
      state.rebuildFilter();
      if (state.indexed) await indexer.index();
      return;
    }
    diagnostics.scheduleAnalysis(true);
  };
  connection.onDidChangeConfiguration((params) => {
    if (params.settings && typeof params.settings === 'object') state.pushedSettings = params.settings;
    // VS Code may announce one change twice (synchronized section and registration): handle them in turn.
    logger.serially('configuration change', reloadSettings);
  });
}
