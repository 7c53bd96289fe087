// netpol/indexAccepts: which of the given paths the index would read (folders, `files.exclude`, `netpol.exclude`).
import type { Connection } from 'vscode-languageserver';
import type { FeatureContext } from '../context';
import { IndexAcceptsRequest } from '../protocol';

export function registerIndexAccepts(connection: Connection, ctx: FeatureContext): void {
  connection.onRequest(IndexAcceptsRequest, (params) => {
    const filter = ctx.fileFilter();
    const paths = Array.isArray(params?.paths) ? params.paths.filter((p): p is string => typeof p === 'string') : [];
    return paths.filter((p) => !!filter.locate(p) && filter.accepts(p));
  });
}
